"""Journey: a French salesperson. Their browser asks for French: every page they pass reads in
French, amounts are written the French way; they switch to English in the user menu and every
page turns English, for good (it is stored on them)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from crm.models import UserPreferences
from crm.tests.english import english_words_in, visible_text
from crm.tests.journeys.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_locale() -> str:
    return "fr-FR"


@pytest.fixture
def french_book(dana):
    """A few records with French names: the English check reads the records' own text too."""
    from crm.tests.factories import AccountFactory, ContactFactory

    head_office = AccountFactory(name="Cartonnages Dubois", owner=dana, address1_city="Lille", account_number="C-1")
    branch = AccountFactory(name="Filiale Nord", owner=dana, parent=head_office, address1_city="Roubaix")
    AccountFactory(name="Œuvray SARL", owner=dana, address1_city="Évry", industry="legal_services")
    chloe = ContactFactory(
        first_name="Chloé", last_name="Dupont", owner=dana, company=head_office, job_title="Directrice"
    )
    ContactFactory(first_name="Jérôme", last_name="Martin", owner=dana, company=branch, manager=None)
    head_office.primary_contact = chloe
    head_office.save()
    return dana


def assert_french(page) -> None:
    assert page.locator("html").get_attribute("lang") == "fr"
    assert english_words_in(visible_text(page.content())) == [], page.url


def test_a_french_salesperson_reads_every_page_in_french_then_switches_to_english(page, french_book, screenshot):
    sales_data = french_book
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    assert_french(page)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("connexion-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label(re.compile("Nom d.utilisateur")).fill(sales_data.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Bienvenue, Dana")).to_be_visible()
    assert_french(page)
    screenshot("accueil")

    # Ventes > Comptes, as the guide says.
    page.get_by_role("navigation", name="Plan du site").get_by_role("link", name="Comptes").click()
    expect(page.get_by_role("heading", name="Comptes", exact=True)).to_be_visible()
    expect(page.get_by_label("Vue", exact=True)).to_have_value("my_active")
    expect(page.get_by_label("Vue", exact=True).locator("option:checked")).to_have_text("Mes comptes actifs")
    assert_french(page)
    screenshot("mes-comptes-actifs")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name=re.compile("Menu du compte de")).click()
    screenshot("mes-comptes-actifs-390-menu")
    page.keyboard.press("Escape")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("navigation", name="Aller à la lettre").get_by_role("link", name="C", exact=True).click()
    expect(page).to_have_url(re.compile("letter=C"))
    assert_french(page)

    page.locator("table.crm-list-table tbody tr").first.get_by_role("link").first.click()
    expect(page.get_by_role("toolbar", name="Commandes")).to_be_visible()
    assert_french(page)
    screenshot("compte")

    page.get_by_role("navigation", name="Plan du site").get_by_role("link", name="Comptes").click()
    page.get_by_role("toolbar", name="Commandes").get_by_role("link", name="Nouveau").click()
    expect(page.get_by_role("heading", name="Nouveau compte")).to_be_visible()
    page.get_by_label("Nom du compte").hover()
    expect(page.get_by_role("tooltip")).to_have_text("Le nom sous lequel l'entreprise est connue. Obligatoire.")
    assert_french(page)
    screenshot("nouveau-compte-info-bulle")
    page.get_by_label("Nom du compte").fill("Émile Cartonnages")
    page.get_by_label("Limite de crédit").fill("1 234,56")
    page.get_by_label("Secteur d'activité").select_option(label="Conseil")
    page.get_by_role("button", name="Enregistrer et fermer").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("Émile Cartonnages a été créé.")
    assert Account.objects.get(name="Émile Cartonnages").credit_limit == Decimal("1234.56")
    # The credit limit is on the Details tab (the Summary shows the key fields).
    page.get_by_role("navigation", name="Onglets de l’enregistrement").get_by_role("link", name="Détails").click()
    expect(page.get_by_text("1\u00a0234,56\u00a0€")).to_be_visible()
    assert_french(page)
    screenshot("compte-cree")

    # Quick find ignores accents: "emile" finds "Émile".
    search = page.get_by_role("search").get_by_label("Rechercher dans tous les enregistrements")
    search.fill("emile")
    search.press("Enter")
    assert_french(page)
    page.get_by_role("link", name="Émile Cartonnages").click()
    expect(page.get_by_role("heading", name="Émile Cartonnages")).to_be_visible()

    page.get_by_role("navigation", name="Plan du site").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    assert_french(page)
    page.locator("table.crm-list-table tbody tr").first.get_by_role("link").first.click()
    expect(page.get_by_role("toolbar", name="Commandes")).to_be_visible()
    assert_french(page)

    # The user menu: English, in its own words.
    page.get_by_role("button", name=re.compile("Menu du compte de")).click()
    expect(page.get_by_role("button", name="Français")).to_have_attribute("aria-pressed", "true")
    screenshot("menu-utilisateur")
    page.get_by_role("button", name="English").click()
    # The same page, now in English.
    expect(page.get_by_role("toolbar", name="Commands")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", name="Accounts", exact=True)).to_be_visible()
    expect(page.get_by_label("View", exact=True).locator("option:checked")).to_have_text("My Active Accounts")
    screenshot("english-again")
    assert UserPreferences.objects.get(user=sales_data).language == "en"
