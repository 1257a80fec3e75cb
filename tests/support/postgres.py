"""A throwaway PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder.

No mock and no SQLite standing in: the machine's own PostgreSQL binaries (Debian's `postgresql`
package, which .ci/run installs) run a cluster on a free port on 127.0.0.1 for the session, and
each test gets a fresh database. Missing binaries fail the PostgreSQL tests loudly, never skip.

The cluster lives in `allybot-pg-<pytest pid>-*`, in /dev/shm when it has room (creating a
database there takes 20 ms instead of 350 ms on disk), else in the temporary folder. It is stopped
at the end of the session, at exit, and on SIGTERM; a run killed harder (SIGKILL, a lost machine)
leaves it behind, so `start` first stops and removes every such folder whose pytest is gone.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from types import FrameType

# How long pg_ctl waits for the server to accept connections, in seconds.
START_TIMEOUT = 60
PREFIX = "allybot-pg-"
# /dev/shm is used only with this much free: Docker's default of 64 MiB is too small.
SHM_NEEDED = 1 << 30
# mkdtemp makes the cluster's folder there (mode 0700, a name nobody can guess), as in /tmp.
SHM = Path("/dev/shm")  # noqa: S108


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


def _parents() -> list[Path]:
    """Where clusters are made: /dev/shm when it has room, and the temporary folder."""
    parents = []
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        with contextlib.suppress(OSError):
            room = os.statvfs(SHM)
            if room.f_bavail * room.f_frsize >= SHM_NEEDED:
                parents.append(SHM)
    parents.append(Path(tempfile.gettempdir()))
    return parents


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pg_ctl_stop(folder: Path) -> None:
    subprocess.run(
        [
            *_as_owner(),
            str(bindir() / "pg_ctl"),
            "-D",
            str(folder / "data"),
            "-m",
            "immediate",
            "stop",
        ],
        check=False,
        capture_output=True,
    )


def remove_leftovers() -> list[Path]:
    """Stop and remove the clusters of test runs that are gone (their pytest pid is not alive);
    a folder whose owner still runs, or whose name carries no pid, is left alone."""
    removed = []
    for parent in {SHM, Path(tempfile.gettempdir())}:
        for folder in parent.glob(f"{PREFIX}*"):
            owner = folder.name.removeprefix(PREFIX).split("-")[0]
            if not owner.isdigit() or int(owner) == os.getpid() or _alive(int(owner)):
                continue
            if (folder / "data" / "postmaster.pid").exists():
                _pg_ctl_stop(folder)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@dataclass
class Server:
    port: int
    folder: Path
    _numbers: Iterator[int] = field(default_factory=count)
    stopped: bool = False

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

    def fresh_database(self, template: str = "template0") -> str:
        """A new database: empty (from template0, so nothing an earlier test did carries over),
        or a copy of `template`, a database nobody is connected to."""
        name = f"t{os.getpid()}_{next(self._numbers)}"
        self.psql(f"CREATE DATABASE {name} TEMPLATE {template} ENCODING 'UTF8'")
        return name

    def drop_database(self, name: str) -> None:
        """Drop a test's database, closing whatever connection it left open."""
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start() -> Server:
    remove_leftovers()
    binaries = bindir()
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=_parents()[0]))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
    owner = _as_owner()
    try:
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
    except BaseException:
        _pg_ctl_stop(folder)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    server = Server(port=port, folder=folder)
    atexit.register(stop, server)
    _stop_on_sigterm(server)
    return server


def _stop_on_sigterm(server: Server) -> None:
    """A SIGTERM to the test run stops the server first, then ends the run as it would have."""
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return  # someone handles SIGTERM already: leave it to them (and to atexit)

    def stop_then_die(signum: int, frame: FrameType | None) -> None:
        stop(server)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGTERM, stop_then_die)


def stop(server: Server) -> None:
    """Stop the server and remove its folder; a second call does nothing."""
    if server.stopped:
        return
    server.stopped = True
    _pg_ctl_stop(server.folder)
    shutil.rmtree(server.folder, ignore_errors=True)
