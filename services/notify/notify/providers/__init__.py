"""Ways out to people: SMS gateways (and later e-mail)."""

from notify.providers.sms import LogSmsProvider, SmsProvider, SmsRejected, sms_provider

__all__ = ["LogSmsProvider", "SmsProvider", "SmsRejected", "sms_provider"]
