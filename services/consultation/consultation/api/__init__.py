"""HTTP adapters: parse, call the domain and the repository, answer."""
