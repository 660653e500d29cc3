"""Start the test OpenID Connect provider in a second process and wait until it answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[4]
CLIENT_ID = "hearth-test"
CLIENT_SECRET = "hearth-test-secret"
PASSWORD = "idp-password"  # every test IdP user's


@dataclass(frozen=True)
class IdPUser:
    username: str
    email: str
    name: str
    verified: bool = True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def oidc_provider(*, redirect_uri: str, users: list[IdPUser], workdir: Path) -> Iterator[str]:
    """Yield the issuer URL of a running django-oidc-provider that knows `users`."""
    port = free_port()
    env = {
        **os.environ,
        "IDP_PORT": str(port),
        "IDP_DB": str(workdir / "idp.sqlite3"),
        "IDP_REDIRECT_URI": redirect_uri,
        "IDP_CLIENT_ID": CLIENT_ID,
        "IDP_CLIENT_SECRET": CLIENT_SECRET,
        "IDP_USERS": json.dumps([u.__dict__ for u in users]),
    }
    log = (workdir / "idp.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "hearth.people.tests.idp_oidc.serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the test IdP exited: {(workdir / 'idp.log').read_text()}")
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the test IdP did not start within 60 seconds")
            time.sleep(0.1)  # polling for the server to listen, not waiting out a guess
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
