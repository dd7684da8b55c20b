"""Fixtures for the xAPI tests: a running fake LRS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.xapi.fake_lrs import FakeLrs


@pytest.fixture
def fake_lrs() -> Iterator[FakeLrs]:
    """A fake LRS listening on 127.0.0.1, stopped when the test ends."""
    with FakeLrs() as lrs:
        yield lrs
