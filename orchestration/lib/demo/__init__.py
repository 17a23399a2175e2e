"""Demo data: a synthetic engineering organisation written in the generic contract v1."""
