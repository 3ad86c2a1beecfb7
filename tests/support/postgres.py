"""A real, throwaway PostgreSQL server for the test suite.

The tests start their own PostgreSQL server from the binaries of Debian's
``postgresql`` package (``/usr/lib/postgresql/<version>/bin``; ``make test``
installs it).  Each server lives in a fresh temporary directory (data directory,
Unix socket and log file), listens on ``127.0.0.1`` on a free TCP port, trusts
every local connection as the ``postgres`` superuser and runs with durability
switched off (``fsync``, ``synchronous_commit``, ``full_page_writes``), which is
what a test database wants.  :meth:`PostgresServer.stop` kills it and removes
the directory; it is also registered with :mod:`atexit`, so a crashed or
interrupted test run does not leave a server behind.

Why not pytest-postgresql: it runs ``initdb`` and ``pg_ctl`` as the current
user, and PostgreSQL refuses to be initialised or run as root, which is how the
tests run here and in CI.  This module runs them through
``runuser -u postgres --`` when it is root (the ``postgres`` system user comes
with Debian's package) and hands the temporary directory to that user; as any
other user it runs them directly.

Typical use::

    with start_postgres_server() as server:
        url = server.create_database("dateline_test")  # a SQLAlchemy URL
        ...
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql

__all__ = ["PostgresServer", "find_postgres_bin_dir", "start_postgres_server"]

PG_ROOT = Path("/usr/lib/postgresql")
"""Where Debian's ``postgresql`` packages install their per-version binaries."""

SERVICE_USER = "postgres"
"""The system user that runs the server when the tests run as root."""

SUPERUSER = "postgres"
"""The database superuser that ``initdb`` creates; every connection uses it."""

HOST = "127.0.0.1"

SERVER_SETTINGS: dict[str, str] = {
    "max_connections": "200",
    # Durability is pointless for a database that is thrown away: skip it.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "archive_mode": "off",
    # Nothing to gain from these in a short-lived test server.
    "autovacuum": "off",
    "jit": "off",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
    "timezone": "UTC",
    "log_timezone": "UTC",
}
"""Settings appended to the new cluster's ``postgresql.conf``."""

START_TIMEOUT = 60.0
"""Seconds to wait for the server to accept connections."""

LOG_TAIL_LINES = 40

_NOT_FOUND = (
    "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; "
    "run `make test`, which installs Debian's postgresql package"
)


