"""`<date>__days_since`: whole days from a date to today, usable wherever a lookup path is.

The automation engine reads condition fields as lookup paths (`due_date__days_since`), so "days
overdue" is computed in SQL for a million invoices at once instead of in Python one by one.
"""

from __future__ import annotations

from django.db import models


class DaysSince(models.Transform):
    lookup_name = "days_since"
    output_field = models.IntegerField()

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        return f"(CURRENT_DATE - {lhs})", params

    def as_sqlite(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        return f"CAST(julianday(date('now')) - julianday({lhs}) AS INTEGER)", params


models.DateField.register_lookup(DaysSince)


class AnyOf(models.Lookup):
    """`<field>__any=[…]`: membership in a list sent as one array parameter on PostgreSQL.

    `__in` binds one parameter per value; with thousands of partners or products (a price book for a
    batch) turning them into SQL costs more than running the query. SQLite falls back to an IN list.
    """

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "0 = 1", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)
