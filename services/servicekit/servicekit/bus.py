"""RabbitMQ through FastStream: one topic exchange, a quorum queue per consumer, dead letters.

A handler that raises is retried (nack + requeue, with a short back-off) until its
attempt reaches the delivery limit; then the message goes to `<queue>.dlq` with the
reason in its headers and the original is acked. A message that is not an event of its
queue (not JSON, not UTF-8, not an envelope, another event type, another content type,
empty or oversized) goes there at once: the body reaches `_deliver` undecoded, so nothing
can raise before the bus decides, and every delivery ends in exactly one of ack, nack with
requeue, or dead letter. The queue's own `x-delivery-limit` is the backstop for a process
that dies while handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from faststream.rabbit import Channel, ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from faststream.rabbit.publisher import RabbitPublisher
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry

from contracts import EVENT_TYPES, Envelope, EventPayload, envelope_of
from contracts.topology import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, PUBLISHES, QUEUES, QueueSpec, queue
from servicekit.context import correlation_id_var
from servicekit.delivery import DeadLetter, Unreadable, after_failure, attempt_of, read_envelope
from servicekit.faults import NO_FAULTS, Faults
from servicekit.settings import ServiceSettings
from servicekit.store import StoreUnavailable
from servicekit.tracing import mark_current_span

log = logging.getLogger("servicekit.bus")

Handler = Callable[[Envelope[Any]], Awaitable[None]]
ERROR_HEADER = "x-pishkhan-error"
QUEUE_HEADER = "x-pishkhan-queue"
ATTEMPTS_HEADER = "x-pishkhan-attempts"
# Every service declares every queue, so the arguments must not depend on one's settings.
BACKSTOP_DELIVERY_LIMIT = 20
# A handler that finds its store away waits this long and tries again, spending no attempt.
STORE_WAIT_SECONDS = 1.0
# On SIGTERM, handlers in flight get this long to finish (after HTTP's own drain, within the
# ten seconds a service promises to stop in); the rest are cancelled and their messages go back
# to the queue with the closed channel, for the next process.
STOP_GRACE_SECONDS = 5.0


async def undecoded(message: StreamMessage[Any]) -> bytes:
    """FastStream's decoder for our subscribers: the bus reads the body itself."""
    return message.body


def events_exchange() -> RabbitExchange:
    return RabbitExchange(EVENTS_EXCHANGE, type=ExchangeType.TOPIC, durable=True)


def dead_letter_exchange() -> RabbitExchange:
    return RabbitExchange(DEAD_LETTER_EXCHANGE, type=ExchangeType.DIRECT, durable=True)


def consumer_queue(spec: QueueSpec) -> RabbitQueue:
    return RabbitQueue(
        spec.name,
        queue_type=QueueType.QUORUM,
        durable=True,
        routing_key=spec.event_type,
        arguments={
            # the backstop sits above our own limit, which dead-letters with a reason
            "x-delivery-limit": BACKSTOP_DELIVERY_LIMIT,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": spec.name,
        },
    )


def dead_letter_queue(spec: QueueSpec) -> RabbitQueue:
    return RabbitQueue(
        spec.dead_letter_queue, queue_type=QueueType.QUORUM, durable=True, routing_key=spec.name
    )


def _middlewares(
    service: str, registry: CollectorRegistry | None, tracer_provider: TracerProvider | None
) -> list[Any]:
    middlewares: list[Any] = []
    if tracer_provider is not None:
        middlewares.append(RabbitTelemetryMiddleware(tracer_provider=tracer_provider))
    if registry is not None:
        middlewares.append(
            RabbitPrometheusMiddleware(registry=registry, app_name=service, metrics_prefix="pishkhan")
        )
    return middlewares


