"""One module per source format: pure functions, bytes in -> canonical records + rejects out."""
