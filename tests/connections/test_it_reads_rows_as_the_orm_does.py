"""connections.rows: the precompiled reads of the hot paths build the same instances as the
ORM (every field, encrypted, JSON, UUID and datetime ones included), on SQLite and on
PostgreSQL alike, so the code after them can't tell the difference."""

from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import APIKey
from connections import rows
from connections.models import ClientCredentials, Connection, TokenSet
from tests.connections.helpers import make_connection

pytestmark = pytest.mark.django_db

JOINED = rows.Select(
    (
        rows.Part(Connection, "c"),
        rows.Part(TokenSet, "t"),
        rows.Part(ClientCredentials, "k"),
    ),
    "FROM {c} AS c LEFT OUTER JOIN {t} AS t ON t.connection_id = c.id"
    " LEFT OUTER JOIN {k} AS k ON k.connection_id = c.id WHERE c.code = %s",
)


def values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def find(connection: Connection):
    return JOINED.first([rows.db_value(Connection, "code", connection.code)])


def test_it_builds_the_instances_the_orm_builds(team):
    connection = make_connection(team, next_refresh_at=timezone.now() + timedelta(hours=1))
    TokenSet.objects.filter(connection=connection).update(provider_data={"tenant": "a b"})

    found, tokens, app = find(connection)

    assert values(found) == values(Connection.objects.get(pk=connection.pk))
    assert values(tokens) == values(TokenSet.objects.get(connection=connection))
    assert values(app) == values(ClientCredentials.objects.get(connection=connection))
    assert tokens.provider_data == {"tenant": "a b"}
    assert not found._state.adding and found._state.db == "default"


def test_an_outer_join_that_finds_nothing_is_none(team):
    connection = make_connection(team, tokens=False)

    found, tokens, app = find(connection)

    assert found.pk == connection.pk and tokens is None and app is not None


def test_no_row_is_none(team):
    assert JOINED.first([rows.db_value(Connection, "code", Connection().code)]) is None


def test_the_fields_not_read_load_on_first_use(team):
    connection = make_connection(team, username="ada@example.com")
    select = rows.Select([rows.Part(Connection, "c", ["status"])], "FROM {c} AS c WHERE c.id = %s")

    [found] = select.first([connection.pk])

    assert found.get_deferred_fields() >= {"username", "name", "team_id"}
    assert found.status == Connection.Status.CONNECTED
    with CaptureQueriesContext(db) as queries:
        assert found.username == "ada@example.com"
    assert len(queries) == 1


def test_json_and_datetime_fields_read_back(team):
    expires = timezone.now() + timedelta(days=3)
    key, _ = APIKey.create(team, "Loader", ["tokens:issue", "proxy"], expires_at=expires)
    select = rows.Select([rows.Part(APIKey, "k")], "FROM {k} AS k WHERE k.id = %s")

    [found] = select.first([key.pk])

    assert values(found) == values(APIKey.objects.get(pk=key.pk))
    assert found.scopes == ["proxy", "tokens:issue"] and found.expires_at == expires


def test_it_locks_only_where_the_database_can(team):
    select = rows.Select(
        [rows.Part(Connection, "c")], "FROM {c} AS c WHERE c.id = %s", lock_of=("c",)
    )
    sql, _ = select._compiled

    if db.features.has_select_for_update_of:
        assert sql.endswith(f"FOR UPDATE OF {db.ops.quote_name('c')}"), sql
    else:
        assert "FOR UPDATE" not in sql, sql
