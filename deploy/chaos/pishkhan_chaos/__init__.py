"""The fault campaign: load, random faults from a seeded generator, then checks from the stores and queues."""
