"""Fault injection for the fault campaign and the process tests; inert unless configured.

Every fault is keyed on a marker: only a message whose body contains the marker is
touched, so a service running with no `<SERVICE>_FAULT_*` variable, or with a marker no
real request carries, behaves exactly as without this module. A marker shorter than 16
characters is refused at start, so a stray short value cannot poison ordinary traffic.

- `<SERVICE>_FAULT_POISON_MARKER`: a consumer raises on such a message (every attempt),
  so it ends in its dead-letter queue with the reason.
- `<SERVICE>_FAULT_SLOW_MARKER` and `<SERVICE>_FAULT_SLOW_SECONDS`: a consumer sleeps
  that long before handling such a message.
- `<SERVICE>_FAULT_CRASH_MARKER`: the process exits right after the store write of such
  an event, before publishing it (the outbox relay).
- `<SERVICE>_FAULT_JOB_FILE`: a background job whose name is a line of that file raises at
  each run while it is (the file is read at every run; no file, no fault).
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("servicekit.faults")

MIN_MARKER = 16


class InjectedFault(RuntimeError):
    """Raised by a consumer on a poison message."""


class Faults(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    fault_poison_marker: str | None = Field(default=None, min_length=MIN_MARKER)
    fault_slow_marker: str | None = Field(default=None, min_length=MIN_MARKER)
    fault_slow_seconds: float = Field(default=0.0, ge=0.0, le=60.0)
    fault_crash_marker: str | None = Field(default=None, min_length=MIN_MARKER)
    fault_job_file: Path | None = None

    @classmethod
    def of(cls, service: str) -> Faults:
        """Read `<SERVICE>_FAULT_*` from the environment (at app construction, never at import)."""
        faults = cls(_env_prefix=f"{service.upper()}_")  # type: ignore[call-arg]
        if faults.active:
            log.warning("fault injection is configured for %s: not for production", service)
        return faults

    @property
    def active(self) -> bool:
        return bool(
            self.fault_poison_marker
            or self.fault_slow_marker
            or self.fault_crash_marker
            or self.fault_job_file
        )

    async def before_handling(self, body: bytes) -> None:
        """Sleep on a slow message, raise on a poison one; nothing otherwise."""
        if self.fault_slow_marker and self.fault_slow_marker.encode() in body:
            await asyncio.sleep(self.fault_slow_seconds)
        if self.fault_poison_marker and self.fault_poison_marker.encode() in body:
            raise InjectedFault(f"poison message (marker {self.fault_poison_marker})")

    def before_job(self, name: str) -> None:
        """Raise if the job file names this job."""
        if self.fault_job_file is None:
            return
        try:
            named = self.fault_job_file.read_text().split()
        except FileNotFoundError:
            return
        if name in named:
            raise InjectedFault(f"job {name} made to fail ({self.fault_job_file})")

    def crashes_on(self, events: object) -> bool:
        """Whether staged events carry the crash marker (the process then exits before publishing)."""
        if not self.fault_crash_marker:
            return False
        return self.fault_crash_marker in json.dumps(events, default=str, ensure_ascii=False)


NO_FAULTS = Faults.model_construct()  # no environment read
