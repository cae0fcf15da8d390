"""What the use cases report besides a domain refusal."""

from __future__ import annotations

from consultation.domain.errors import DomainError


class Missing(DomainError):
    def __init__(self, what: str) -> None:
        super().__init__(f"no {what}")
        self.what = what


class LostRace(DomainError):
    """Another writer changed the record between our read and our conditional write."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"{subject} was changed by someone else at the same moment; read it again")
