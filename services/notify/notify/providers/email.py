"""E-mail through an SMTP server: plain text with an HTML alternative, over STARTTLS or implicit TLS,
with the server's credentials when it asks for them.

How SMTP answers are taken (RFC 5321 reply codes; RFC 4954 for AUTH):
- no connection, a timeout, a dropped connection, any 4xx: temporary, retried;
- a recipient refused with 5xx (550 no such mailbox): permanent for this address;
- the message refused with 5xx (554 rejected, 552 too big): permanent for this message;
- credentials refused (535, 534 and 530 of AUTH), AUTH not offered, STARTTLS not offered, the
  server's certificate not trusted, our sender refused (5xx to MAIL FROM): technical, a configuration
  problem that no retry fixes and that is not the citizen's fault (454, a temporary AUTH failure, is
  retried).
"""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from typing import Literal

import aiosmtplib

from notify.ports import Outgoing, PermanentFailure, TechnicalFailure, TemporaryFailure
from notify.providers.email_html import render

Tls = Literal["none", "starttls", "tls"]
DEFAULT_SUBJECT = "Pishkhan"


class SmtpSender:
    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        tls: Tls = "none",
        username: str | None = None,
        password: str | None = None,
        ca_file: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        if username and tls == "none":
            raise ValueError(
                "NOTIFY_SMTP_USERNAME needs NOTIFY_SMTP_TLS=starttls or tls: no password in clear"
            )
        if bool(username) != bool(password):
            raise ValueError("NOTIFY_SMTP_USERNAME and NOTIFY_SMTP_PASSWORD go together")
        self._host = host
        self._port = port
        self._from = sender
        self._tls = tls
        self._username = username or None
        self._password = password or None
        self._context = ssl.create_default_context(cafile=ca_file) if tls != "none" else None
        self._timeout = timeout

    def compose(self, message: Outgoing) -> EmailMessage:
        """The mail as it goes out: text/plain first, then text/html (multipart/alternative)."""
        subject = message.subject or DEFAULT_SUBJECT
        mail = EmailMessage()
        mail["From"] = self._from
        mail["To"] = message.to
        mail["Subject"] = subject
        mail["Message-ID"] = f"<{message.client_reference}@pishkhan>"
        mail.set_content(message.text)
        mail.add_alternative(render(message.text, subject), subtype="html")
        return mail

    async def send(self, message: Outgoing) -> str:
        mail = self.compose(message)
        try:
            await aiosmtplib.send(
                mail,
                hostname=self._host,
                port=self._port,
                use_tls=self._tls == "tls",
                start_tls=self._tls == "starttls",  # never opportunistic: "none" means none
                tls_context=self._context,
                username=self._username,
                password=self._password,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPException as error:
            raise _failure(error) from error
        except ssl.SSLCertVerificationError as error:
            raise TechnicalFailure(
                f"the mail server's certificate is not trusted: {error.verify_message}"
            ) from error
        except OSError as error:
            raise TemporaryFailure(f"mail server unreachable: {type(error).__name__}") from error
        return str(mail["Message-ID"])


def _failure(error: aiosmtplib.SMTPException) -> Exception:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in error.recipients]
        if codes and all(code >= 500 for code in codes):
            return PermanentFailure(f"the mail server refused the recipient ({codes[0]})")
        return TemporaryFailure(f"the mail server deferred the recipient ({codes[0] if codes else '?'})")
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        if error.code == 454:
            return TemporaryFailure("the mail server could not check notify's credentials for now (454)")
        return TechnicalFailure(
            f"the mail server refused notify's credentials ({error.code}): "
            "check NOTIFY_SMTP_USERNAME and NOTIFY_SMTP_PASSWORD"
        )
    if "CERTIFICATE_VERIFY_FAILED" in str(error):  # implicit TLS: the handshake fails inside the connect
        return TechnicalFailure("the mail server's certificate is not trusted (NOTIFY_SMTP_CA_FILE?)")
    if isinstance(error, aiosmtplib.SMTPNotSupported) or "AUTH extension" in str(error):
        return TechnicalFailure(f"the mail server does not offer what the settings ask: {error}")
    if isinstance(
        error, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPTimeoutError
    ):
        return TemporaryFailure(f"mail server unreachable: {type(error).__name__}")
    if isinstance(error, aiosmtplib.SMTPSenderRefused) and error.code >= 500:
        return TechnicalFailure(f"the mail server refused notify's sender address ({error.code})")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        if 500 <= error.code < 600:
            return PermanentFailure(f"the mail server refused the message ({error.code})")
        return TemporaryFailure(f"the mail server answered {error.code}")
    if "STARTTLS" in str(error):  # aiosmtplib: "SMTP STARTTLS extension not supported by server."
        return TechnicalFailure("the mail server does not offer STARTTLS (NOTIFY_SMTP_TLS=starttls)")
    return TemporaryFailure(f"mail server trouble: {type(error).__name__}")
