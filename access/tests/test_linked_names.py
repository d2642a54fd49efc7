"""A page names only the linked records its reader may read: the others are counted ("1 other
contact you can't see") or shown as a record they can't see, on record pages, delete
confirmations and the Audit History."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Event, Source
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as its reader reads it (entities decoded)."""
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def hidden(org):
    """Records of North West (which `owner`, a Salesperson of North, can't read) linked to
    records `owner` can read."""
    far_owner = org.far.owner
    secret_boss = ContactFactory(first_name="Secret", last_name="Boss", owner=far_owner, company=org.far)
    org.contact.manager = secret_boss
    org.contact.save()
    mine_child = AccountFactory(name="Hidden Child Ltd", owner=far_owner, parent=org.mine)
    hidden_report = ContactFactory(first_name="Hidden", last_name="Report", owner=far_owner, manager=org.contact)
    hidden_contact = ContactFactory(first_name="Hidden", last_name="Staff", owner=far_owner, company=org.mine)
    far_primary = AccountFactory(name="Far Primary Ltd", owner=far_owner, primary_contact=org.contact)
    shown_contact = ContactFactory(first_name="Shown", last_name="Reporter", owner=org.users["owner"], company=org.far)
    return {
        "boss": secret_boss,
        "child": mine_child,
        "report": hidden_report,
        "staff": hidden_contact,
        "far_primary": far_primary,
        "shown": shown_contact,
    }


def test_a_contact_page_hides_the_names_of_its_unreadable_company_and_manager(org, hidden):
    page = text(org.client("owner").get(hidden["shown"].get_absolute_url()))
    assert "Far Ltd" not in page and "Linked to an account you can't see." in page
    details = text(org.client("owner").get(hidden["shown"].get_absolute_url() + "?tab=details"))
    assert "Far Ltd" not in details and "A record you can't see" in details
    page = text(org.client("owner").get(org.contact.get_absolute_url()))
    assert "Secret Boss" not in page and "A contact you can't see." in page
    assert "Hidden Report" not in page and "1 other direct report you can't see." in page
    assert "Mine Ltd" in page  # a company the reader may read keeps its name
    manager_page = text(org.client("manager").get(org.contact.get_absolute_url()))
    assert "Secret Boss" in manager_page and "Hidden Report" in manager_page


def test_an_account_page_counts_the_contacts_and_sub_accounts_it_cant_name(org, hidden):
    page = text(org.client("owner").get(org.mine.get_absolute_url()))
    assert "Hidden Staff" not in page and "1 other contact you can't see." in page
    assert "Hidden Child Ltd" not in page and "1 other sub-account you can't see." in page
    assert "Cora Mine" in page
    far_page = text(org.client("manager").get(hidden["far_primary"].get_absolute_url()))
    assert "Cora Mine" in far_page  # Sales Manager of North reads North's contact


def test_an_account_page_hides_its_unreadable_parent(org, hidden):
    child_of_far = AccountFactory(name="Child Of Far", owner=org.users["owner"], parent=org.far)
    page = text(org.client("owner").get(child_of_far.get_absolute_url()))
    assert "Far Ltd" not in page and "An account you can't see." in page


def test_delete_confirmations_count_linked_records_without_naming_unreadable_ones(org, hidden):
    client = org.client("owner")
    contact_page = text(client.get(reverse("contacts:delete", args=[org.contact.pk])))
    assert "Far Primary Ltd" not in contact_page
    assert "1 other account you can't see will have no primary contact." in contact_page
    assert "1 direct report will have no manager. (1 of them you can't see.)" in contact_page
    account_page = text(client.get(reverse("accounts:delete", args=[org.mine.pk])))
    assert "This account still has 2 contacts" in account_page
    assert "1 of them you can't see" in account_page
    assert "Hidden Staff" not in account_page


def test_the_audit_history_hides_names_of_linked_records_the_reader_cant_read(org, hidden):
    AuditEntry.objects.create(
        event=Event.UPDATE,
        source=Source.FORM,
        record_type="contacts.contact",
        record_id=org.contact.pk,
        record_name=str(org.contact),
        changes={"manager_id": [None, hidden["boss"].pk], "company_id": [org.mine.pk, org.mine.pk + 10_000]},
    )
    url = reverse("audit:history", args=["contacts.contact", org.contact.pk])
    page = text(org.client("owner").get(url))
    assert "Secret Boss" not in page and "A record you can't see" in page
    assert "Mine Ltd" in page and "(deleted record" in page
    assert "Secret Boss" in text(org.client("manager").get(url))


