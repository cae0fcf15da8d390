"""Channels out: SMS gateways (Kavenegar, sms.ir, a generic JSON one, the log) and e-mail."""

from notify.providers.email import SmtpSender
from notify.providers.kavenegar import KavenegarSms
from notify.providers.sms import HttpSmsProvider, LogSmsProvider
from notify.providers.smsir import SmsIrSms

__all__ = ["HttpSmsProvider", "KavenegarSms", "LogSmsProvider", "SmsIrSms", "SmtpSender"]
