"""The performance benchmark (`make bench`): data generation, timed scenarios and their
targets. Not part of the product: installed only by bench.settings, so production's
`manage.py help` lists only product commands and no mock of product code ships."""
