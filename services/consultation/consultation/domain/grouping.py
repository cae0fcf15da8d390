"""Mass-comment grouping: near-identical comments on one draft count as one voice with its size.

Comments are compared on their character shingles through MinHash sketches; a MinHashLSH index
proposes candidates and the MinHash Jaccard estimate confirms them. Everything is deterministic
(fixed seed, stable ordering), so replaying the same comments in the same order rebuilds the same
groups.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from datasketch import LeanMinHash, MinHash, MinHashLSH
from persiantools import digits
from persiantools.characters import ar_to_fa

SHINGLE_SIZE = 4
"""Character 4-grams of the normalised text.

Word shingles fail on short Persian comments: a 25-word comment has only ~25 word shingles, and
one added or dropped word (or a different spacing around the ZWNJ) moves the Jaccard similarity a
long way, so two copies of a campaign text fall under any useful threshold. Character n-grams are
robust to that: an edit of e characters touches only e + n - 1 shingles. Four rather than five
characters because Persian words are short (often 3–5 letters) and a smaller n changes fewer
shingles per edit (edited copies of the test campaign share ≥0.78 of their 4-grams but only ≥0.75
of their 5-grams), while unrelated Persian comments still share at most ~0.3 of their 4-grams.
"""

NUM_PERM = 128
SEED = 1405
THRESHOLD = 0.75
"""Estimated Jaccard similarity (of 4-gram sets) from which two comments are the same voice.

Two copies of a ~180-character campaign text that each had a word dropped, a word added and a name
appended share only 0.75–0.8 of their 4-grams, and the 128-permutation estimate has a standard error
of ~0.04 there: at 0.8, 5–7% of simulated campaigns split in two; at 0.75, 1%. Unrelated comments on
the same topic stay below 0.3, so the lower value costs no precision.
"""

LSH_BANDS, LSH_ROWS = 20, 6
"""MinHashLSH bands × rows, chosen for recall: candidates are confirmed by the Jaccard estimate.

