"""E-mail over STARTTLS and implicit TLS to an aiosmtpd server that requires AUTH, with a throwaway
self-signed certificate made here: both parts arrive, wrong credentials and TLS trouble say so."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notify.ports import Outgoing, TechnicalFailure
from notify.providers import SmtpSender
from notify.providers.email_html import render

from .test_providers import free_port
from .test_sms_gateways import settings

pytestmark = [
    pytest.mark.unit,
    # aiosmtpd's own: its implicit-TLS server cannot tell that AUTH runs inside TLS, and it reads a
    # deprecated attribute of its own session
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning"),
]

USER, PASSWORD = "notify@pishkhan.example", "s3cret-smtp"
TEXT = "درخواست شما ثبت شد.\nکد پیگیری: 140312345678\nپیگیری: https://pishkhan.example/track?code=140312345678&lang=fa"
MAIL = Outgoing("citizen@example.org", TEXT, "n-7", subject="ثبت شد")


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1, valid for an hour: it is its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("smtp-tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return Certificate(folder / "cert.pem", folder / "key.pem")


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.logins: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        self.logins.append(session.auth_data.login)
        return "250 OK"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    # not handled: aiosmtpd answers 535 itself; auth_data: the session keeps who logged in
    return AuthResult(success=good, handled=False, auth_data=auth_data)


@pytest.fixture(params=["starttls", "tls"])
def server(request: pytest.FixtureRequest, certificate: Certificate) -> Iterator[tuple[str, Mailbox, int]]:
    """aiosmtpd requiring AUTH: STARTTLS on a plain port (587's way) or TLS from the start (465's)."""
    mode: str = request.param
    mailbox, port = Mailbox(), free_port()
    tls: dict[str, Any] = (
        {"tls_context": certificate.server_context(), "require_starttls": True, "auth_require_tls": True}
        if mode == "starttls"
        else {"ssl_context": certificate.server_context(), "auth_require_tls": False}
    )
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_required=True, **tls
    )
    controller.start()
    try:
        yield mode, mailbox, port
    finally:
        controller.stop()


def sender(mode: str, port: int, certificate: Certificate | None, password: str = PASSWORD) -> SmtpSender:
    return SmtpSender(
        "127.0.0.1",
        port,
        "pishkhan@example.org",
        tls=mode,  # type: ignore[arg-type]
        username=USER,
        password=password,
        ca_file=str(certificate.cert) if certificate else None,
        timeout=5,
    )


async def test_an_authenticated_mail_arrives_as_text_with_an_rtl_html_alternative(
    server: tuple[str, Mailbox, int], certificate: Certificate
) -> None:
    mode, mailbox, port = server
    message_id = await sender(mode, port, certificate).send(MAIL)
    [mail] = mailbox.messages
    assert mailbox.logins == [USER.encode()]
    assert mail["Message-ID"] == message_id == "<n-7@pishkhan>"
    assert mail.get_content_type() == "multipart/alternative"
    plain, html = (part for part in mail.walk() if not part.is_multipart())
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_payload(decode=True).decode().splitlines() == TEXT.splitlines()  # type: ignore[union-attr]
    page = html.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert '<html lang="fa" dir="rtl">' in page
    assert "کد پیگیری: 140312345678<br>" in page
    link = "https://pishkhan.example/track?code=140312345678&amp;lang=fa"
    assert f'<a href="{link}" dir="ltr">{link}</a>' in page


async def test_wrong_credentials_are_a_configuration_problem_not_retried(
    server: tuple[str, Mailbox, int], certificate: Certificate
) -> None:
    mode, mailbox, port = server
    with pytest.raises(TechnicalFailure, match=r"refused notify's credentials \(535\)") as raised:
        await sender(mode, port, certificate, password="wrong").send(MAIL)
    assert "wrong" not in str(raised.value) and PASSWORD not in str(raised.value)
    assert mailbox.messages == []


async def test_a_certificate_notify_does_not_trust_is_a_configuration_problem(
    server: tuple[str, Mailbox, int],
) -> None:
    mode, mailbox, port = server
    with pytest.raises(TechnicalFailure, match="certificate is not trusted"):
        await sender(mode, port, None).send(MAIL)  # the system's CAs do not know this one
    assert mailbox.messages == []


async def test_starttls_asked_of_a_server_without_it_is_a_configuration_problem() -> None:
    port = free_port()
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(TechnicalFailure, match="STARTTLS"):
            await SmtpSender("127.0.0.1", port, "p@example.org", tls="starttls", timeout=5).send(MAIL)
    finally:
        controller.stop()


def test_a_password_is_never_sent_without_tls() -> None:
    with pytest.raises(ValueError, match="NOTIFY_SMTP_TLS"):
        SmtpSender("127.0.0.1", 25, "p@example.org", tls="none", username=USER, password=PASSWORD)


@pytest.mark.parametrize(("given", "taken"), [("true", "tls"), ("false", "none"), ("starttls", "starttls")])
def test_notify_smtp_tls_takes_the_old_flag_and_the_new_modes(given: str, taken: str) -> None:
    assert settings(smtp_tls=given).smtp_tls == taken


def test_the_html_part_escapes_the_text_and_links_only_web_addresses() -> None:
    page = render('<script>alert(1)</script> "x" javascript:alert(2) https://a.example/?q=<b>', "سلام")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;x&#34;" in page
    assert 'href="javascript' not in page
    assert '<a href="https://a.example/?q=" dir="ltr">https://a.example/?q=</a>&lt;b&gt;' in page


def test_an_english_mail_reads_left_to_right() -> None:
    assert '<html lang="en" dir="ltr">' in render("Your request was received.", "Received")
