from __future__ import annotations

import pytest
from django.urls import reverse

from access.roles import SALESPERSON, ensure_root_unit
from access.tests.factories import BusinessUnitFactory, place_user
from audit.models import AuditEntry
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def salespeople(importer, outsider):
    """The importer and the outsider sell in different business units."""
    root = ensure_root_unit()
    place_user(importer, unit=BusinessUnitFactory(name="North", parent=root), roles=[SALESPERSON])
    place_user(outsider, unit=BusinessUnitFactory(name="South", parent=root), roles=[SALESPERSON])


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_a_contacts_page_offers_its_vcard_which_downloads_as_a_card(importer_client, importer):
    contact = ContactFactory(
        owner=importer, first_name="Ana", last_name="Lopez", company=AccountFactory(name="Contoso", owner=importer)
    )
    page = importer_client.get(contact.get_absolute_url()).content.decode()
    assert "Download vCard" in page
    response = importer_client.get(reverse("addressbooks:contact", args=[contact.pk]))
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert 'filename="Ana Lopez.vcf"' in response["Content-Disposition"]
    card = response.content.decode()
    assert (
        card.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lopez;Ana;;;\r\nFN:Ana Lopez\r\n") and "ORG:Contoso;" in card
    )
    entry = AuditEntry.objects.get(event="export")
    assert entry.record_type == "contacts.contact" and entry.changes == {"rows": [None, 1]}


def test_a_contact_the_user_cannot_read_is_not_found(importer_client, outsider):
    hidden = ContactFactory(owner=outsider)
    assert importer_client.get(reverse("addressbooks:contact", args=[hidden.pk])).status_code == 404


def test_vcards_need_the_export_permission(client, teammate):
    place_user(teammate, unit=BusinessUnitFactory(name="West", parent=ensure_root_unit()), roles=[SALESPERSON])
    client.force_login(teammate)
    contact = ContactFactory(owner=teammate)
    assert "Download vCard" not in client.get(contact.get_absolute_url()).content.decode()
    assert client.get(reverse("addressbooks:contact", args=[contact.pk])).status_code == 403
    assert client.get(reverse("addressbooks:contacts")).status_code == 403


def test_export_to_vcard_gives_the_current_view_of_readable_contacts_and_is_audited(
    importer_client, importer, outsider
):
    for name in ("Bravo", "Alpha"):
        ContactFactory(owner=importer, first_name="Al", last_name=name)
    ContactFactory(owner=importer, first_name="Al", last_name="Charlie")
    ContactFactory(owner=outsider, first_name="Al", last_name="Hidden")
    ContactFactory(owner=importer, last_name="Gone", status="inactive")
    listing = importer_client.get(reverse("contacts:list")).content.decode()
    assert "Export to vCard" in listing
    response = importer_client.get(reverse("addressbooks:contacts") + "?view=active&q=al&sort=-full_name")
    cards = streamed(response)
    assert cards.count("BEGIN:VCARD") == 3 and "Hidden" not in cards and "Gone" not in cards
    assert cards.index("N:Charlie") < cards.index("N:Bravo") < cards.index("N:Alpha")
    entry = AuditEntry.objects.get(event="export")
    assert entry.changes == {"rows": [None, 3]} and "q=al" in entry.detail
