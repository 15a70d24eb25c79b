"""A database outage as tests stage it: the server refuses new connections and loses every open one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import make_url


@contextmanager
def database_outage(server: object, urls: Sequence[str]) -> Iterator[None]:
    """The databases refuse new connections and lose every open one until the block ends."""
    names = [make_url(u).database for u in urls]
    engine = server._admin_engine()  # type: ignore[attr-defined]

    def allow(flag: bool) -> None:
        with engine.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(flag).lower()}')
            if not flag:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY(%(names)s)",
                    {"names": names},
                )

    allow(False)
    try:
        yield
    finally:
        allow(True)
