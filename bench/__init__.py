"""Benchmarks: `python -m bench [request|scale|fanout|memory|all] [--db sqlite|postgresql|both]`."""
