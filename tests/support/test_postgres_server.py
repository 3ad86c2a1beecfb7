"""The throwaway PostgreSQL server the test suite runs against."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from .postgres import PostgresServer, find_postgres_bin_dir, start_postgres_server


def test_missing_binaries_give_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"run `make test`"):
        find_postgres_bin_dir(tmp_path)


@pytest.mark.postgresql
def test_server_lifecycle() -> None:
    server = start_postgres_server()
    try:
        base_dir = server.base_dir
        assert base_dir is not None and base_dir.is_dir()
        assert server.running

        url = server.create_database("dateline_first")
        assert url == f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/dateline_first"

        with psycopg.connect(server.conninfo("dateline_first")) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            assert conn.execute("select current_user").fetchone() == ("postgres",)
            conn.execute("create table marker (id int primary key)")
            conn.execute("insert into marker values (42)")

        second = server.create_database("dateline_second", template="dateline_first")
        assert second.endswith("/dateline_second")
        with server.connect("dateline_second") as conn:
            assert conn.execute("select id from marker").fetchall() == [(42,)]

        server.drop_database("dateline_second")
        with server.connect() as conn:
            names = {row[0] for row in conn.execute("select datname from pg_database")}
        assert "dateline_second" not in names
        assert "dateline_first" in names
    finally:
        server.stop()

    assert not server.running
    assert not base_dir.exists()
    server.stop()  # idempotent


@pytest.mark.postgresql
def test_context_manager_stops_the_server() -> None:
    with PostgresServer() as server:
        base_dir = server.base_dir
        with server.connect() as conn:
            assert conn.execute("show fsync").fetchone() == ("off",)
            assert conn.execute("show max_connections").fetchone() == ("200",)
    assert base_dir is not None and not base_dir.exists()
