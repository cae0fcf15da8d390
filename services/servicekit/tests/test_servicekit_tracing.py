from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from faststream.rabbit import TestRabbitBroker
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from contracts import Envelope, RequestRoutedV1
from intake.settings import IntakeSettings
from servicekit.app import new_app
from servicekit.bus import Bus, events_exchange
from servicekit.tracing import CORRELATION_ATTRIBUTE, tracer_provider


def test_tracing_is_off_unless_configured(settings: IntakeSettings) -> None:
    assert tracer_provider("intake", settings) is None


def test_http_spans_carry_the_correlation_id(settings: IntakeSettings) -> None:
    exporter = InMemorySpanExporter()
    traced = settings.model_copy(update={"tracing_enabled": True})
    app = new_app(
        "intake", traced, title="t", description="d", trace_processors=[SimpleSpanProcessor(exporter)]
    )

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"ok": "yes"}

    response = TestClient(app).get("/ping", headers={"X-Correlation-ID": "corr-42"})
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    assert spans
    assert any(span.attributes and span.attributes.get(CORRELATION_ATTRIBUTE) == "corr-42" for span in spans)


async def test_a_published_event_and_its_handling_share_one_trace(settings: IntakeSettings) -> None:
    exporter = InMemorySpanExporter()
    traced = settings.model_copy(update={"tracing_enabled": True})
    provider = tracer_provider("intake", traced, SimpleSpanProcessor(exporter))
    handled: list[Envelope[Any]] = []

    async def handler(envelope: Envelope[Any]) -> None:
        handled.append(envelope)

    example = RequestRoutedV1.model_json_schema()["examples"][0]
    envelope = Envelope.wrap(
        RequestRoutedV1.model_validate(example), producer="routing", correlation_id="c-7"
    )
    intake_bus = Bus(traced, "intake", tracer_provider=provider)
    intake_bus.consume("intake.request-routed", handler)
    async with TestRabbitBroker(intake_bus.broker):
        await intake_bus.broker.publish(
            envelope.to_document(), exchange=events_exchange(), routing_key="request.routed.v1"
        )
    assert handled
    assert handled[0].event_id == envelope.event_id
    spans = exporter.get_finished_spans()
    assert {span.kind.name for span in spans} >= {"PRODUCER", "CONSUMER"}
    assert len({span.context.trace_id for span in spans if span.context}) == 1
    assert any(span.attributes and span.attributes.get(CORRELATION_ATTRIBUTE) == "c-7" for span in spans)
