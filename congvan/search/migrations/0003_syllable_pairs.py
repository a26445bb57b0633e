"""SQLite: the FTS5 table gains the syllable pairs of both forms (phrases are found through them).

The table is made again and filled from the stored entries (PostgreSQL is unchanged).
"""

from django.db import migrations

from congvan.lib.vntext import pairs

COLUMNS = "exact, folded, xpairs, fpairs, tokenize='unicode61 remove_diacritics 0 tokenchars ''_'''"


def forward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS search_fts")
        cur.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS})")
        last = 0
        while True:
            cur.execute(
                "SELECT document_id, exact, folded FROM search_searchentry WHERE document_id > %s "
                "ORDER BY document_id LIMIT 2000",
                [last],
            )
            rows = cur.fetchall()
            if not rows:
                break
            cur.executemany(
                "INSERT INTO search_fts (rowid, exact, folded, xpairs, fpairs) VALUES (%s, %s, %s, %s, %s)",
                [(i, e, f, pairs(e), pairs(f)) for i, e, f in rows],
            )
            last = rows[-1][0]


def backward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS search_fts")
        cur.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(exact, folded, tokenize='unicode61 remove_diacritics 0')"
        )
        cur.execute("INSERT INTO search_fts (rowid, exact, folded) SELECT document_id, exact, folded FROM search_searchentry")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_engine")]
    operations = [migrations.RunPython(forward, backward)]
