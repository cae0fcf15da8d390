"""Errors the domain raises; adapters turn them into HTTP problems."""


class DomainError(Exception):
    """A request that breaks a rule of consultation."""
