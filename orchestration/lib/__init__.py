"""Shared code with no Dagster definitions: canonical schemas, lake I/O, paths, demo data."""
