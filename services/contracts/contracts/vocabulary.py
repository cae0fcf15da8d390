"""Shared words of the domain that travel in events."""

from enum import StrEnum


class RequestCategory(StrEnum):
    """The kinds of citizen contact the municipality's 137 line distinguishes."""

    REQUEST = "request"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    CRITICISM = "criticism"
    APPRECIATION = "appreciation"


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    ROUTED = "routed"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    CLOSED = "closed"
    REOPENED = "reopened"


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    WEBHOOK = "webhook"
    NONE = "none"


class Language(StrEnum):
    FA = "fa"
    EN = "en"
