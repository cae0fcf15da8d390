"""The notify service, wired: settings, store, bus, inbox, outbox, channels, retry watch and API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from contracts import Channel
from notify.api import ROUTERS
from notify.consumers import register_consumers
from notify.delivery_reports import DeliveryReports
from notify.digest import OverdueDigest
from notify.dispatch import Dispatcher, RetryPolicy
from notify.metrics import NotificationCensus
from notify.ports import NOTIFICATIONS, Sender
from notify.providers import HttpSmsProvider, KavenegarSms, LogSmsProvider, SmsIrSms, SmtpSender
from notify.providers.kavenegar import BASE_URL as KAVENEGAR_URL
from notify.providers.limits import RateLimited, Windows, budget
from notify.providers.receipts import StatusLookup
from notify.providers.smsir import BASE_URL as SMSIR_URL
from notify.providers.webhook import WebhookSender
from notify.service import Notifier
from notify.settings import NotifySettings
from notify.staff import StaffAlerts
from notify.store import INDEXES, MongoRepository
from notify.store.operations import Operations
from notify.store.rates import RATE_INDEXES, StoreWindows
from notify.store.staff import STAFF_INDEXES, StaffStore
from notify.store.templates import TEMPLATE_INDEXES, TemplateStore
from notify.watch import RetryWatch
from servicekit.app import (
    lifecycle_of,
    new_app,
    setup_bus,
    setup_health,
    setup_inbox,
    setup_job,
    setup_outbox,
    setup_store,
)
from servicekit.ratelimit import RateLimiter

RATE_WINDOWS_KEPT = timedelta(minutes=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


def senders(settings: NotifySettings, windows: Windows | None = None) -> dict[Channel, Sender]:
    """`windows` counts the SMS rate across processes; without it, this process counts alone.
    Each gateway holds one pooled HTTP client until `close_senders` (the app's stop)."""
    chosen: dict[Channel, Sender] = {
        Channel.SMS: RateLimited(sms_sender(settings), settings.sms_rate_per_second, windows)
    }
    secrets = {ref: secret.get_secret_value() for ref, secret in settings.webhook_secrets.items()}
    chosen[Channel.WEBHOOK] = WebhookSender(secrets, timeout=settings.webhook_timeout_seconds)
    if settings.smtp_host:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        chosen[Channel.EMAIL] = SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            tls=settings.smtp_tls,
            username=settings.smtp_username,
            password=password,
            ca_file=settings.smtp_ca_file,
            timeout=settings.smtp_timeout_seconds,
        )
    return chosen


def sms_sender(settings: NotifySettings) -> Sender:
    """The gateway `NOTIFY_SMS_PROVIDER` names; a missing setting stops the service at start."""
    timeout = settings.sms_timeout_seconds
    key = settings.sms_api_key.get_secret_value()
    if settings.sms_provider == "kavenegar":
        base = settings.sms_base_url or KAVENEGAR_URL
        return KavenegarSms(key, settings.sms_sender, base_url=base, timeout=timeout)
    if settings.sms_provider == "smsir":
        base = settings.sms_base_url or SMSIR_URL
        return SmsIrSms(key, settings.sms_sender, base_url=base, timeout=timeout)
    if settings.sms_provider == "http":
        if not settings.sms_http_url:
            raise ValueError("NOTIFY_SMS_HTTP_URL is needed with NOTIFY_SMS_PROVIDER=http")
        return HttpSmsProvider(
            settings.sms_http_url,
            settings.sms_http_api_key.get_secret_value(),
            settings.sms_sender,
            key_header=settings.sms_http_key_header,
            timeout=timeout,
        )
    return LogSmsProvider()


async def close_senders(chosen: Mapping[Channel, Sender]) -> None:
    """Close every pooled client (a paced gateway's own, inside its `RateLimited`)."""
    for sender in chosen.values():
        inner = sender.inner if isinstance(sender, RateLimited) else sender
        close = getattr(inner, "aclose", None)
        if close is not None:
            await close()