def find_postgres_bin_dir(root: Path = PG_ROOT) -> Path:
    """Return the ``bin`` directory of the newest PostgreSQL under ``root``.

    Raises :class:`RuntimeError` when no version with ``initdb``, ``pg_ctl`` and
    ``postgres`` is installed.
    """
    candidates: list[tuple[tuple[int, ...], Path]] = []
    for bin_dir in root.glob("*/bin"):
        version = bin_dir.parent.name
        if not re.fullmatch(r"\d+(\.\d+)*", version):
            continue
        if all(os.access(bin_dir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            candidates.append((tuple(int(part) for part in version.split(".")), bin_dir))
    if not candidates:
        raise RuntimeError(_NOT_FOUND)
    return max(candidates)[1]


def _free_port() -> int:
    """Return a TCP port on ``HOST`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """Return the last ``lines`` lines of ``path``, or a note when it is unreadable."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no server log at {path}: {exc.strerror})"
    return "\n".join(text.splitlines()[-lines:]) or "(the server log is empty)"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PostgresServer:
    """A throwaway PostgreSQL server in its own temporary directory.

    Create it with :func:`start_postgres_server` (or ``PostgresServer().start()``,
    or use it as a context manager, which starts it on entry if needed and stops
    it on exit).  Every connection is made over TCP to ``127.0.0.1:port`` as the
    ``postgres`` superuser, without a password.
    """

    def __init__(self, bin_dir: Path | None = None) -> None:
        """Prepare a server using the binaries in ``bin_dir`` (default: the newest).

        Nothing is started until :meth:`start`.
        """
        self.bin_dir = bin_dir if bin_dir is not None else find_postgres_bin_dir()
        self.host = HOST
        self.port = 0
        self.user = SUPERUSER
        self.base_dir: Path | None = None
        self._owner_pid = os.getpid()
        self._running = False
        self._as_service_user = os.geteuid() == 0
        self._service_pw: pwd.struct_passwd | None = None
        if self._as_service_user:
            try:
                self._service_pw = pwd.getpwnam(SERVICE_USER)
            except KeyError:
                raise RuntimeError(
                    f"running as root, but there is no {SERVICE_USER!r} system user to run "
                    "PostgreSQL as (PostgreSQL refuses to run as root); run `make test`, "
                    "which installs Debian's postgresql package and so creates that user"
                ) from None

    # -- paths ---------------------------------------------------------------

    def _base(self) -> Path:
        if self.base_dir is None:
            raise RuntimeError("the PostgreSQL server has not been started")
        return self.base_dir

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        """The directory holding the server's Unix socket."""
        return self._base()

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self._base() / "server.log"

    @property
    def running(self) -> bool:
        """Whether the server has been started and not stopped yet."""
        return self._running

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> PostgresServer:
        """Initialise a new cluster, start the server and wait until it accepts connections.

        Returns ``self``.  Raises :class:`RuntimeError` with the tail of the
        server log when ``initdb`` or ``pg_ctl`` fails; the temporary directory is
        removed in that case.
        """
        if self._running:
            return self
        if self.base_dir is not None:
            raise RuntimeError("a stopped PostgresServer cannot be started again")
        self._owner_pid = os.getpid()
        # Under /tmp: short enough for a Unix socket path, and traversable by the
        # service user.  mkdtemp makes it 0700, so open it up and hand it over.
        self.base_dir = Path(tempfile.mkdtemp(prefix="dateline-pg-", dir=_temp_parent()))
        self.base_dir.chmod(0o755)
        if self._service_pw is not None:
            os.chown(self.base_dir, self._service_pw.pw_uid, self._service_pw.pw_gid)
        atexit.register(self.stop)
        self._running = True
        try:
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server at once (``pg_ctl stop -m immediate``) and remove its directory.

        Safe to call more than once, and a no-op in a forked child process.
        """
        if not self._running or os.getpid() != self._owner_pid:
            return
        self._running = False
        atexit.unregister(self.stop)
        base = self._base()
        postmaster_pid = self._postmaster_pid()
        if (self.data_dir / "PG_VERSION").exists():
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                self._run(
                    [self._tool("pg_ctl"), "stop", "-D", self.data_dir, "-m", "immediate", "-w"]
                )
        if postmaster_pid is not None and _pid_alive(postmaster_pid):
            # pg_ctl failed or timed out; this is our own server, so kill it.
            with contextlib.suppress(OSError):
                os.kill(postmaster_pid, signal.SIGKILL)
        shutil.rmtree(base, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running on {self.host}:{self.port}" if self._running else "not running"
        return f"<PostgresServer {state} ({self.bin_dir})>"

    # -- databases -----------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        """Return the SQLAlchemy URL of database ``dbname`` on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """Return a libpq connection string for database ``dbname`` (for ``psycopg.connect``)."""
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=self.port, user=self.user, dbname=dbname
        )

    def connect(
        self, dbname: str = "postgres", *, autocommit: bool = False
    ) -> psycopg.Connection[Any]:
        """Open a psycopg connection to database ``dbname``; the caller closes it."""
        return psycopg.connect(self.conninfo(dbname), autocommit=autocommit, connect_timeout=10)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database ``name``, copied from ``template`` if given; return its URL.

        PostgreSQL refuses to copy a template that has other open connections, so
        close them (for example dispose the SQLAlchemy engine) first.
        """
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        with self.connect(autocommit=True) as conn:
            conn.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting its sessions (``WITH (FORCE)``)."""
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        with self.connect(autocommit=True) as conn:
            conn.execute(statement)

    # -- internals -----------------------------------------------------------

    def _tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    def _run(self, args: Sequence[str | Path]) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool as the service user (when root); raise on failure."""
        command = [str(arg) for arg in args]
        if self._as_service_user:
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        # No PG* variables (PGDATA, PGPORT, ...) or locale settings from the caller:
        # initdb gets its locale on the command line, the server from its cluster.
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PG", "LC_")) and key not in ("LANG", "LANGUAGE")
        }
        return subprocess.run(
            command,
            cwd=self._base(),  # the service user may not be able to enter our cwd
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=True,
            timeout=START_TIMEOUT + 30,
        )

    def _failure(self, what: str, error: Exception) -> RuntimeError:
        output = ""
        if isinstance(error, subprocess.CalledProcessError | subprocess.TimeoutExpired):
            output = "\n".join(
                part.strip()
                for part in (_text(error.stdout), _text(error.stderr))
                if part and part.strip()
            )
        message = f"{what} failed: {error}"
        if output:
            message += f"\n--- output ---\n{output}"
        if self.base_dir is not None:
            message += f"\n--- tail of {self.log_path} ---\n{_tail(self.log_path)}"
        return RuntimeError(message)

    def _initdb(self) -> None:
        last_error: Exception | None = None
        # C.UTF-8 gives Unicode-aware upper()/lower() with code-point ordering;
        # plain C is the fallback where that locale does not exist.
        for locale in ("C.UTF-8", "C"):
            shutil.rmtree(self.data_dir, ignore_errors=True)
            try:
                self._run(
                    [
                        self._tool("initdb"),
                        "-D",
                        self.data_dir,
                        "-A",
                        "trust",
                        "-U",
                        SUPERUSER,
                        "--encoding=UTF8",
                        f"--locale={locale}",
                        "--no-sync",
                    ]
                )
            except (OSError, subprocess.SubprocessError) as exc:
                last_error = exc
                continue
            return
        assert last_error is not None
        raise self._failure("initdb", last_error)

    def _configure(self, port: int) -> None:
        settings = {
            **SERVER_SETTINGS,
            "listen_addresses": f"'{HOST}'",
            "port": str(port),
            "unix_socket_directories": "'{}'".format(str(self.socket_dir).replace("'", "''")),
        }
        lines = [f"{key} = {value}" for key, value in settings.items()]
        # Appended: later lines win, so a retry on another port overrides this one.
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# dateline tests\n" + "\n".join(lines) + "\n")

    def _start_server(self) -> None:
        last_error: Exception | None = None
        for _attempt in range(3):
            port = _free_port()
            self._configure(port)
            try:
                self._run(
                    [
                        self._tool("pg_ctl"),
                        "start",
                        "-D",
                        self.data_dir,
                        "-l",
                        self.log_path,
                        "-w",
                        "-t",
                        str(int(START_TIMEOUT)),
                    ]
                )
            except (OSError, subprocess.SubprocessError) as exc:
                last_error = exc
                # Most likely another process took the port in the meantime.
                if "already in use" in _tail(self.log_path, 10):
                    continue
                break
            self.port = port
            self._wait_until_ready()
            return
        assert last_error is not None
        raise self._failure("pg_ctl start", last_error)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with self.connect() as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise self._failure("connecting to the server", exc) from exc
                time.sleep(0.05)

    def _postmaster_pid(self) -> int | None:
        try:
            first_line = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
            return int(first_line)
        except (OSError, ValueError):
            return None


def _temp_parent() -> str | None:
    """Return /tmp when it exists (short socket paths, world-traversable), else the default."""
    return "/tmp" if os.path.isdir("/tmp") else None


def _text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value or ""


def start_postgres_server(bin_dir: Path | None = None) -> PostgresServer:
    """Start a throwaway PostgreSQL server and return it, accepting connections.

    Stop it with :meth:`PostgresServer.stop` (it is also stopped at interpreter
    exit), or use it as a context manager.
    """
    return PostgresServer(bin_dir).start()
