"""One gunicorn configuration for the hello baseline and for elearn (loopback only).

The runner sets ``BENCH_BIND`` (always a 127.0.0.1 address) and, optionally,
``BENCH_WORKERS``; everything else is the same for both apps.
"""

import os

bind = os.environ.get("BENCH_BIND", "127.0.0.1:8000")
if not bind.startswith("127.0.0.1:"):
    raise SystemExit("the benchmark servers listen on 127.0.0.1 only")
workers = int(os.environ.get("BENCH_WORKERS", "4"))
worker_class = "sync"
# Generous: a trust-wide report under load can take seconds, and a killed worker would
# show up as errors rather than as the slow figure it really is.
timeout = 120
graceful_timeout = 5
backlog = 2048
accesslog = None
errorlog = os.environ.get("BENCH_ERRORLOG", "-")
loglevel = "warning"
proc_name = "elearn-bench"
