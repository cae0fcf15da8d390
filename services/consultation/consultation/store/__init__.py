"""Persistence of drafts in the service's own MongoDB database."""

from consultation.store.drafts import DRAFTS, INDEXES, DraftRepository

__all__ = ["DRAFTS", "INDEXES", "DraftRepository"]
