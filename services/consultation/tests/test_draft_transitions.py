import re
from datetime import UTC, datetime
from itertools import product

import pytest

from consultation.domain import DraftStatus, IllegalTransition, allowed_next, ensure_transition, start_draft

LEGAL = {
    (DraftStatus.DRAFT, DraftStatus.OPEN),
    (DraftStatus.OPEN, DraftStatus.CLOSED),
    (DraftStatus.CLOSED, DraftStatus.FINALIZED),
}
ILLEGAL = sorted(set(product(DraftStatus, DraftStatus)) - LEGAL)


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_each_step_forward_is_allowed(current: DraftStatus, target: DraftStatus) -> None:
    assert ensure_transition(current, target) is target


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_other_move_is_refused(current: DraftStatus, target: DraftStatus) -> None:
    with pytest.raises(IllegalTransition) as raised:
        ensure_transition(current, target)
    assert raised.value.current is current
    assert raised.value.target is target
    assert str(current) in str(raised.value)


def test_a_finalized_draft_goes_nowhere() -> None:
    assert allowed_next(DraftStatus.FINALIZED) == frozenset()


def test_a_new_draft_starts_unopened_at_version_one() -> None:
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    draft = start_draft(
        title_fa="عنوان", summary_fa="خلاصه", body_fa="متن", title_en=None, created_by="staff-1", now=now
    )
    assert draft.status is DraftStatus.DRAFT
    assert draft.version == 1
    assert re.fullmatch(r"d-[0-9a-f]{8}", draft.id)
    assert draft.created_at == draft.updated_at == now
    assert draft.opens_at is None
    assert draft.closes_at is None


def test_draft_ids_differ() -> None:
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    ids = {
        start_draft(title_fa="ع", summary_fa="خ", body_fa="م", title_en=None, created_by="s", now=now).id
        for _ in range(100)
    }
    assert len(ids) == 100
