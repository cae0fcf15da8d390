"""Pishkhan's event contracts, shared by every service and owned by none."""

from contracts.envelope import Envelope, EventPayload, envelope_of
from contracts.events import (
    EVENT_TYPES,
    CitizenContact,
    CommenterToTell,
    ConsultationClosedV1,
    ConsultationClosingSoonV1,
    ConsultationFinalizedV1,
    ConsultationOpenedV1,
    GeoPoint,
    NotificationDeliveredV1,
    NotificationFailedV1,
    OfficeUpdatedV1,
    RequestDeadlineChangedV1,
    RequestEscalatedV1,
    RequestRoutedV1,
    RequestStatusChangedV1,
    RequestSubmittedV1,
)
from contracts.vocabulary import Channel, Language, RequestCategory, RequestStatus

__all__ = [
    "EVENT_TYPES",
    "Channel",
    "CitizenContact",
    "CommenterToTell",
    "ConsultationClosedV1",
    "ConsultationClosingSoonV1",
    "ConsultationFinalizedV1",
    "ConsultationOpenedV1",
    "Envelope",
    "EventPayload",
    "GeoPoint",
    "Language",
    "NotificationDeliveredV1",
    "NotificationFailedV1",
    "OfficeUpdatedV1",
    "RequestCategory",
    "RequestDeadlineChangedV1",
    "RequestEscalatedV1",
    "RequestRoutedV1",
    "RequestStatus",
    "RequestStatusChangedV1",
    "RequestSubmittedV1",
    "envelope_of",
]
