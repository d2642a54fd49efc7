"""An activity moved to another record (a merge relinks them, Undo merge puts them back) rolls
up to that record's account: the regarding account, or the regarding contact's company.

A trigger like 0002's, for the same reason: every path that relinks activities (merge, undo,
the admin, raw SQL) keeps the copy true without knowing about it.
"""

from django.db import migrations

POSTGRESQL_FORWARDS = """
CREATE FUNCTION activity_rollup_follows_regarding() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.regarding_account_id IS NOT NULL THEN
        NEW.rollup_account_id := NEW.regarding_account_id;
    ELSE
        NEW.rollup_account_id := (SELECT company_id FROM contacts_contact WHERE id = NEW.regarding_contact_id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER activity_rollup_follows_regarding
    BEFORE UPDATE OF regarding_account_id, regarding_contact_id ON activities_activity
    FOR EACH ROW WHEN (OLD.regarding_account_id IS DISTINCT FROM NEW.regarding_account_id
                       OR OLD.regarding_contact_id IS DISTINCT FROM NEW.regarding_contact_id)
    EXECUTE FUNCTION activity_rollup_follows_regarding();
"""
POSTGRESQL_BACKWARDS = """
DROP TRIGGER IF EXISTS activity_rollup_follows_regarding ON activities_activity;
DROP FUNCTION IF EXISTS activity_rollup_follows_regarding();
"""
SQLITE_FORWARDS = """
CREATE TRIGGER activity_rollup_follows_regarding
    AFTER UPDATE OF regarding_account_id, regarding_contact_id ON activities_activity
    FOR EACH ROW WHEN OLD.regarding_account_id IS NOT NEW.regarding_account_id
                   OR OLD.regarding_contact_id IS NOT NEW.regarding_contact_id
BEGIN
    UPDATE activities_activity
    SET rollup_account_id = COALESCE(
        NEW.regarding_account_id, (SELECT company_id FROM contacts_contact WHERE id = NEW.regarding_contact_id)
    )
    WHERE id = NEW.id;
END;
"""
SQLITE_BACKWARDS = "DROP TRIGGER IF EXISTS activity_rollup_follows_regarding;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARDS, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARDS, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARDS, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARDS, params=None)


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_one_owner_like_records")]

    operations = [migrations.RunPython(forwards, backwards)]
