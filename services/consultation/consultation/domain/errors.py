"""Errors the domain raises; adapters turn them into HTTP problems."""


class DomainError(Exception):
    """A request that breaks a rule of consultation."""


class Refusal(DomainError):
    """A rule of consultation refuses the request; the text carries the rule in English and Persian."""

    def __init__(self, code: str, message_en: str, message_fa: str) -> None:
        super().__init__(f"{message_en} — {message_fa}")
        self.code = code
        self.message_en = message_en
        self.message_fa = message_fa
