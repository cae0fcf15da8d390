"""OpenTelemetry tracing, off unless configured: HTTP requests (FastAPI) and bus messages
(FastStream) join one trace per request as it crosses services; spans carry the
`correlation_id` so traces and logs meet."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span

from servicekit.context import correlation_id_var
from servicekit.settings import ServiceSettings

CORRELATION_ATTRIBUTE = "pishkhan.correlation_id"


def mark_current_span(correlation_id: str) -> None:
    """Stamp the span already open (HTTP server span, message processing span) too."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attribute(CORRELATION_ATTRIBUTE, correlation_id)


class CorrelationSpanProcessor(SpanProcessor):
    """Stamps every span started while a request or event is handled with its correlation id."""

    def on_start(self, span: Span, parent_context: object = None) -> None:  # type: ignore[override]
        correlation_id = correlation_id_var.get()
        if correlation_id:
            span.set_attribute(CORRELATION_ATTRIBUTE, correlation_id)


def tracer_provider(service: str, settings: ServiceSettings, *extra: SpanProcessor) -> TracerProvider | None:
    """A provider exporting over OTLP/HTTP when tracing is on; None when it is off."""
    if not settings.tracing_enabled:
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": f"pishkhan-{service}"}))
    provider.add_span_processor(CorrelationSpanProcessor())
    if settings.otlp_endpoint:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint)))
    for processor in extra:
        provider.add_span_processor(processor)
    return provider


def instrument_http(app: FastAPI, provider: TracerProvider | None) -> None:
    if provider is not None:
        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics"
        )
