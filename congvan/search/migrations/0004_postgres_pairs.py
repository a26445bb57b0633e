"""PostgreSQL: a second tsvector, ``pairs``, holds the syllable pairs of both forms (phrases are found
through them), with its GIN index; every entry gets its pairs. SQLite is unchanged (0003)."""

from django.db import migrations

from congvan.lib.vntext import pairs_tsvector


def forward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cur:
        cur.execute("ALTER TABLE search_searchentry ADD COLUMN IF NOT EXISTS pairs tsvector")
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
            cur.execute(
                "UPDATE search_searchentry SET pairs = x.p::tsvector FROM (SELECT unnest(%s::bigint[]) AS id, "
                "unnest(%s::text[]) AS p) x WHERE document_id = x.id",
                [[r[0] for r in rows], [pairs_tsvector(e, f) for _, e, f in rows]],
            )
            last = rows[-1][0]
        cur.execute("CREATE INDEX IF NOT EXISTS search_pairs_gin ON search_searchentry USING gin (pairs)")


def backward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cur:
        cur.execute("DROP INDEX IF EXISTS search_pairs_gin")
        cur.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS pairs")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_syllable_pairs")]
    operations = [migrations.RunPython(forward, backward)]
