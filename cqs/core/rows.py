"""Model instances from hand-written SQL, for the few reads on the submission hot path.

The ORM compiles a queryset to SQL on every call: for a read of a dossier with its procedure,
agency and applicant that is some four hundred column expressions, more CPU than PostgreSQL
spends answering it. These helpers give such a read the ORM's column list and its row-to-instance
conversion (field converters, `Model.from_db`), built once per process from the models' own
metadata, so the SQL stays in step with the models while only its joins and conditions are
written by hand:

    sql = f"SELECT {columns(Dossier, 'd')}, {columns(Agency, 'a')} FROM ... WHERE d.id = %s"
    dossier, agency = one(sql, [pk], Dossier, Agency) or (None, None)

The writes of that path go the same way: `insert_statement` and `update_assignments` with
`values` give a model's INSERT and UPDATE with the values `save()` would write, and
`execute_together` sends writes as one statement (one round trip), answering with a row when asked.

Use it where a profile shows ORM compilation on a path that runs for every request; elsewhere the
ORM's querysets are clearer and fast enough.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Model, signals
from django.db.models.base import ModelState

M = TypeVar("M", bound=Model)


@functools.cache
def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, qualified by `alias`, in field order (what `instances` reads)."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


@functools.cache
def _reader(model: type[Model]) -> tuple[int, list[str], int, list[tuple[int, Callable[..., Any], Any]]]:
    fields = model._meta.concrete_fields
    converters = [
        (position, converter, field)
        for position, field in enumerate(fields)
        for converter in field.get_db_converters(connection)
    ]
    return len(fields), [field.attname for field in fields], fields.index(model._meta.pk), converters


def instance(model: type[M], row: Sequence[Any], start: int = 0) -> M | None:
    """The instance of `model` whose `columns()` begin at `row[start]`, as the ORM would build it;
    None when its primary key is NULL (an outer join that found nothing)."""
    width, names, pk_position, converters = _reader(model)
    values = list(row[start : start + width])
    if values[pk_position] is None:
        return None
    for position, converter, field in converters:
        values[position] = converter(values[position], field, connection)
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db(connection.alias, names, values)
    # What `from_db` makes of a full row, without `Model.__init__`'s walk through the fields'
    # descriptors and its two signals (none listened to here): a dossier in 6 µs instead of 12.
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, values, strict=True))
    state = obj._state = ModelState()
    state.adding, state.db = False, connection.alias
    return obj


def width(model: type[Model]) -> int:
    """How many columns `columns(model, ...)` reads: where the next model's columns begin."""
    return _reader(model)[0]


def instances(row: Sequence[Any], *models: type[Model], start: int = 0) -> list[Any]:
    """One instance per model, from consecutive `columns()` of each in `row`."""
    found = []
    for model in models:
        found.append(instance(model, row, start))
        start += _reader(model)[0]
    return found


def one(sql: str, params: Sequence[Any], *models: type[Model]) -> list[Any] | None:
    """Run a read of one row made of `columns()` of each model in turn: its instances, or None
    when there is no row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return instances(row, *models) if row is not None else None


def attach(instance_: Model, relation: str, related: Model | None) -> None:
    """Make `instance_.<relation>` return `related` without a query (what select_related does)."""
    instance_._meta.get_field(relation).set_cached_value(instance_, related)


@functools.cache
def _insert_plan(model: type[Model]) -> tuple[str, list[Any]]:
    """The model's INSERT and its fields: every concrete one but a generated column and a serial
    key (the database assigns it)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated and not (f is meta.pk and f.db_returning)]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 - model names
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    return sql, fields


def _saved(obj: Model) -> None:
    obj._state.adding = False
    obj._state.db = connection.alias


