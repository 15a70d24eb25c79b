"""A real PostgreSQL server for tests: ``DATABASE_URL``, testcontainers, or a throwaway local cluster."""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from tests.infra import docker_available, free_port, infra_mode, log, report, run_checked

PG_IMAGE = "postgres:16"
PG_USER = "postgres"  # OS user that owns and runs the local cluster when we are root
START_ATTEMPTS = 3


def to_psycopg_url(url: str | URL, database: str | None = None) -> URL:
    """Parse a PostgreSQL URL (``postgres://``, ``postgresql://``, ``postgresql+x://``) as psycopg 3's."""
    parsed = make_url(url) if isinstance(url, str) else url
    if not parsed.drivername.startswith("postgres"):
        raise ValueError(f"not a PostgreSQL URL: {parsed.render_as_string(hide_password=True)}")
    parsed = parsed.set(drivername="postgresql+psycopg")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed


def url_str(url: URL) -> str:
    return url.render_as_string(hide_password=False)


class PostgresServer:
    """What the ``postgres_server`` fixture yields.

    ``admin_url``: SQLAlchemy URL (``postgresql+psycopg://``) of a superuser connection to the admin database.
    ``create_database(name)``: drop-if-exists + create; returns the new database's ``postgresql+psycopg://`` URL.
    """

    backend = "?"

    def __init__(self) -> None:
        self.admin_url: str = ""
        self.startup_seconds: float = 0.0
        self._engine: sa.Engine | None = None
        self._lock = threading.Lock()
        self._closed = False

    # -- public API -------------------------------------------------------------------------------------
    def create_database(self, name: str) -> str:
        if not name or len(name.encode()) > 63:
            raise ValueError(f"bad database name {name!r}")
        engine = self._admin_engine()
        quoted = engine.dialect.identifier_preparer.quote_identifier(name)
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
        return url_str(to_psycopg_url(self.admin_url, database=name))

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._shutdown()

    # -- internals --------------------------------------------------------------------------------------
    def _admin_engine(self) -> sa.Engine:
        with self._lock:
            if self._engine is None:
                self._engine = sa.create_engine(self.admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            return self._engine

    def _shutdown(self) -> None:
        pass

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        engine = self._admin_engine()
        while True:
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql("select 1")
                return
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def __repr__(self) -> str:
        safe = make_url(self.admin_url).render_as_string(hide_password=True) if self.admin_url else ""
        return f"<{type(self).__name__} {self.backend} {safe}>"


class ExternalPostgres(PostgresServer):
    backend = "external"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.admin_url = url_str(to_psycopg_url(url))


class ContainerPostgres(PostgresServer):
    backend = "docker"

    def __init__(self, image: str = PG_IMAGE) -> None:
        super().__init__()
        from testcontainers.community.postgres import PostgresContainer

        self._container: Any = PostgresContainer(image, driver=None)

    def start(self) -> None:
        self._container.start()
        self.admin_url = url_str(to_psycopg_url(self._container.get_connection_url(), database="postgres"))

    def _shutdown(self) -> None:
        self._container.stop()


def find_pg_bindir() -> Path | None:
    """Newest ``/usr/lib/postgresql/<ver>/bin`` holding a ``postgres`` binary (``PG_BINDIR`` overrides)."""
    override = os.environ.get("PG_BINDIR")
    if override:
        return Path(override)

    def version(p: str) -> tuple[int, ...]:
        m = re.search(r"/postgresql/([\d.]+)/bin/", p)
        return tuple(int(x) for x in m.group(1).split(".")) if m else (0,)

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=version)
    return Path(found[-1]).parent if found else None


