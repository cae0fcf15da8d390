"""Notify's own database: recipients, subscriptions and deliveries."""

from notify.store.repository import INDEXES, MongoRepository

__all__ = ["INDEXES", "MongoRepository"]
