"""Channels out: SMS gateways and e-mail."""

from notify.providers.email import SmtpSender
from notify.providers.sms import HttpSmsProvider, LogSmsProvider

__all__ = ["HttpSmsProvider", "LogSmsProvider", "SmtpSender"]
