"""The README's run command really serves the demo, and a printed sign-in works."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from elearn.demo import DEMO_PASSWORD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_elearn_demo_serves_and_a_printed_login_works(empty_database, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "ELEARN_DATABASE_URL": empty_database.url.render_as_string(hide_password=False),
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from elearn.cli import main; main()", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                page = opener.open(f"{base}/login", timeout=5).read().decode()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the demo did not start serving"
                time.sleep(0.3)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrf_token": token, "username": "pupil.riverside", "password": DEMO_PASSWORD}
        ).encode()
        home = opener.open(f"{base}/login", data=form, timeout=10)
        assert home.url == f"{base}/"
        assert "Hello," in home.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
