"""Names on the bus: the one exchange, every consumer queue and who publishes what.

Queues are named `<service>.<event>`; each one has a dead-letter queue `<queue>.dlq`.
"""

from dataclasses import dataclass

EVENTS_EXCHANGE = "pishkhan.events"
DEAD_LETTER_EXCHANGE = "pishkhan.dead-letter"


@dataclass(frozen=True)
class QueueSpec:
    service: str
    name: str
    event_type: str

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec("routing", "routing.request-submitted", "request.submitted.v1"),
    QueueSpec("intake", "intake.request-routed", "request.routed.v1"),
    QueueSpec("intake", "intake.request-status-changed", "request.status_changed.v1"),
    QueueSpec("intake", "intake.request-escalated", "request.escalated.v1"),
    QueueSpec("intake", "intake.request-deadline-changed", "request.deadline_changed.v1"),
    QueueSpec("intake", "intake.notification-delivered", "notification.delivered.v1"),
    QueueSpec("intake", "intake.notification-failed", "notification.failed.v1"),
    QueueSpec("notify", "notify.request-submitted", "request.submitted.v1"),
    QueueSpec("notify", "notify.request-routed", "request.routed.v1"),
    QueueSpec("notify", "notify.request-status-changed", "request.status_changed.v1"),
    QueueSpec("notify", "notify.consultation-opened", "consultation.opened.v1"),
    QueueSpec("notify", "notify.office-updated", "office.updated.v1"),
    QueueSpec("notify", "notify.consultation-closing-soon", "consultation.closing_soon.v1"),
    QueueSpec("notify", "notify.consultation-closed", "consultation.closed.v1"),
    QueueSpec("notify", "notify.consultation-finalized", "consultation.finalized.v1"),
    QueueSpec("notify", "notify.request-escalated", "request.escalated.v1"),
    QueueSpec("notify", "notify.request-sla-warning", "request.sla_warning.v1"),
    QueueSpec("notify", "notify.request-deadline-changed", "request.deadline_changed.v1"),
    QueueSpec("notify", "notify.unit-updated", "unit.updated.v1"),
)

PUBLISHES: dict[str, tuple[str, ...]] = {
    "intake": ("request.submitted.v1", "office.updated.v1"),
    "routing": (
        "request.routed.v1",
        "request.status_changed.v1",
        "request.escalated.v1",
        "request.deadline_changed.v1",
        "request.sla_warning.v1",
        "unit.updated.v1",
    ),
    "consultation": (
        "consultation.opened.v1",
        "consultation.closing_soon.v1",
        "consultation.closed.v1",
        "consultation.finalized.v1",
    ),
    "notify": ("notification.delivered.v1", "notification.failed.v1"),
}


def queue(name: str) -> QueueSpec:
    for spec in QUEUES:
        if spec.name == name:
            return spec
    raise KeyError(f"no queue named {name!r} in the topology")


def queues_of(service: str) -> tuple[QueueSpec, ...]:
    return tuple(spec for spec in QUEUES if spec.service == service)
