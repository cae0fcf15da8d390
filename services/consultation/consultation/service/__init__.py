"""Use cases of the consultation service: domain rules applied to stored state, events staged."""
