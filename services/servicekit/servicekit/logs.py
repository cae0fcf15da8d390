"""JSON logs with the correlation id, and a filter that masks personal data in every line."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from servicekit.context import correlation_id_var

# Not inside a longer token (a UUID, a hex id): those are identifiers, not personal data.
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+98|0098|0)?9[0-9]{2}([0-9]{4})([0-9]{3})(?![0-9A-Za-z])")
_NATIONAL_ID = re.compile(r"(?<![0-9A-Za-z])[0-9]{10}(?![0-9A-Za-z])")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def mask_personal_data(text: str) -> str:
    """Mobiles keep their last three digits, e-mails their first letter and domain.

    Numbers typed in Persian or Arabic-Indic digits are found too: the patterns run on
    an ASCII-digit copy (one character for one), and the spans are masked in the original.
    """
    ascii_text = text.translate(_TO_ASCII)
    spans: list[tuple[int, int, str]] = []
    for match in _MOBILE.finditer(ascii_text):
        spans.append((match.start(), match.end(), f"+98*******{match.group(2)}"))
    masked = _replace(text, spans)
    ascii_masked = masked.translate(_TO_ASCII)
    ids = [(m.start(), m.end(), "**********") for m in _NATIONAL_ID.finditer(ascii_masked)]
    return _EMAIL.sub(r"\1***@\2", _replace(masked, ids))


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in reversed(spans):
        text = text[:start] + replacement + text[end:]
    return text


def mask_mobile(e164: str) -> str:
    return mask_personal_data(e164)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
            "correlation_id": correlation_id_var.get(),
        }
        if record.exc_info:
            line["exc"] = mask_personal_data(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(PersonalDataFilter())
    if as_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "aiormq", "aio_pika", "pymongo"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
