"""The performance benchmark behind `make bench` (and `make loadtest`): generated data at
scale, then timed sections.

`data` fills the database quickly (COPY on PostgreSQL), `timing` measures requests the way
the targets are stated, and `sections` holds one function per part of the report, so later
parts (imports, exports) are added as further functions without touching the others.

Not part of the product: the package is a Django app installed only by bench.settings, so
production's `manage.py help` lists only product commands and no mock of product code ships.
"""
