"""Load and scale benchmarks for elearn.

``python -m bench.run`` seeds (or reuses) a trust-sized database, serves the real app and a
bare "hello" Flask app from the same gunicorn configuration on loopback, drives both with
wrk and writes ``bench/RESULTS.md``. See ``bench/README.md``.
"""
