"""Fast writes for the engine's hot paths: ids from the sequence in one query, rows by COPY (PostgreSQL).

Building model instances and compiling a multi-row INSERT costs far more than the database work itself at
thousands of rows per batch; plain tuples through COPY keep a batch to a few milliseconds. Other databases
(SQLite, the embedded default) take the ordinary `bulk_create` path.
"""

from __future__ import annotations

import json
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

_dumps = partial(json.dumps, cls=DjangoJSONEncoder)


def fast() -> bool:
    return connection.vendor == "postgresql"


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys from the model's sequence, in one round trip."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, count])
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into the model's table; dict/list values go in as JSON."""
    from psycopg.types.json import Jsonb

    if not rows:
        return
    qn = connection.ops.quote_name
    statement = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([Jsonb(v, dumps=_dumps) if isinstance(v, dict | list) else v for v in row])