def status_lookup(sender: Sender) -> StatusLookup | None:
    """The gateway behind `sender` if it can be asked for delivery reports (Kavenegar, sms.ir)."""
    inner = sender.inner if isinstance(sender, RateLimited) else sender
    return inner if isinstance(inner, KavenegarSms | SmsIrSms) else None


def retry_policy(settings: NotifySettings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.delivery_limit,
        base=timedelta(seconds=settings.retry_base_seconds),
        cap=timedelta(seconds=settings.retry_cap_seconds),
        lease=timedelta(seconds=settings.send_lease_seconds),
    )


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()  # type: ignore[call-arg]
    app = new_app(
        "notify",
        settings,
        title="Pishkhan notify",
        description="Tells citizens and subscribers what happened, once per event, recipient and channel.",
    )
    store = setup_store(app, settings, (*INDEXES, *TEMPLATE_INDEXES, *RATE_INDEXES, *STAFF_INDEXES))
    bus = setup_bus(app, settings)
    inbox = setup_inbox(app, store)
    outbox = setup_outbox(app, store, bus, [NOTIFICATIONS])
    setup_health(app)

    repository = MongoRepository(store)
    template_store = TemplateStore(store)
    app.state.repository = repository
    app.state.templates = template_store
    app.state.subscriptions = repository.subscription_store
    windows = StoreWindows(store)
    kept = max(RATE_WINDOWS_KEPT, timedelta(seconds=2 * budget(settings.sms_rate_per_second).seconds))
    channels = senders(settings, windows)
    dispatcher = Dispatcher(repository, channels, outbox, retry_policy(settings), utc_now)

    async def close_channels() -> None:
        await close_senders(channels)

    lifecycle_of(app).on_stop(close_channels)  # after the jobs below stop: they stop first
    notifier = Notifier(
        repository,
        dispatcher,
        template_store,
        tracking_url=settings.tracking_url,
        public_url=settings.base_url,
        retention=timedelta(days=settings.contact_retention_days),
        quiet=(settings.quiet_hours_start, settings.quiet_hours_end),
        fanout_batch=settings.fanout_batch_size,
    )
    app.state.notifier = notifier
    app.state.subscribe_limiter = RateLimiter()
    operations = Operations(store, outbox)
    app.state.operations = operations
    census = NotificationCensus(
        store.collection(NOTIFICATIONS),
        app.state.metrics.registry,
        timedelta(seconds=settings.census_seconds),
    )

    async def housekeeping(now: datetime) -> None:
        await windows.forget_before(now - kept)
        await census(now)

    async def erase_contacts() -> int:
        return await operations.erase_due(utc_now())

    watch = RetryWatch(repository, dispatcher, utc_now, housekeeping=housekeeping)

    async def seed_templates() -> None:
        await template_store.seed()

    lifecycle_of(app).on_start(seed_templates)
    setup_job(app, "notify-retry-watch", watch.tick, settings.retry_scan_seconds)
    setup_job(app, "notify-contact-retention", erase_contacts, settings.retention_scan_seconds)
    lookup = status_lookup(channels[Channel.SMS])
    if lookup is not None and settings.receipt_poll_seconds > 0:
        every = timedelta(seconds=settings.receipt_poll_seconds)
        reports = DeliveryReports(repository, lookup, operations.receipt, utc_now, every)
        setup_job(app, "notify-delivery-reports", reports.tick, settings.receipt_poll_seconds)
    register_consumers(bus, inbox, notifier, setup_staff_alerts(app, StaffStore(store), notifier))
    for router in ROUTERS:
        app.include_router(router)
    return app


def setup_staff_alerts(app: FastAPI, directory: StaffStore, notifier: Notifier) -> StaffAlerts:
    """Units' contacts hear of SLA warnings and escalations, and get the daily overdue digest."""
    settings: NotifySettings = app.state.settings
    digest = OverdueDigest(
        directory,
        notifier.create,
        console_url=settings.console_base_url,
        hour=settings.digest_hour,
        clock=utc_now,
    )
    setup_job(app, "notify-overdue-digest", digest.tick, settings.digest_scan_seconds)
    return StaffAlerts(directory, notifier.create, console_url=settings.console_base_url)