def test_an_edit_form_keeps_an_unreadable_link_without_naming_it(org, hidden):
    from contacts.forms import ContactForm

    contact = hidden["shown"]  # the owner's contact, whose company (Far Ltd) they can't read
    client = org.client("owner")
    page = text(client.get(reverse("contacts:update", args=[contact.pk])))
    assert "Far Ltd" not in page and 'value="A record you can\'t see"' in page
    form = ContactForm(instance=contact, user=org.users["owner"])
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data.update(
        company=org.far.pk,
        company_label="A record you can't see",
        job_title="Buyer",
        loaded_version=contact.version,
    )
    data.pop("manager", None)
    response = client.post(reverse("contacts:update", args=[contact.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    contact.refresh_from_db()
    assert (contact.job_title, contact.company_id) == ("Buyer", org.far.pk)


def test_a_contacts_list_does_not_name_a_company_the_reader_cant_see(org, hidden):
    page = text(org.client("owner").get(reverse("contacts:list")))
    assert "Shown Reporter" in page
    assert "Far Ltd" not in page and "A record you can't see" in page
    assert "Far Ltd" in text(org.client("admin").get(reverse("contacts:list") + "?view=active"))


def test_an_accounts_list_does_not_name_a_primary_contact_the_reader_cant_see(org, hidden):
    readable = AccountFactory(name="Readable Ltd", owner=org.users["owner"], primary_contact=hidden["boss"])
    page = text(org.client("owner").get(reverse("accounts:list")))
    assert readable.name in page
    assert "Secret Boss" not in page and "A record you can't see" in page


def test_a_related_list_is_counted_readable_and_hidden_with_one_query(org, hidden, django_assert_num_queries):
    from access import guard

    owner = org.users["owner"]
    guard.visible(org.mine.contacts.all(), owner).exists()  # the user's access, read once per request
    with django_assert_num_queries(1):
        found = guard.seen(org.mine.contacts.all(), owner)
    assert (found.count, found.hidden) == (org.mine.contacts.exclude(pk=hidden["staff"].pk).count(), 1)
    assert hidden["staff"] not in found.records


@pytest.fixture
def exporting_owner(org, client):
    from django.contrib.auth.models import Permission

    owner = org.users["owner"]
    owner.user_permissions.add(*Permission.objects.filter(codename__in=["export_contact", "export_account"]))
    client.force_login(owner)
    return client


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_names_only_the_linked_records_its_reader_may_read(exporting_owner, hidden, file_format):
    from imports.tests.files import exported_rows

    rows = exported_rows(exporting_owner, "contact", file_format, "?view=active")
    header = rows[0]
    by_name = {row[header.index("Last Name")]: row for row in rows[1:]}
    company = header.index("Company Name")
    assert by_name["Reporter"][company] == "A record you can't see"
    assert by_name["Mine"][company] == "Mine Ltd"
    assert not any("Far Ltd" in str(cell) for row in rows for cell in row)


def test_a_vcard_names_only_a_company_its_reader_may_read(exporting_owner, hidden):
    card = exporting_owner.get(reverse("addressbooks:contact", args=[hidden["shown"].pk])).content.decode()
    assert "Far Ltd" not in card and "FN:Shown Reporter" in card
    response = exporting_owner.get(reverse("addressbooks:contacts") + "?view=active")
    cards = b"".join(response.streaming_content).decode()
    assert "Far Ltd" not in cards and "ORG:Mine Ltd;" in cards and "FN:Shown Reporter" in cards


def test_a_background_export_names_only_the_linked_records_its_reader_may_read(org, hidden):
    import io

    from contacts.models import Contact
    from crm import registry
    from imports import exports

    entity = registry.for_model(Contact).transfer
    records = exports.mask_unreadable_links(
        registry.for_model(Contact).records_for(org.users["owner"]).order_by("pk"),
        entity=entity,
        user=org.users["owner"],
    )
    output = io.BytesIO()
    exports.write_csv(output, entity=entity, records=records)  # COPY on PostgreSQL, Python elsewhere
    text = output.getvalue().decode("utf-8-sig")
    assert "Far Ltd" not in text and "A record you can't see" in text and "Mine Ltd" in text


def import_back(user, rows: list[list], *, name: str = "contacts.csv"):
    """Import Data of `rows` (header first) as `user`, contacts matched by their record ID."""
    from imports import entities, services
    from imports.models import ImportJob
    from imports.tests.files import csv_bytes, upload

    [job] = services.import_jobs_create(upload=upload(name, csv_bytes(rows)), entity="contact", by=user)
    services.import_job_submit(
        job=job,
        entity=entities.get("contact"),
        mapping=job.mapping,
        duplicates="update",
        match_key=entities.get("contact").match_keys[0],
        record_owner=user,
        allow_duplicates=True,
    )
    return ImportJob.objects.get(pk=job.pk)


def test_an_export_naming_a_record_its_reader_cant_see_imports_back_unchanged(org, hidden, exporting_owner):
    from contacts.models import Contact
    from imports.tests.conftest import grant

    owner = grant(org.users["owner"], "import_contact")
    rows = exported_rows_of(exporting_owner)
    before = list(Contact.objects.order_by("pk").values())

    job = import_back(owner, rows)

    assert job.failed_count == 0, list(job.failures.values_list("reason", flat=True))
    assert list(Contact.objects.order_by("pk").values()) == before
    assert not Contact.objects.model.company.field.related_model.objects.filter(name__icontains="can't see").exists()


def test_the_text_for_a_record_you_cant_see_makes_no_new_link(org, hidden, exporting_owner):
    from contacts.models import Contact
    from imports.tests.conftest import grant

    owner = grant(org.users["owner"], "import_contact")
    ContactFactory(first_name="No", last_name="Company", owner=owner, company=None)
    rows = exported_rows_of(exporting_owner)
    header = rows[0]
    company, last_name = header.index("Company Name"), header.index("Last Name")
    alone = next(row for row in rows if row[last_name] == "Company")
    alone[company] = "A record you can't see"

    job = import_back(owner, [header, alone])

    [reason] = job.failures.values_list("reason", flat=True)
    assert "can't make a new one" in reason
    assert Contact.objects.get(last_name="Company").company is None


def exported_rows_of(client) -> list[list]:
    from imports.tests.files import exported_rows

    return exported_rows(client, "contact", "csv", "?view=active")


def test_a_related_list_that_fits_is_read_counted_and_hidden_with_one_query(org, hidden, django_assert_num_queries):
    from access import guard

    owner = org.users["owner"]
    contacts = org.mine.contacts.order_by("full_name", "id")
    readable = list(contacts.exclude(pk=hidden["staff"].pk))
    guard.visible(contacts, owner).exists()  # the user's access, read once per request
    with django_assert_num_queries(1):
        found = guard.listed(contacts, owner, limit=len(readable) + 1)
    assert (found.records, found.count, found.hidden) == (readable, len(readable), 1)


def test_a_related_list_longer_than_shown_is_counted_apart(org, hidden):
    from access import guard

    owner = org.users["owner"]
    ContactFactory(first_name="Ada", last_name="Also Mine", owner=owner, company=org.mine)
    contacts = org.mine.contacts.order_by("full_name", "id")
    readable = list(contacts.exclude(pk=hidden["staff"].pk))
    found = guard.listed(contacts, owner, limit=1)
    assert (found.records, found.count, found.hidden) == (readable[:1], len(readable), 1)
    everything = guard.listed(contacts, org.users["admin"], limit=1)
    assert (len(everything.records), everything.count, everything.hidden) == (1, len(readable) + 1, 0)


def test_a_record_page_learns_which_links_it_may_name_with_the_linked_rows(org, hidden):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = org.client("owner")
    plain = ContactFactory(first_name="No", last_name="Links", owner=org.users["owner"])
    linked = ContactFactory(
        first_name="Two", last_name="Links", owner=org.users["owner"], company=org.far, manager=org.contact
    )
    counts = {}
    for contact in (plain, linked):
        client.get(contact.get_absolute_url())  # Recent holds it, as on every later visit
        with CaptureQueriesContext(connection) as captured:
            page = text(client.get(contact.get_absolute_url()))
        counts[contact] = len(captured)
    # The company and the manager are read by key, each with whether the reader may read it:
    # no query more to hide the unreadable company's name.
    assert counts[linked] == counts[plain] + 2
    assert "Far Ltd" not in page and "Linked to an account you can't see." in page
    assert org.contact.full_name in page
