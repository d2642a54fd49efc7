# crm_fold(text): text in capitals without accents, for quick find and the A-Z bar
# (crm.models.FoldedUpper). On PostgreSQL, an immutable wrapper of the unaccent extension
# (postgresql-contrib, like pg_trgm), so it can be indexed and stored in a generated column;
# SQLite gets it from the app on each connection, so nothing happens there.

from django.db import migrations

from crm.models import FOLD_FUNCTION


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
        schema = cursor.fetchone()[0]
    # unaccent() itself is only STABLE (its dictionary could change); naming the dictionary
    # makes the result depend on the text alone.
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FOLD_FUNCTION}(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        f"AS $$ SELECT upper({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$"
    )


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0002_user_preferences"),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function, elidable=False),
    ]