datasketch's own choice for a 0.8 threshold (9 × 13) finds a pair of similarity 0.8 only 40% of the
time, which split campaigns in the tests; 20 × 6 finds it with probability ~1.0 and one of 0.7 with
0.92, while a pair of 0.3 (the most two unrelated comments on one topic share) becomes a candidate
with probability 0.014 and is then rejected by the estimate.
"""

MIN_FUZZY_LENGTH = 20
"""Normalised texts shorter than this group only when exactly equal."""

MAX_REPRESENTATIVES = 16
"""How many members of one group are kept in the LSH index at most."""

REDUNDANT_SIMILARITY = 0.9
"""A member this close to an indexed member adds nothing to the index."""

_DIACRITICS = {code: None for code in range(0x064B, 0x0660)} | {0x0670: None, 0x0640: None}
_SPACING = {0x200C: " ", ord("_"): " "}
_FOLD = str.maketrans(_DIACRITICS | _SPACING)
_NOT_WORD = re.compile(r"[^\w\s]+")


def normalise_for_grouping(text: str) -> str:
    """The form two comments are compared in: one spelling of letters and digits, no marks.

    Arabic ي/ك become Persian ی/ک, Persian and Arabic-Indic digits become ASCII, diacritics and
    tatweel go, the ZWNJ counts as a space, Latin is lower-cased, punctuation (Persian ، ؛ ؟ « »
    included) and symbols become spaces, and whitespace collapses to single spaces.
    """
    folded: str = digits.fa_to_en(digits.ar_to_fa(ar_to_fa(text)))
    folded = _NOT_WORD.sub(" ", folded.translate(_FOLD))
    return " ".join(folded.lower().split())


def shingles(normalised: str, size: int = SHINGLE_SIZE) -> list[bytes]:
    """Character n-grams of an already normalised text, as bytes for hashing."""
    # UTF-32 gives every character four bytes, so a byte slice is exactly one character n-gram.
    data = normalised.encode("utf-32-le")
    width = 4 * size
    if len(data) <= width:
        return [data]
    return [data[start : start + width] for start in range(0, len(data) - width + 1, 4)]


def _crc32(shingle: bytes) -> int:
    # CRC-32 is fast and deterministic across processes (unlike hash()); the affine32 MinHash
    # scheme mixes it with the MurmurHash3 finaliser before permuting.
    return zlib.crc32(shingle)


@dataclass(frozen=True, slots=True)
class _Representative:
    group_id: str
    sketch: LeanMinHash


class CommentGrouper:
    """Incremental grouping of the comments on one draft.

    A group's id is the id of its first comment and never changes. A comment joins the group of
    an earlier comment with the same normalised text, otherwise the group of the most similar
    indexed comment whose estimated Jaccard similarity is at least ``threshold``, otherwise it
    starts its own group. Groups are never merged afterwards, so ids stay stable.
    """

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM, seed: int = SEED) -> None:
        self._threshold = threshold
        self._prototype = MinHash(num_perm=num_perm, seed=seed, hashfunc=_crc32)
        self._lsh = MinHashLSH(num_perm=num_perm, params=(LSH_BANDS, LSH_ROWS))
        self._representatives: list[_Representative] = []
        self._indexed_per_group: dict[str, int] = {}
        self._exact: dict[bytes, str] = {}
        self._group_of: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}

    @classmethod
    def from_comments(
        cls,
        comments: Iterable[tuple[str, str]],
        threshold: float = THRESHOLD,
        num_perm: int = NUM_PERM,
        seed: int = SEED,
    ) -> CommentGrouper:
        """Rebuild the grouping from stored ``(comment_id, text)`` pairs, in their arrival order."""
        grouper = cls(threshold, num_perm, seed)
        for comment_id, text in comments:
            grouper.add(comment_id, text)
        return grouper

    def add(self, comment_id: str, text: str) -> str:
        """Place a comment in a group and return the group id; adding the same id again is a no-op."""
        known = self._group_of.get(comment_id)
        if known is not None:
            return known
        normalised = normalise_for_grouping(text)
        digest = hashlib.blake2b(normalised.encode(), digest_size=16).digest()
        group_id = self._exact.get(digest)
        if group_id is None:
            group_id = self._place(comment_id, normalised)
            self._exact[digest] = group_id
        self._group_of[comment_id] = group_id
        self._members.setdefault(group_id, []).append(comment_id)
        return group_id

    def groups(self) -> dict[str, list[str]]:
        """Group id → member ids, both in arrival order."""
        return {group_id: list(members) for group_id, members in self._members.items()}

    def group_of(self, comment_id: str) -> str | None:
        return self._group_of.get(comment_id)

    def size(self, group_id: str) -> int:
        return len(self._members.get(group_id, ()))

    def _place(self, comment_id: str, normalised: str) -> str:
        # Short texts have so few shingles that one changed letter swings the similarity wildly,
        # and short comments ("مخالفم", "موافق این طرح هستم") are independent opinions, not copies
        # of a campaign text: only the exact match above may group them.
        if len(normalised) < MIN_FUZZY_LENGTH:
            return comment_id
        sketch = self._prototype.copy()
        sketch.update_batch(shingles(normalised))
        best, similarity = self._best_match(sketch)
        group_id = comment_id if best is None else best.group_id
        if similarity < REDUNDANT_SIMILARITY:
            self._index(group_id, sketch)
        return group_id

    def _best_match(self, sketch: MinHash) -> tuple[_Representative | None, float]:
        best: _Representative | None = None
        best_similarity = 0.0
        # Sorted so that ties go to the earliest indexed comment whatever the set order.
        for key in sorted(self._lsh.query(sketch)):
            candidate = self._representatives[key]
            similarity = sketch.jaccard(candidate.sketch)
            if similarity >= self._threshold and similarity > best_similarity:
                best, best_similarity = candidate, similarity
        return best, best_similarity

    def _index(self, group_id: str, sketch: MinHash) -> None:
        indexed = self._indexed_per_group.get(group_id, 0)
        if indexed >= MAX_REPRESENTATIVES:
            return
        self._indexed_per_group[group_id] = indexed + 1
        self._lsh.insert(len(self._representatives), sketch, check_duplication=False)
        self._representatives.append(_Representative(group_id, LeanMinHash(sketch)))
