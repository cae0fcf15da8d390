"""Plumbing every Pishkhan service is built from; nothing domain-specific lives here."""
