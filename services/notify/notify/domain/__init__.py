"""Notify's domain: recipients, deliveries, templates; no HTTP, AMQP or store here."""
