"""How many SMS parts a text costs: GSM-7 when every character fits, UCS-2 otherwise.

Empty text is 0 segments: nothing would be sent. Parts are packed greedily so that an escaped
GSM-7 character (two septets) or a UTF-16 surrogate pair is never split between two parts, which
is what handsets and gateways do; hence a long text may need one part more than `units / per_part`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION: Final = frozenset("^{}\\[]~|€\f")

GSM7_SINGLE: Final = 160
GSM7_PART: Final = 153
UCS2_SINGLE: Final = 70
UCS2_PART: Final = 67

Encoding = Literal["gsm7", "ucs2"]


@dataclass(frozen=True)
class SmsSize:
    encoding: Encoding
    units: int
    """Septets for GSM-7, UTF-16 code units for UCS-2."""
    segments: int
    per_segment: int
    """The capacity of one part: the single-message limit when the text fits in one, else the part limit."""


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _gsm7_widths(text: str) -> list[int]:
    return [2 if char in GSM7_EXTENSION else 1 for char in text]


def _ucs2_widths(text: str) -> list[int]:
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _parts(widths: Iterable[int], per_part: int) -> int:
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:
            parts, used = parts + 1, 0
        used += width
    return parts


def analyse(text: str) -> SmsSize:
    if is_gsm7(text):
        encoding: Encoding = "gsm7"
        widths, single, per_part = _gsm7_widths(text), GSM7_SINGLE, GSM7_PART
    else:
        encoding = "ucs2"
        widths, single, per_part = _ucs2_widths(text), UCS2_SINGLE, UCS2_PART
    units = sum(widths)
    if units == 0:
        return SmsSize(encoding, 0, 0, single)
    if units <= single:
        return SmsSize(encoding, units, 1, single)
    return SmsSize(encoding, units, _parts(widths, per_part), per_part)
