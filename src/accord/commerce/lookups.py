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
