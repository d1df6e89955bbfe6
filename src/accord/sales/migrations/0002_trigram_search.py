"""On PostgreSQL, a trigram index on the normalised company name for the console's registration search.

SQLite has no pg_trgm; the migration does nothing there, and search falls back to a plain LIKE scan.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS sales_deal_company_norm_trgm ON sales_deal USING gin (company_norm gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS sales_deal_company_norm_trgm")


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
