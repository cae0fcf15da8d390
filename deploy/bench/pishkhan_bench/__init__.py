"""`make bench`: the whole system under load on this machine, its ceilings and its growth."""