def ensure_pg_binaries() -> Path:
    bindir = find_pg_bindir()
    if bindir is not None:
        return bindir
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RuntimeError(
            "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin; install the 'postgresql' package "
            "(or set DATABASE_URL to an existing server)"
        )
    log.warning("installing the Debian 'postgresql' package (binaries missing)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run_checked(["apt-get", "update"], "apt-get update", timeout=600, env=env)
    run_checked(
        ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"],
        "apt-get install postgresql",
        timeout=900,
        env=env,
    )
    bindir = find_pg_bindir()
    if bindir is None:
        raise RuntimeError("apt-get installed postgresql but no /usr/lib/postgresql/*/bin/postgres appeared")
    return bindir


class LocalPostgres(PostgresServer):
    """A throwaway cluster in a temp dir, run as the ``postgres`` OS user when we are root."""

    backend = "local"

    def __init__(self) -> None:
        super().__init__()
        self.bindir = ensure_pg_binaries()
        self.version = self.bindir.parent.name
        self.workdir: Path | None = None
        self.port = 0
        self._as_root = os.geteuid() == 0

    @property
    def datadir(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "data"

    @property
    def logfile(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "postgres.log"

    def _cmd(self, *args: str) -> list[str]:
        if self._as_root:
            return ["runuser", "-u", PG_USER, "--", *args]
        return list(args)

    def _run(self, what: str, *args: str, timeout: float = 120) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return run_checked(self._cmd(*args), what, timeout=timeout, cwd=self.workdir, env=env)

    def start(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="pilot-pg-"))
        if self._as_root:
            try:
                pw = pwd.getpwnam(PG_USER)
            except KeyError as exc:
                raise RuntimeError(f"running as root needs an OS user {PG_USER!r} to run PostgreSQL") from exc
            os.chown(self.workdir, pw.pw_uid, pw.pw_gid)
        self._run(
            "initdb",
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        last_error: Exception | None = None
        for _attempt in range(START_ATTEMPTS):
            self.port = free_port()
            opts = (
                f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
            )
            try:
                self._run(
                    "pg_ctl start",
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.datadir),
                    "-o",
                    opts,
                    "-l",
                    str(self.logfile),
                    "-w",
                    "-t",
                    "60",
                    "start",
                    timeout=90,
                )
            except RuntimeError as exc:
                last_error = exc
                log_tail = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
                if "could not bind" in log_tail or "Address already in use" in log_tail:
                    continue  # someone took the port between free_port() and the bind: try another
                raise RuntimeError(f"{exc}\n--- {self.logfile}\n{log_tail}") from exc
            break
        else:
            raise RuntimeError(f"PostgreSQL did not start after {START_ATTEMPTS} attempts") from last_error
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _shutdown(self) -> None:
        if self.workdir is None:
            return
        try:
            if (self.datadir / "postmaster.pid").exists():
                try:
                    self._run("pg_ctl stop", str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast",
                              "-w", "-t", "30", "stop", timeout=60)  # fmt: skip
                except RuntimeError as exc:
                    log.warning("pg_ctl stop -m fast failed, killing the postmaster: %s", exc)
                    self._kill_postmaster()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def _kill_postmaster(self) -> None:
        """Last resort: SIGKILL the postmaster of *our* data dir (pid from its postmaster.pid)."""
        pidfile = self.datadir / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def start_postgres() -> PostgresServer:
    """Start (or attach to) a PostgreSQL server, following the order of choice. Cleanup is registered."""
    t0 = time.monotonic()
    server: PostgresServer
    if os.environ.get("DATABASE_URL"):
        server = ExternalPostgres(os.environ["DATABASE_URL"])
    elif infra_mode() != "local" and docker_available():
        server = ContainerPostgres()
    else:
        server = LocalPostgres()
    atexit.register(server.close)
    try:
        if isinstance(server, ContainerPostgres | LocalPostgres):
            server.start()
        server.wait_ready()
    except Exception:
        server.close()
        raise
    server.startup_seconds = time.monotonic() - t0
    extra = f" {server.version}" if isinstance(server, LocalPostgres) else ""
    report(f"postgres ({server.backend}{extra}) ready in {server.startup_seconds:.1f} s: {server!r}")
    return server
