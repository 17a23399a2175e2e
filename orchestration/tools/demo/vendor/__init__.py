"""Writers of the vendor export formats, one module per entity (the entry point is ../vendor_formats.py)."""
