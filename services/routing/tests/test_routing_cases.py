from __future__ import annotations

import pytest

from contracts import RequestStatus
from routing.domain.cases import IllegalTransition, check_transition

S = RequestStatus

ALLOWED_STEPS = [
    (S.SUBMITTED, S.ROUTED),
    (S.ROUTED, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.ON_HOLD),
    (S.ON_HOLD, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.ROUTED, S.REJECTED),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.REOPENED),
    (S.CLOSED, S.REOPENED),
    (S.REOPENED, S.IN_PROGRESS),
]

ILLEGAL_STEPS = [
    (S.CLOSED, S.IN_PROGRESS),
    (S.CLOSED, S.RESOLVED),
    (S.RESOLVED, S.ROUTED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.SUBMITTED, S.RESOLVED),
    (S.SUBMITTED, S.CLOSED),
    (S.IN_PROGRESS, S.SUBMITTED),
    (S.IN_PROGRESS, S.CLOSED),
    (S.REOPENED, S.ROUTED),
]


@pytest.mark.parametrize(("current", "wanted"), ALLOWED_STEPS)
def test_allowed_steps_pass(current: RequestStatus, wanted: RequestStatus) -> None:
    check_transition(current, wanted)


@pytest.mark.parametrize(("current", "wanted"), ILLEGAL_STEPS)
def test_illegal_steps_raise(current: RequestStatus, wanted: RequestStatus) -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_transition(current, wanted)
    assert caught.value.current is current and caught.value.wanted is wanted


@pytest.mark.parametrize("status", list(RequestStatus))
def test_no_status_steps_to_itself(status: RequestStatus) -> None:
    with pytest.raises(IllegalTransition):
        check_transition(status, status)


@pytest.mark.parametrize("status", list(RequestStatus))
def test_nothing_goes_back_to_submitted(status: RequestStatus) -> None:
    with pytest.raises(IllegalTransition):
        check_transition(status, S.SUBMITTED)
