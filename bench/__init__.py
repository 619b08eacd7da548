"""Load and latency benchmarks, each reported as a ratio against a bare Flask hello-world.

``python -m bench`` (or ``make bench``) runs them all; ``python -m bench start_page`` runs one.
A benchmark is a module in this package with ``setup(instance_dir, base_url) -> Target``; see
``bench/start_page.py`` and ``bench/harness.py``.
"""
