from __future__ import annotations

import pytest

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from duplicates.keys import name_key, similarity


@pytest.mark.parametrize(
    "typed",
    [
        "Contoso Ltd.",
        "contoso LTD",
        "Contoso, Limited",
        "CONTOSO",
        " Contoso  GmbH ",
        "Contoso S.A.R.L.",
        "Contoso Inc",
    ],
)
def test_company_names_compare_without_case_punctuation_or_legal_suffix(typed):
    assert name_key(typed) == "contoso"


def test_accents_and_spaces_are_ignored():
    assert name_key("Émile-Dupont & Fils SA") == name_key("emile dupont fils")


def test_a_name_that_is_only_a_legal_form_is_kept():
    assert name_key("Limited") == "limited"


def test_a_blank_name_has_no_key():
    assert name_key("  ,. ") is None


def test_persons_names_keep_their_last_word():
    assert name_key("De Sa", company=False) == "desa"


@pytest.mark.django_db
def test_the_database_keeps_the_keys_as_python_computes_them():
    account = AccountFactory(name="Émile & Fils S.A.R.L.", emailaddress1="  Info@Emile.FR ")
    contact = ContactFactory(first_name="Zoë", last_name="O'Brien", emailaddress1="ZOE@x.com ")
    account = Account.objects.get(pk=account.pk)
    contact = Contact.objects.get(pk=contact.pk)
    assert account.name_key == "emilefils"
    assert account.email_key == "info@emile.fr"
    assert (contact.first_name_key, contact.last_name_key, contact.email_key) == ("zoe", "obrien", "zoe@x.com")


@pytest.mark.django_db
def test_keys_follow_bulk_updates():
    account = AccountFactory(name="Old Name Ltd")
    Account.objects.filter(pk=account.pk).update(name="Fabrikam, Inc.")
    assert Account.objects.get(pk=account.pk).name_key == "fabrikam"


def test_similarity_is_pg_trgm_s():
    assert similarity("contoso", "contoso") == 1.0
    assert similarity("contoso", "fabrikam") == 0.0
    assert 0.5 < similarity("contoso", "contosso") < 1.0
