"""The deterministic backend-developer engine: no key, no network, proofs on SQLite."""
