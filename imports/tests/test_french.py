"""A French user's files: exported in French, they import back; typed in French (labels,
choices, 1 234,56, 31/12/2026), they import as meant."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from imports import entities
from imports.tests.files import csv_bytes, exported_rows

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


@pytest.fixture
def records(importer):
    account = AccountFactory(
        name="Émile Cartonnages",
        owner=importer,
        industry="consulting",
        payment_terms="2_10_net30",
        credit_limit=Decimal("1234.56"),
        credit_on_hold=True,
        address1_latitude=Decimal("48.856600"),
    )
    ContactFactory(
        first_name="Chloé",
        last_name="Dupont",
        owner=importer,
        company=account,
        role="decision_maker",
        birthday=datetime.date(1980, 4, 23),
        gender="female",
    )


def snapshot(model):
    return list(model.objects.order_by("pk").values())


@pytest.mark.parametrize("entity", ["account", "contact"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("importer_language", ["fr", "en"])
def test_a_french_export_imports_back_unchanged(
    importer_client, run_import, records, entity, file_format, importer_language
):
    importer_client.defaults.update(FRENCH)
    rows = exported_rows(importer_client, entity, file_format, "?view=active")
    assert rows[0][0] in ("Nom du compte", "Civilité")
    before = snapshot(entities.get(entity).model)
    with translation.override(importer_language):
        job = run_import("export.csv", csv_bytes(rows), match_key=entities.get(entity).match_keys[-1])
    assert all(job.mapping), job.mapping
    assert job.failed_count == 0, list(job.failures.values_list("reason", flat=True))
    assert job.skipped_count == len(before)
    assert snapshot(entities.get(entity).model) == before


def test_a_french_export_writes_french_headers_and_choices(importer_client, records):
    importer_client.defaults.update(FRENCH)
    header, row = exported_rows(importer_client, "account", "csv")[:2]
    assert "Secteur d'activité" in header and "(Ne pas modifier) ID Compte" in header
    assert row[header.index("Secteur d'activité")] == "Conseil"
    assert row[header.index("Suspension de crédit")] == "Oui"


def test_a_file_typed_in_french_imports_as_meant(run_import):
    rows = [
        [
            "Nom du compte",
            "Secteur d'activité",
            "Limite de crédit",
            "Nombre d'employés",
            "Suspension de crédit",
            "Conditions de paiement",
            "Adresse 1 : Ville",
        ],
        ["Œuvray SARL", "Conseil", "1 234,56", "1\u202f200", "Oui", "Net 30 jours", "Évry"],
        ["Dupont SA", "consulting", "2\u00a0000", "12", "non", "Net 30", "Lyon"],
    ]
    with translation.override("fr"):
        job = run_import("comptes.csv", csv_bytes(rows, delimiter=";"))
    assert job.failed_count == 0, list(job.failures.values_list("reason", flat=True))
    oeuvray = Account.objects.get(name="Œuvray SARL")
    assert (oeuvray.industry, oeuvray.credit_limit, oeuvray.number_of_employees) == (
        "consulting",
        Decimal("1234.56"),
        1200,
    )
    assert (oeuvray.credit_on_hold, oeuvray.payment_terms, oeuvray.address1_city) == (True, "net30", "Évry")
    assert Account.objects.get(name="Dupont SA").credit_limit == Decimal("2000")


def test_french_dates_import_day_first_and_ambiguous_values_fail_with_the_reason(run_import):
    rows = [
        ["Nom de famille", "Date de naissance", "Nombre d'enfants"],
        ["Martin", "31/12/1980", "2"],
        ["Petit", "31/12/80", "1"],
        ["Durand", "01/02/1990", "1.500"],
    ]
    with translation.override("fr"):
        job = run_import("contacts.csv", csv_bytes(rows), entity="contact", duplicates="create")
        reasons = sorted(job.failures.values_list("reason", flat=True))
    assert Contact.objects.get(last_name="Martin").birthday == datetime.date(1980, 12, 31)
    assert job.failed_count == 2
    assert "Date de naissance : « 31/12/80 » est ambigu : écrivez l'année avec quatre chiffres." in reasons
    assert any("« 1.500 » est ambigu" in reason for reason in reasons), reasons
