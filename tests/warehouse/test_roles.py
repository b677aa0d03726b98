"""Team roles on the real PostgreSQL: each can do what it should and gets a permission error otherwise.

docs/access.md: `logistics` reads sales details and weights (and who a member is, to ship) and
updates order status only; `analytics` reads everything but personal data and writes nothing;
`sales` inserts, updates and deletes items only; `membership` reads members in full; the API's
`footfall_reader` reads and writes nothing. No role sees an email, date of birth, mobile number or
membership id (which gives the date of birth back by brute force) unless it needs them, none can
create temporary tables, and none owns a table.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from footfall.warehouse import connect
from tests.reports.test_sales import _seed

pytestmark = pytest.mark.postgres


@pytest.fixture
def sales_db(postgres_schema_url: str) -> Iterator[psycopg.Connection]:
    with connect(postgres_schema_url) as wh:
        _seed(wh)
    base, _, options = postgres_schema_url.partition("?")
    schema = options.split("search_path%3D")[1]
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"SET search_path TO {schema}")
        yield con


def _as(con: psycopg.Connection, role: str, sql: str) -> None:
    """Run `sql` as `role` inside a transaction that is rolled back."""
    with con.transaction(force_rollback=True):
        con.execute(f"SET LOCAL ROLE {role}")
        con.execute(sql)


ALLOWED = {
    "logistics": [
        "SELECT order_id, status, total_weight_kg FROM orders",
        "SELECT quantity, weight_kg FROM order_items",
        "SELECT name, weight_kg FROM items",
        "UPDATE orders SET status = 'shipped' WHERE order_id = 1",
        "SELECT o.order_id, m.first_name, m.last_name FROM order_members o JOIN members m USING (member_key)",
    ],
    "analytics": [
        "SELECT order_id, created_at, status, total_price FROM orders",
        "SELECT member_key, batch_id FROM members",
        "SELECT order_id, member_key FROM order_members",
        "SELECT * FROM runs",
        "SELECT * FROM http_sessions",
    ],
    "membership": ["SELECT * FROM members", "SELECT * FROM member_files"],
    "footfall_reader": ["SELECT * FROM members", "SELECT * FROM http_sessions", "SELECT * FROM runs"],
    "sales": [
        "SELECT * FROM items",
        "INSERT INTO items VALUES (99, 'Kettle', 'Forge', 35.00, 1.500)",
        "UPDATE items SET cost = 19.90 WHERE item_id = 1",
        "DELETE FROM items WHERE item_id = 12",
    ],
}
DENIED = {
    "logistics": [
        "UPDATE orders SET total_price = 0 WHERE order_id = 1",
        "DELETE FROM orders WHERE order_id = 6",
        "INSERT INTO items VALUES (98, 'x', 'y', 1, 1)",
        "SELECT * FROM runs",
        "SELECT email FROM members",
        "SELECT date_of_birth FROM members",
        "SELECT mobile_no FROM members",
        "SELECT membership_id FROM members",
        "SELECT membership_id FROM orders",
        "CREATE TEMP TABLE scratch (a int)",
    ],
    "analytics": [
        "UPDATE orders SET status = 'paid' WHERE order_id = 1",
        "INSERT INTO items VALUES (97, 'x', 'y', 1, 1)",
        "DELETE FROM members",
        "CREATE TABLE scratch (a int)",
        "SELECT * FROM members",
        "SELECT first_name, email FROM members",
        "SELECT membership_id FROM orders",
        "CREATE TEMP TABLE scratch (a int)",
    ],
    "membership": ["UPDATE members SET email = 'x@y.com'", "SELECT * FROM orders", "CREATE TEMP TABLE t (a int)"],
    "footfall_reader": [
        "DELETE FROM runs",
        "UPDATE members SET email = 'x@y.com'",
        "CREATE TEMP TABLE t (a int)",
        "CREATE TABLE t (a int)",
    ],
    "sales": [
        "SELECT * FROM orders",
        "UPDATE orders SET status = 'paid' WHERE order_id = 1",
        "DELETE FROM members",
        "INSERT INTO order_items VALUES (1, 5, 1, 1.00, 1.000)",
    ],
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_can_do_its_job(sales_db: psycopg.Connection, role: str) -> None:
    for sql in ALLOWED[role]:
        _as(sales_db, role, sql)


@pytest.mark.parametrize(("role", "sql"), [(r, s) for r, statements in DENIED.items() for s in statements])
def test_each_role_is_refused_everything_else(sales_db: psycopg.Connection, role: str, sql: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as(sales_db, role, sql)


def test_no_team_role_owns_a_table(sales_db: psycopg.Connection) -> None:
    owners = sales_db.execute(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()"
    ).fetchall()
    assert {o for (o,) in owners}.isdisjoint({"logistics", "analytics", "sales", "membership", "footfall_reader"})
