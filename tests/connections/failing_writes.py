"""Make the database refuse the first writes of a TokenSet's tokens, as a failover, a dropped
connection or a lock timeout would."""

from contextlib import contextmanager

from django.db import OperationalError
from django.db import connection as db


def _writes_tokens(sql: str) -> bool:
    return (
        sql.startswith(("UPDATE", "INSERT"))
        and '"connections_tokenset"' in sql
        and '"access_token"' in sql
    )


@contextmanager
def failing_token_writes(times: int):
    """The first ``times`` token writes raise OperationalError. Yields the list of the raw
    database connections each token write was sent on, refused ones included."""
    sent_on = []

    def refuse(execute, sql, params, many, context):
        if _writes_tokens(sql):
            sent_on.append(context["connection"].connection)
            if len(sent_on) <= times:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with db.execute_wrapper(refuse):
        yield sent_on