def values(obj: Model, fields: Sequence[Any], *, add: bool) -> list[Any]:
    """The database values of `fields` of `obj` as `save()` would write them (`pre_save`, so
    `auto_now` fields are set on `obj` too)."""
    found = []
    for field in fields:
        plain = _plain(field)
        if plain is not None:
            kind, adapt = plain
            value = obj.__dict__.get(field.attname, _ABSENT)
            if value is None or (type(value) is kind and (kind is not dt.datetime or value.tzinfo is not None)):
                found.append(value if adapt is None or value is None else adapt(value))
                continue
        found.append(field.get_db_prep_save(field.pre_save(obj, add=add), connection=connection))
    return found


_ABSENT = object()


@functools.cache
def _plain(field: Any) -> tuple[type, Callable[[Any], Any] | None] | None:
    """For a field whose `pre_save` is the attribute and whose `get_db_prep_save` of a value of
    one Python type is that value (or an integer wrapped in the width Django gives it): that
    type and the wrapper. None for any other field, which goes through Django's calls: they took
    a third of the CPU of building a row's values. A foreign key writes its target's values."""
    target = field.target_field if field.is_relation and field.many_to_one else field
    kind = type(target)
    if kind in (models.CharField, models.TextField, models.EmailField):
        return str, None
    if kind is models.BooleanField:
        return bool, None
    if kind is models.UUIDField:
        return uuid.UUID, None
    if kind in (models.DateTimeField, models.DateField) and not (target.auto_now or target.auto_now_add):
        return (dt.datetime if kind is models.DateTimeField else dt.date), None  # an aware moment
    if kind in (models.AutoField, models.BigAutoField, models.SmallAutoField):
        return int, None  # Django validates an automatic key, it does not wrap it
    if kind in (
        models.SmallIntegerField,
        models.IntegerField,
        models.BigIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveBigIntegerField,
    ):
        return int, connection.ops.integerfield_type_map[target.get_internal_type()]
    return None


def insert_statement(obj: Model) -> tuple[str, list[Any]]:
    """`obj.save()` of a new row as (sql, params) for `execute_together`, which writes it along
    with other rows: field defaults, `auto_now_add` and the database's conversions as the ORM
    applies them, no signals (none of the hot path's models has receivers). A serial key is not
    read back: the object's `pk` stays None."""
    sql, fields = _insert_plan(type(obj))
    params = values(obj, fields, add=True)
    _saved(obj)
    return sql, params


def execute_together(
    statements: Sequence[tuple[str, Sequence[Any]]],
    *,
    named: Sequence[tuple[str, str, Sequence[Any]]] = (),
    answer: str = "",
) -> tuple[Any, ...] | None:
    """Run writes that need no answer as one statement (all but the last as WITH clauses): one
    round trip to the server instead of one each, with the same effect. PostgreSQL runs them in
    no set order and each sees the database as it was before the statement, so they must not
    depend on each other's rows (foreign keys may: Django makes them deferred, checked at
    commit).

    With `answer`, a SELECT over the `named` clauses (`(name, sql, params)`, first in the WITH
    list, so that one may read another's RETURNING), every write becomes a WITH clause and the
    answer's one row is returned: a write whose result is needed goes in the same round trip."""
    if named and not answer:
        raise ValueError("named clauses are there to be read by an answer")
    if answer:
        clauses = [*named, *((f"w{n}", sql, params) for n, (sql, params) in enumerate(statements))]
        main_sql, main_params = answer, ()
    elif statements:
        *first, (main_sql, main_params) = statements
        clauses = [(f"w{n}", sql, params) for n, (sql, params) in enumerate(first)]
    else:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {', '.join(f'{name} AS ({sql})' for name, sql, _params in clauses)} {main_sql}"
            if clauses
            else main_sql,
            [value for _name, _sql, params in clauses for value in params] + list(main_params),
        )
        return cursor.fetchone() if answer else None


@functools.cache
def update_assignments(model: type[Model], field_names: tuple[str, ...]) -> tuple[str, list[Any]]:
    """`column = %s, ...` of an UPDATE of `field_names` and the model's `auto_now` fields, and
    those fields in order (their values: `values(obj, fields, add=False)`)."""
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    fields += [f for f in meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields]
    quote = connection.ops.quote_name
    return ", ".join(f"{quote(f.column)} = %s" for f in fields), fields
