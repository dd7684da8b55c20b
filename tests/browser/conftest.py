"""Browser tests: the real app on a loopback port, driven by Playwright in Debian's Chromium.

Every page a browser test opens is checked with axe-core for WCAG 2.0/2.1/2.2 A and AA
rules; a test that navigates to a page and never checks it fails at teardown.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.10.3"
AXE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "axe"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _axe_source() -> str:
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install axe-core for the accessibility checks"
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-package-lock",
                "--silent",
                "--prefix",
                str(AXE_DIR),
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
        )
    return script.read_text()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return _axe_source()


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM.exists(), "install Debian's chromium package (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


class Accessibility:
    """Runs axe-core on the current page and remembers which pages were checked."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.checked: set[str] = set()
        self.visited: set[str] = set()

    def check(self, page) -> None:
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self.source)
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        self.checked.add(_path(page.url))
        assert not serious, f"accessibility violations on {page.url}:\n" + json.dumps(
            [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"]][:5],
                }
                for v in serious
            ],
            indent=2,
        )


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def a11y(axe_source: str) -> Accessibility:
    return Accessibility(axe_source)


@pytest.fixture
def page(browser, live_server: str, a11y: Accessibility):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(10_000)

    def on_load(frame) -> None:
        if frame == tab.main_frame and frame.url.startswith(live_server):
            a11y.visited.add(_path(frame.url))

    tab.on("framenavigated", on_load)
    yield tab
    context.close()
    unchecked = a11y.visited - a11y.checked
    assert not unchecked, f"pages visited without an accessibility check: {sorted(unchecked)}"


def sign_in(page, a11y: Accessibility, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, checking the sign-in page on the way."""
    page.goto("/login")
    a11y.check(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
