"""E-mail through an SMTP server."""

from __future__ import annotations

import uuid
from email.message import EmailMessage

import aiosmtplib

from notify.ports import Outgoing, PermanentFailure, TemporaryFailure


class SmtpSender:
    name = "smtp"

    def __init__(
        self, host: str, port: int, sender: str, *, use_tls: bool = False, timeout: float = 10.0
    ) -> None:
        self._host = host
        self._port = port
        self._from = sender
        self._tls = use_tls
        self._timeout = timeout

    async def send(self, message: Outgoing) -> str:
        mail = EmailMessage()
        message_id = f"<{message.client_reference}@pishkhan>"
        mail["From"] = self._from
        mail["To"] = message.to
        mail["Subject"] = message.subject or "Pishkhan"
        mail["Message-ID"] = message_id
        mail.set_content(message.text)
        try:
            await aiosmtplib.send(
                mail, hostname=self._host, port=self._port, use_tls=self._tls, timeout=self._timeout
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure("the mail server refused the recipient") from error
        except aiosmtplib.SMTPResponseException as error:
            if 500 <= error.code < 600:
                raise PermanentFailure(f"the mail server refused the message ({error.code})") from error
            raise TemporaryFailure(f"the mail server answered {error.code}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"mail server unreachable: {type(error).__name__}") from error
        return message_id or str(uuid.uuid4())
