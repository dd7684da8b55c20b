"""The baseline: a bare Flask app that answers ``/hello``, served exactly as elearn is.

Every scenario is reported as a fraction of what this reaches in the same run on the same
machine, so the figures say how much of the stack's own ceiling the app keeps.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"