class Bus:
    """A service's view of the bus: the events it may publish and the queues it consumes."""

    def __init__(
        self,
        settings: ServiceSettings,
        service: str,
        metrics_registry: CollectorRegistry | None = None,
        tracer_provider: TracerProvider | None = None,
        faults: Faults = NO_FAULTS,
    ) -> None:
        self.service = service
        self.faults = faults
        self.delivery_limit = settings.delivery_limit
        self.not_yet_limit = settings.not_yet_attempts
        self.broker = RabbitBroker(
            settings.amqp_url,
            default_channel=Channel(prefetch_count=settings.prefetch, publisher_confirms=True),
            reconnect_interval=1.0,
            timeout=10.0,  # a connection attempt that hangs is given up and tried again
            graceful_timeout=STOP_GRACE_SECONDS,
            logger=logging.getLogger(f"{service}.broker"),
            log_level=logging.DEBUG,
            app_id=service,
            middlewares=_middlewares(service, metrics_registry, tracer_provider),
        )
        self._events = events_exchange()
        self._dead_letters = dead_letter_exchange()
        self._publishers: dict[str, RabbitPublisher] = {
            event_type: self.broker.publisher(
                exchange=self._events,
                routing_key=event_type,
                persist=True,
                title=event_type,
                schema=envelope_of(EVENT_TYPES[event_type]),
            )
            for event_type in PUBLISHES.get(service, ())
        }
        self._dead_letter_publishers: dict[str, RabbitPublisher] = {}
        self.consumed: dict[str, Handler] = {}
        self._stopping = False
        self._in_flight: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        await self.broker.connect()
        await self.declare_topology()
        await self.broker.start()

    async def stop(self) -> None:
        """Stop consuming; handlers in flight finish and ack within `STOP_GRACE_SECONDS`, and
        those still running then are cancelled: their messages return to the queue unacked."""
        self._stopping = True
        try:
            await asyncio.wait_for(self.broker.stop(), STOP_GRACE_SECONDS + 2.0)
        except TimeoutError:
            log.warning("the broker connection did not close in time; the process exits anyway")
        stuck = [task for task in self._in_flight if not task.done()]
        for task in stuck:
            task.cancel()
        if stuck:
            log.warning("cancelled %d handler(s) still running at shutdown", len(stuck))
            await asyncio.wait(stuck, timeout=1.0)

    async def ready(self) -> bool:
        return await self.broker.ping(timeout=2.0)

    async def declare_topology(self) -> None:
        """Declare every queue of the system, so no event is unroutable before its consumer first runs."""
        events = await self.broker.declare_exchange(self._events)
        dead_letters = await self.broker.declare_exchange(self._dead_letters)
        for spec in QUEUES:
            consumer = await self.broker.declare_queue(consumer_queue(spec))
            await consumer.bind(events, routing_key=spec.event_type)
            dlq = await self.broker.declare_queue(dead_letter_queue(spec))
            await dlq.bind(dead_letters, routing_key=spec.name)

    async def publish(self, envelope: dict[str, Any]) -> None:
        """Publish one stored envelope and wait for the broker's confirm."""
        publisher = self._publishers.get(envelope["type"])
        if publisher is None:
            raise LookupError(f"{self.service} does not publish {envelope['type']}")
        await publisher.publish(
            envelope,
            correlation_id=envelope["correlation_id"],
            message_id=str(envelope["event_id"]),
            content_type="application/json",
        )

    def consume(self, queue_name: str, handler: Handler) -> None:
        spec = queue(queue_name)
        if spec.service != self.service:
            raise ValueError(f"{queue_name} belongs to {spec.service}, not {self.service}")
        envelope_model = envelope_of(EVENT_TYPES[spec.event_type])
        self.consumed[queue_name] = handler
        self._dead_letter_publishers[queue_name] = self.broker.publisher(
            exchange=self._dead_letters,
            routing_key=spec.name,
            persist=True,
            title=spec.dead_letter_queue,
            include_in_schema=False,
        )

        @self.broker.subscriber(
            consumer_queue(spec),
            self._events,
            ack_policy=AckPolicy.MANUAL,
            decoder=undecoded,
            no_reply=True,
            title=spec.name,
        )
        async def on_message(message: RabbitMessage) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.add(task)
            try:
                await self._deliver(spec, envelope_model, handler, message)
            finally:
                self._in_flight.discard(task)  # type: ignore[arg-type]

    def check_consumes_its_topology(self) -> None:
        expected = {spec.name for spec in QUEUES if spec.service == self.service}
        missing = expected - set(self.consumed)
        if missing:
            raise RuntimeError(f"{self.service} has no handler for {sorted(missing)}")

    async def _deliver(
        self,
        spec: QueueSpec,
        envelope_model: type[Envelope[EventPayload]],
        handler: Handler,
        message: RabbitMessage,
    ) -> None:
        headers = dict(message.headers or {})
        try:
            envelope = read_envelope(spec, envelope_model, message.body, message.content_type)
        except Unreadable as error:
            log.error("dead-lettering an unreadable message from %s: %s", spec.name, str(error)[:200])
            await self._dead_letter(spec, message, str(error)[:1000], attempt_of(headers))
            return
        token = correlation_id_var.set(envelope.correlation_id)
        mark_current_span(envelope.correlation_id)
        try:
            await self.faults.before_handling(message.body)
            await self._handle_when_store_answers(spec, handler, envelope)
        except StoreUnavailable:  # only while stopping: back to the queue, no attempt spent
            await message.nack(requeue=True)
            return
        except asyncio.CancelledError:  # stopped past the grace period: another consumer takes it
            with contextlib.suppress(Exception):
                await asyncio.shield(message.nack(requeue=True))
            raise
        except Exception as error:
            attempt = attempt_of(headers)
            decision = after_failure(attempt, self.delivery_limit, error, self.not_yet_limit)
            if isinstance(decision, DeadLetter):
                log.error("dead-lettering %s from %s: %s", envelope.event_id, spec.name, decision.reason)
                await self._dead_letter(spec, message, decision.reason, attempt)
            else:
                log.warning(
                    "retrying %s on %s (attempt %d): %r", envelope.event_id, spec.name, attempt, error
                )
                await asyncio.sleep(decision.delay)
                await message.nack(requeue=True)
            return
        finally:
            correlation_id_var.reset(token)
        await message.ack()

    async def _handle_when_store_answers(
        self, spec: QueueSpec, handler: Handler, envelope: Envelope[Any]
    ) -> None:
        """A store outage is not the message's fault: hold it and try again, spending no attempt."""
        while True:
            try:
                await handler(envelope)
                return
            except StoreUnavailable as error:
                if self._stopping:
                    raise
                log.warning("store away while handling %s on %s: %r", envelope.event_id, spec.name, error)
                await asyncio.sleep(STORE_WAIT_SECONDS)

    async def _dead_letter(self, spec: QueueSpec, message: RabbitMessage, reason: str, attempt: int) -> None:
        headers = {key: value for key, value in (message.headers or {}).items() if not key.startswith("x-")}
        headers |= {ERROR_HEADER: reason, QUEUE_HEADER: spec.name, ATTEMPTS_HEADER: attempt}
        await self._dead_letter_publishers[spec.name].publish(
            message.body,
            headers=headers,
            correlation_id=message.correlation_id,
            message_id=message.message_id,
            content_type=message.content_type or "",
        )
        await message.ack()
