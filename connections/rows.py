"""Precompiled statements for the hot paths: the API's key and token lookups, the keep-alive's
locked read, attempt mark and writes.

Django's ORM compiles a query on every call: for a lookup that joins two tables and selects
a few dozen columns, building the SQL and its converters costs more than PostgreSQL spends
answering it (benchmarks/RESULTS.md, round 8). These are compiled once per process from the
models' metadata (table and column names, each field's converters), then run with plain
parameters. ``Select`` builds model instances the way the ORM does (``Model.from_db``, the
fields not selected deferred, ``attach`` for joined one-to-one rows); ``Update`` writes what
``save(update_fields=...)`` would, minus the model's ``save()`` override and the signals.

Use them only where a benchmark shows the ORM's compilation matters; everywhere else the ORM
is clearer.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db import DatabaseError, connections, models
from django.db.transaction import TransactionManagementError


@dataclass(frozen=True)
class Part:
    """One model's columns in a Select: ``model`` under table ``alias``, its ``fields``
    (names; default all) but those in ``defer``; the primary key is always read."""

    model: type[models.Model]
    alias: str
    fields: Sequence[str] = ()
    defer: Sequence[str] = ()

    @cached_property
    def columns(self) -> list[models.Field]:
        """The fields read, in the model's order (``Model.from_db`` takes them so)."""
        meta = self.model._meta
        chosen = {meta.get_field(name) for name in self.fields} or set(meta.concrete_fields)
        chosen -= {meta.get_field(name) for name in self.defer}
        return [f for f in meta.concrete_fields if f.primary_key or f in chosen]

    @cached_property
    def attnames(self) -> list[str]:
        return [field.attname for field in self.columns]


class Select:
    """``SELECT <the parts' columns> <tail>``: ``tail`` is the SQL after the column list
    (``FROM … WHERE …``), with ``%s`` parameters and the parts' aliases; the table of a
    part is ``{alias}`` formatted with its quoted name, e.g. ``FROM {c} AS c``; ``tables``
    names more tables the tail uses (alias: model). ``lock_of``: the aliases whose rows
    ``SELECT … FOR UPDATE OF`` locks, on databases that have it (SQLite has no row locks: the
    keep-alive serializes there with IMMEDIATE transactions). Compiled on first use."""

    def __init__(
        self,
        parts: Sequence[Part],
        tail: str,
        tables: dict[str, type[models.Model]] | None = None,
        lock_of: Sequence[str] = (),
        using: str = "default",
    ):
        self.parts, self.tail, self.using = tuple(parts), tail, using
        self.lock_of = tuple(lock_of)
        self.tables = {part.alias: part.model for part in parts} | (tables or {})

    @cached_property
    def _compiled(self) -> tuple[str, list]:
        """The SQL, and for each column its expression and converters (as the ORM's
        compiler would apply them: the backend's, then the field's ``from_db_value``)."""
        db = connections[self.using]
        quote = db.ops.quote_name
        selected, readers = [], []
        for part in self.parts:
            for field in part.columns:
                selected.append(f"{quote(part.alias)}.{quote(field.column)}")
                col = field.get_col(part.alias)
                readers.append((col, db.ops.get_db_converters(col) + col.get_db_converters(db)))
        tables = {alias: quote(model._meta.db_table) for alias, model in self.tables.items()}
        sql = f"SELECT {', '.join(selected)} {self.tail.format(**tables)}"
        if self.lock_of and db.features.has_select_for_update:
            of = (
                [quote(alias) for alias in self.lock_of]
                if db.features.has_select_for_update_of
                else []
            )
            sql = f"{sql} {db.ops.for_update_sql(of=of)}"
        return sql, readers

    def first(self, params: Sequence) -> list[models.Model | None] | None:
        """The first row as one instance per part (None for a part whose primary key is
        NULL, an outer join that found nothing), or None when there is no row. ``params``
        must be database values (see ``db_value``)."""
        sql, readers = self._compiled
        db = connections[self.using]
        if self.lock_of and db.get_autocommit():
            # As the ORM's select_for_update: a row lock outside a transaction ends at once.
            raise TransactionManagementError("A locking Select needs a transaction.")
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for index, (col, converters) in enumerate(readers):
            for converter in converters:
                values[index] = converter(values[index], col, db)
        instances, start = [], 0
        for part in self.parts:
            end = start + len(part.columns)
            if values[start] is None:
                instances.append(None)
            else:
                instances.append(part.model.from_db(self.using, part.attnames, values[start:end]))
            start = end
        return instances


def attach(instance: models.Model, name: str, related: models.Model | None) -> None:
    """Cache ``related`` (None: there is no such row) as ``instance``'s reverse one-to-one
    ``name`` on both sides, as ``select_related`` does: reading it then runs no query."""
    relation = getattr(type(instance), name).related
    relation.set_cached_value(instance, related)
    if related is not None:
        relation.field.set_cached_value(related, instance)


def db_value(model: type[models.Model], field: str, value, using: str = "default"):
    """``value`` as the database stores ``model``'s ``field`` (a UUID is text on SQLite)."""
    return model._meta.get_field(field).get_db_prep_value(value, connections[using])


class Update:
    """``UPDATE <model's table> SET <fields> WHERE <primary key> = %s``, compiled once:
    ``run(instance)`` writes what ``instance.save(update_fields=fields)`` would (each
    field's ``pre_save``, so ``auto_now`` stamps, then ``get_db_prep_save``, so encryption),
    minus the model's ``save()`` override and the save signals."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], using: str = "default"):
        self.model, self.using = model, using
        self.fields = [model._meta.get_field(name) for name in fields]

    @cached_property
    def _sql(self) -> str:
        quote = connections[self.using].ops.quote_name
        meta = self.model._meta
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in self.fields)
        # Quoted identifiers from the model's metadata; every value is a parameter.
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        return f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608

    def run(self, instance: models.Model) -> None:
        """Write ``instance``'s fields. Raises DatabaseError when its row is gone, as
        ``save(update_fields=...)`` does."""
        db = connections[self.using]
        params = [f.get_db_prep_save(f.pre_save(instance, False), db) for f in self.fields]
        with db.cursor() as cursor:
            cursor.execute(self._sql, [*params, instance.pk])
            if cursor.rowcount == 0:
                raise DatabaseError(f"{self.model.__name__} {instance.pk}: no row was updated.")


class Statement:
    """Any other statement, its ``{alias}`` tables formatted once (``tables``: alias: model):
    ``run(params)`` returns the number of rows it changed. ``params`` are database values."""

    def __init__(self, sql: str, tables: dict[str, type[models.Model]], using: str = "default"):
        self.sql, self.tables, self.using = sql, tables, using

    @cached_property
    def _sql(self) -> str:
        quote = connections[self.using].ops.quote_name
        return self.sql.format(**{a: quote(m._meta.db_table) for a, m in self.tables.items()})

    def run(self, params: Sequence) -> int:
        with connections[self.using].cursor() as cursor:
            cursor.execute(self._sql, params)
            return cursor.rowcount
