"""Demo data: a synthetic engineering organisation written in the generic contract v1 (generator.py), and
the same data rewritten through the vendor formats (vendor_formats.py)."""
