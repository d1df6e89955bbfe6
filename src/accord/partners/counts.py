"""Row counts for the pages everybody opens first, at the cost of the SQL rather than of the ORM.

A dashboard shows a dozen counters. Each `QuerySet.count()` costs ~0.2 ms of Python to build and
compile before the database answers in ~0.01 ms; on the busiest pages that was most of the page's cost.
These helpers take the same simple filters (equality, `__in`, `__isnull`) and write the SQL directly,
with column and table names from the model's metadata so renames stay safe; `where_sql` gives the same
condition to hot-path statements that sum or pick rows. Anything richer belongs in a QuerySet.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import Model


def where_sql(model: type[Model], connection, **filters) -> tuple[str, list]:
    """(WHERE condition, parameters) for simple filters, for hot-path SQL that is more than a count."""
    clauses, params = [], []
    quote = connection.ops.quote_name
    for key, value in filters.items():
        name, _sep, lookup = key.partition("__")
        field = model._meta.get_field(name)
        column = quote(field.column)
        if lookup == "in":
            values = list(value)
            if not values:
                return "1 = 0", []
            clauses.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(field.get_db_prep_value(item, connection) for item in values)
        elif lookup == "isnull":
            clauses.append(f"{column} IS {'NULL' if value else 'NOT NULL'}")
        elif lookup == "":
            if value is None:
                raise ValueError(f"{key}=None: use {name}__isnull=True")
            if isinstance(value, Model):
                value = value.pk
            clauses.append(f"{column} = %s")
            params.append(field.get_db_prep_value(value, connection))
        else:
            raise ValueError(f"unsupported lookup {key!r}: use a QuerySet")
    return " AND ".join(clauses) or "1 = 1", params


def count_rows(model: type[Model], **filters) -> int:
    """`count_rows(Order, partner_id=7, status__in=OPEN)` == `Order.objects.filter(...).count()`."""
    return count_many(rows=(model, filters))["rows"]


def count_many(**counters: tuple[type[Model], dict]) -> dict[str, int]:
    """Several `count_rows` in one statement: `count_many(orders=(Order, {"partner_id": 7}), ...)`.

    A card that shows three counters pays one round trip instead of three (on PostgreSQL, each costs the
    web process and the database more than the counting).
    """
    if not counters:
        return {}
    first_model, _filters = next(iter(counters.values()))
    connection = connections[router.db_for_read(first_model)]
    quote = connection.ops.quote_name
    selects, params = [], []
    for model, filters in counters.values():
        where, where_params = where_sql(model, connection, **filters)
        selects.append(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)} WHERE {where})")  # noqa: S608 -- _meta
        params.extend(where_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return dict(zip(counters, cursor.fetchone(), strict=True))


def count_rows_by(model: type[Model], field: str, **filters) -> dict:
    """{value of `field`: rows}, only values that occur: a GROUP BY count with the same filters."""
    connection = connections[router.db_for_read(model)]
    where, params = where_sql(model, connection, **filters)
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT {column}, COUNT(*) FROM {table} WHERE {where} GROUP BY {column}",  # noqa: S608
                       params)
        return dict(cursor.fetchall())

