"""Fixtures: the demo directory, and every store the library supports.

PostgreSQL tests use the server at 127.0.0.1:5432 (trust authentication); each test run
creates its own database and drops it at the end. Without a server they skip with the
reason — unless CALLCORE_REQUIRE_POSTGRES=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from callcore.adapters.directory_file import demo_directory
from callcore.domain.directory import Directory

POSTGRES_ADMIN = os.environ.get(
    "CALLCORE_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/test"
)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests import reliability

    reliability.write()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The long reliability runs (``make reliability-long``) only when asked for."""
    if "long" in (config.getoption("-m") or "") or os.environ.get("CALLCORE_LONG") == "1":
        return
    skip = pytest.mark.skip(reason="a long reliability run: make reliability-long")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def directory() -> Directory:
    return demo_directory()


def _postgres_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(
            POSTGRES_ADMIN.replace("postgresql://", "postgresql://", 1), connect_timeout=3
        ):
            return None
    except Exception as error:  # any failure means: no server we can use
        return f"PostgreSQL at {POSTGRES_ADMIN} is not reachable: {error}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A database of our own on the local server, dropped at the end of the session.
    Yields a base URL; use :func:`fresh_postgres_url` for a clean schema per test."""
    reason = _postgres_available()
    if reason is not None:
        if os.environ.get("CALLCORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"CALLCORE_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    import psycopg

    name = f"callcore_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh schema in the session's database, so every test starts empty."""
    import psycopg

    schema = f"s_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    return f"{postgres_server}?schema={schema}"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """Every supported store: the same test runs on each."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/centre.db"
    url: str = request.getfixturevalue("postgres_url")
    return url
