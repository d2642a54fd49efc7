"""An account's timeline reads activities.rollup_account: a contact's activities carry their
company. When a contact changes company, its activities move to the new company's timeline.

A trigger, not application code: contacts change company through forms, imports (bulk
updates), the admin and the API, and every path must keep the copy true.
"""

from django.db import migrations

POSTGRESQL_FORWARDS = """
CREATE FUNCTION activity_rollup_follows_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activities_activity SET rollup_account_id = NEW.company_id WHERE regarding_contact_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER activity_rollup_follows_contact
    AFTER UPDATE OF company_id ON contacts_contact
    FOR EACH ROW WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id)
    EXECUTE FUNCTION activity_rollup_follows_contact();
"""
POSTGRESQL_BACKWARDS = """
DROP TRIGGER IF EXISTS activity_rollup_follows_contact ON contacts_contact;
DROP FUNCTION IF EXISTS activity_rollup_follows_contact();
"""
SQLITE_FORWARDS = """
CREATE TRIGGER activity_rollup_follows_contact
    AFTER UPDATE OF company_id ON contacts_contact
    FOR EACH ROW WHEN OLD.company_id IS NOT NEW.company_id
BEGIN
    UPDATE activities_activity SET rollup_account_id = NEW.company_id WHERE regarding_contact_id = NEW.id;
END;
"""
SQLITE_BACKWARDS = "DROP TRIGGER IF EXISTS activity_rollup_follows_contact;"


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
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
