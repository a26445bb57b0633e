"""The engine's full-text structure: FTS5 on SQLite, a weighted tsvector with GIN on PostgreSQL."""

from django.db import migrations


def create(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute("CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
                        "exact, folded, tokenize='unicode61 remove_diacritics 0')")
        elif conn.vendor == "postgresql":
            cur.execute("ALTER TABLE search_searchentry ADD COLUMN IF NOT EXISTS vector tsvector")
            cur.execute("CREATE INDEX IF NOT EXISTS search_vector_gin ON search_searchentry USING gin (vector)")


def drop(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute("DROP TABLE IF EXISTS search_fts")
        elif conn.vendor == "postgresql":
            cur.execute("DROP INDEX IF EXISTS search_vector_gin")
            cur.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS vector")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
