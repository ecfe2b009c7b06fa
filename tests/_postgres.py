"""A throwaway PostgreSQL cluster for the tests: a temporary folder, run as the ``postgres`` user, localhost only.

PostgreSQL refuses to run as root, so when the tests run as root the cluster is created and started with
``runuser -u postgres``. Without the server binaries (the Debian package ``postgresql``) the tests that need it are
skipped, unless ``SPECTRALCORE_REQUIRE_SERVICES`` lists ``postgresql``: then set-up promised it, and they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BIN = Path(os.environ.get("SPECTRALCORE_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
USER = "postgres"


def require_postgres() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``, or skip (fail where ``SPECTRALCORE_REQUIRE_SERVICES`` asks)."""
    required = "postgresql" in os.environ.get("SPECTRALCORE_REQUIRE_SERVICES", "")
    missing = [name for name in ("initdb", "pg_ctl") if not (BIN / name).exists()]
    if missing or (os.geteuid() == 0 and shutil.which("runuser") is None):
        absent = ", ".join(missing) or "runuser"
        why = f"PostgreSQL server binaries missing in {BIN} ({absent}): apt-get install postgresql"
        if required:
            pytest.fail(f"PostgreSQL is required (SPECTRALCORE_REQUIRE_SERVICES) but {why}")
        pytest.skip(why)
    return BIN


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", USER, "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster in a temporary folder; yield a URL of its ``postgres`` database (with a dummy password).

    The server listens on localhost only (and a socket in the folder); trust authentication ignores the
    password, which is there so that the tests can check that no password is ever written. Stopped and removed
    afterwards, whatever happens.
    """
    bin_dir = require_postgres()
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as another user.
    root = Path(tempfile.mkdtemp(prefix="spectralcore-pg-"))
    data, sock, log = root / "data", root / "sock", root / "server.log"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, USER)
        shutil.chown(sock, USER)
    port = free_port()
    started = False
    try:
        subprocess.run(
            _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-k {sock} -c listen_addresses=localhost -p {port} -c fsync=off"
        started = True
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", options, "start"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield f"postgresql://{USER}:pw-n0t-for-files@localhost:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                timeout=120,
            )
        shutil.rmtree(root, ignore_errors=True)
