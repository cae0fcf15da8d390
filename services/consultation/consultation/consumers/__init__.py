"""Queues this service consumes: none yet (see `contracts.topology.QUEUES`)."""
