"""List queries built and compiled once per shape, then run with each request's values (ADR 0005).

Building a list page's QuerySet and compiling it to SQL costs 0.3–1 ms of Python per request, many times
what the database needs to answer it. Yet the SQL only changes with the query's *shape*: which filters are
set, the ordering, the page window, the kind of caller. A `PreparedQuery` calls its builder once per shape
with stand-ins for the values, notes where each stand-in lands among the SQL parameters, and afterwards
only binds the request's values there, converting the rows with the converters Django chose at compile time.

The builder is ordinary ORM code going through the usual scoped selectors, so the SQL is Django's own. Two
rules keep the binding honest, and compiling enforces both with an error:
- a value may reach the SQL only as an exact match or as a `contains`/`icontains` pattern;
- the builder must use each value as given: a builder that normalises one (`.upper()`, `.strip()`) would
  apply that to the stand-in only, so callers normalise before calling. Stand-ins are chosen to change
  under such normalisations, which is how compiling notices.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet

MAX_SHAPES = 512  # per query; a process that sees more shapes starts again (shapes are cheap to compile)
_BIGINT = 2**63


def _stand_in(kind: type, number: int) -> int | str:
    # Ints stay inside a 32-bit column's range, where Django keeps them as parameters; strings mix cases and
    # carry spaces, so case folding or stripping in a builder is noticed.
    return -2_000_000_000 - number if kind is int else f" \x1fStandIn{number}\x1f "


@dataclass(frozen=True)
class _Slot:
    name: str
    pattern: bool  # a LIKE pattern for contains/icontains rather than the value itself


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple  # constants, or a _Slot to fill with a request's value
    names: tuple[str, ...]
    converters: tuple  # (column index, converter functions, expression)
    using: str
    model: type[Model] | None = None  # for instances()


_EMPTY = _Compiled("", (), (), (), "")  # a shape that can match nothing (Django raised EmptyResultSet)


class PreparedQuery:
    """`PreparedQuery(build, values={"partner_id", "country"})`: `build(**arguments)` returns a QuerySet.

    Without `values`, every call runs the same compiled SQL (a choice list read fresh on each request).

    Arguments named in `values` that hold a non-empty int or str are bound per request; every other
    argument, and every empty value, is part of the shape. `rows()` expects `build` to return a `.values()`
    or `.values_list()` QuerySet (sliced for a page) and gives its rows as dicts by field name;
    `instances()` gives model objects from a model QuerySet; `count()` counts the rows of an unsliced one.
    """

    def __init__(self, build: Callable[..., QuerySet], *, values: set[str] | frozenset[str] = frozenset()):
        self._build = build
        self.value_names = frozenset(values)
        self._compiled: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, **arguments) -> list[dict]:
        compiled, bound = self._prepare("rows", arguments)
        if compiled is _EMPTY:
            return []
        return [dict(zip(compiled.names, row, strict=True)) for row in self._read(compiled, bound)]

    @staticmethod
    def _read(compiled: _Compiled, bound: list) -> list[list]:
        connection = connections[compiled.using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, bound)
            rows = [list(row[:len(compiled.names)]) for row in cursor.fetchall()]
        for index, converters, expression in compiled.converters:
            for row in rows:
                value = row[index]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[index] = value
        return rows

    def instances(self, **arguments) -> list[Model]:
        """The rows of a model QuerySet `build` returns, as model objects (its concrete fields only)."""
        compiled, bound = self._prepare("instances", arguments)
        if compiled is _EMPTY:
            return []
        rows = self._read(compiled, bound)
        return [compiled.model.from_db(compiled.using, compiled.names, row) for row in rows]

    def count(self, **arguments) -> int:
        compiled, bound = self._prepare("count", arguments)
        if compiled is _EMPTY:
            return 0
        with connections[compiled.using].cursor() as cursor:
            cursor.execute(compiled.sql, bound)
            return cursor.fetchone()[0]

    def _prepare(self, purpose: str, arguments: dict) -> tuple[_Compiled, list]:
        shape, values = [purpose], {}
        for name, value in sorted(arguments.items()):
            kind = type(value)
            if name in self.value_names and value and kind in (int, str):
                if kind is int and not -_BIGINT <= value < _BIGINT:
                    return _EMPTY, []  # no 64-bit column holds it: nothing can match exactly
                shape.append((name, kind))
                values[name] = value
            else:
                shape.append((name, "=", value))
        key = tuple(shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(purpose, arguments, values)
            with self._lock:
                if len(self._compiled) >= MAX_SHAPES:
                    self._compiled.clear()
                self._compiled[key] = compiled
        if compiled is _EMPTY:
            return compiled, []
        ops = connections[compiled.using].ops
        bound = [param if not isinstance(param, _Slot)
                 else f"%{ops.prep_for_like_query(values[param.name])}%" if param.pattern else values[param.name]
                 for param in compiled.params]
        return compiled, bound

    def _compile(self, purpose: str, arguments: dict, values: dict) -> _Compiled:
        stand_ins = {name: _stand_in(type(value), number) for number, (name, value) in enumerate(values.items())}
        queryset = self._build(**{**arguments, **stand_ins})
        model = queryset.model
        if purpose == "count":
            queryset = queryset.order_by().values("pk")
        elif purpose == "instances":
            queryset = queryset.values(*(field.attname for field in model._meta.concrete_fields))
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _EMPTY
        slots, found = [], set()
        for param in params:
            slot = _slot_for(param, stand_ins)
            if slot is not None:
                found.add(slot.name)
            slots.append(slot or param)
        missing = set(stand_ins) - found
        inlined = [name for name, stand_in in stand_ins.items() if str(stand_in) in sql]
        if missing or inlined:
            raise ValueError(f"{self._build.__qualname__}: {sorted(missing | set(inlined))} must reach the SQL "
                             "unchanged, as an exact or contains parameter (normalise values before the call)")
        if purpose == "count":
            return _Compiled(f"SELECT COUNT(*) FROM ({sql}) counted", tuple(slots), (), (), queryset.db)  # noqa: S608
        query = compiler.query
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        expressions = [selected[0] for selected in compiler.select[:compiler.col_count]]
        converters = tuple((index, tuple(functions), expression)
                           for index, (functions, expression) in compiler.get_converters(expressions).items())
        return _Compiled(sql, tuple(slots), names, converters, queryset.db, model)


def _slot_for(param, stand_ins: dict) -> _Slot | None:
    for name, stand_in in stand_ins.items():
        if type(param) is type(stand_in) and param == stand_in:
            return _Slot(name, pattern=False)
        if isinstance(param, str) and isinstance(stand_in, str) and stand_in in param:
            if param == f"%{stand_in}%":
                return _Slot(name, pattern=True)
            raise ValueError(f"{name}: only exact and contains lookups can be bound, not {param!r}")
    return None
