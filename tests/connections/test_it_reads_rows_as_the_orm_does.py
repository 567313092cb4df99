"""connections.rows: the precompiled statements of the hot paths build the same instances as
the ORM (every field, encrypted, JSON, UUID and datetime ones included), on SQLite and on
PostgreSQL alike, cache missing one-to-one rows as select_related does, and refuse what the
ORM refuses (a row lock outside a transaction, an update of a row that is gone)."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.db import connection as db
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.access import get_connection_for_token
from api.models import APIKey
from connections import keepalive, rows
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


def test_the_keepalive_lock_reads_what_the_orm_reads(team):
    connection = make_connection(team)

    with transaction.atomic():
        locked, tokens = keepalive._lock(connection.pk)
        with CaptureQueriesContext(db) as queries:
            app = locked.client_credentials
            assert locked.tokens is tokens and tokens.connection is locked

    assert len(queries) == 0
    assert values(locked) == values(Connection.objects.get(pk=connection.pk))
    assert values(tokens) == values(TokenSet.objects.get(connection=connection))
    assert values(app) == values(ClientCredentials.objects.get(connection=connection))


def test_a_missing_row_is_known_missing_without_a_query(team):
    connection = make_connection(team)
    ClientCredentials.objects.filter(connection=connection).delete()  # a Dynamics connection
    key, _ = APIKey.create(team, "Loader", ["tokens:issue"])
    untokened = make_connection(team, name="No tokens", tokens=False)

    with transaction.atomic():
        locked, _ = keepalive._lock(connection.pk)
        with CaptureQueriesContext(db) as queries:
            assert getattr(locked, "client_credentials", None) is None
    found = get_connection_for_token(key, str(untokened.code))
    with CaptureQueriesContext(db) as more:
        assert getattr(found, "tokens", None) is None

    assert len(queries) == len(more) == 0


def test_the_token_lookup_and_the_key_read_what_the_orm_reads(team):
    connection = make_connection(team, username="ada@example.com")
    key, raw = APIKey.create(team, "Loader", ["tokens:issue"])

    found = get_connection_for_token(key, str(connection.code))

    orm = Connection.objects.get(pk=connection.pk)
    assert {f: getattr(found, f) for f in ("code", "status", "username", "team_id")} == {
        f: getattr(orm, f) for f in ("code", "status", "username", "team_id")
    }
    assert found.tokens.access_token == orm.tokens.access_token
    assert values(APIKey.from_raw(raw)) == values(APIKey.objects.get(pk=key.pk))


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_outside_a_transaction_is_refused(team):
    connection = make_connection(team)

    with pytest.raises(TransactionManagementError):
        keepalive._lock(connection.pk)


def test_an_update_of_a_missing_row_raises(team):
    tokens = TokenSet.objects.get(connection=make_connection(team))
    TokenSet.objects.filter(pk=tokens.pk).delete()

    with pytest.raises(DatabaseError, match="no row was updated"):
        rows.Update(TokenSet, ["access_token", "updated"]).run(tokens)
