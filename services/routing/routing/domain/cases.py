"""A case is a request as a unit works on it; its status moves only along allowed steps."""

from __future__ import annotations

from contracts import RequestStatus

S = RequestStatus

ALLOWED: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.SUBMITTED: frozenset({S.ROUTED, S.REJECTED}),
    S.ROUTED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.REJECTED}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.RESOLVED, S.REJECTED}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS, S.RESOLVED, S.REJECTED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.REJECTED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.REJECTED}),
}


class IllegalTransition(ValueError):
    def __init__(self, current: RequestStatus, wanted: RequestStatus) -> None:
        super().__init__(f"a case that is {current} cannot become {wanted}")
        self.current = current
        self.wanted = wanted


def check_transition(current: RequestStatus, wanted: RequestStatus) -> None:
    if wanted not in ALLOWED[current]:
        raise IllegalTransition(current, wanted)
