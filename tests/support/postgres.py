"""A throwaway PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder.

No mock and no SQLite standing in: the machine's own PostgreSQL binaries (Debian's `postgresql`
package, which .ci/run installs) run a cluster on a free port on 127.0.0.1 for the session, and
each test gets a fresh database. Missing binaries fail the PostgreSQL tests loudly, never skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

# How long pg_ctl waits for the server to accept connections, in seconds.
START_TIMEOUT = 60


def bindir() -> Path:
    """Where initdb and pg_ctl live: pg_config's answer, else the newest Debian cluster's."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(found.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    if versions and Path(versions[-1], "initdb").exists():
        return Path(versions[-1])
    raise RuntimeError(
        "PostgreSQL is not installed (no initdb): `apt-get install postgresql`, as .ci/run does"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner() -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as `nobody`."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "nobody", "--"]


@dataclass
class Server:
    port: int
    folder: Path
    _numbers: Iterator[int]

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str) -> None:
        subprocess.run(
            [
                *_as_owner(),
                str(bindir() / "psql"),
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
        )

    def fresh_database(self) -> str:
        """A new empty database (from template0, so nothing an earlier test did carries over)."""
        name = f"t{os.getpid()}_{next(self._numbers)}"
        self.psql(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
        return name


def start() -> Server:
    binaries = bindir()
    folder = Path(tempfile.mkdtemp(prefix="allybot-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
    owner = _as_owner()
    subprocess.run(
        [
            *owner,
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    # fsync off: a crash of a throwaway test cluster loses nothing anyone needs.
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=200"
    subprocess.run(
        [
            *owner,
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT),
            "-l",
            str(folder / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return Server(port=port, folder=folder, _numbers=count())


def stop(server: Server) -> None:
    subprocess.run(
        [
            *_as_owner(),
            str(bindir() / "pg_ctl"),
            "-D",
            str(server.folder / "data"),
            "-m",
            "immediate",
            "stop",
        ],
        check=False,
        capture_output=True,
    )
    shutil.rmtree(server.folder, ignore_errors=True)
