"""A private PostgreSQL server for tests: initdb in a temp dir, Unix socket only, stopped after.

Runs the server as the ``postgres`` system user when the tests run as root (initdb refuses root).
Tests run without ``fsync`` (nothing is kept); benchmarks ask for a ``durable`` server, whose
commits cost what they cost in production.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def find_bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PostgresServer:
    def __init__(self, bindir: Path, *, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="leerlus-pg-"))
        self.datadir = self.root / "data"
        self.socketdir = self.root
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "leerlus",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = f"-c listen_addresses='' -k {self.socketdir}"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "log"),
            "start",
        )
        return f"postgresql+psycopg://leerlus@/postgres?host={self.socketdir}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=str(self.socketdir), user="leerlus", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://leerlus@/{name}?host={self.socketdir}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")
        finally:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and (self.datadir / "postmaster.pid").exists():
                time.sleep(0.1)
            shutil.rmtree(self.root, ignore_errors=True)
