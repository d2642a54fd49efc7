"""Realistic demo accounts and contacts, generated without network or extra packages.

Deterministic for a given seed, fast enough for a million rows (bulk inserts in batches).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from access.demo import ensure_demo_organisation
from access.services import units_of_users
from accounts.models import Account, Category, Industry, Ownership, RelationshipType
from audit import staged
from audit.models import Source
from contacts.models import Contact, Role, compose_full_name
from crm.choices import PaymentTerms, PreferredContactMethod

BATCH_SIZE = 5000

COMPANY_WORDS = [
    "Contoso",
    "Fabrikam",
    "Northwind",
    "Adventure",
    "Litware",
    "Tailspin",
    "Wingtip",
    "Alpine",
    "Blue Yonder",
    "Coho",
    "Fourth Coffee",
    "Humongous",
    "Lucerne",
    "Margie's",
    "Proseware",
    "Southridge",
    "Trey",
    "Wide World",
    "Woodgrove",
    "Graphic",
    "Relecloud",
    "Datum",
    "Consolidated",
    "Bellows",
    "Lamna",
    "Nod",
    "VanArsdel",
    "Boulanger",
    "Lefèvre",
    "Müller",
    "Østergaard",
    "Zaragoza",
    "Kowalski",
    "Nakamura",
    "Okafor",
    "Silva",
]
COMPANY_KINDS = [
    "Industries",
    "Logistics",
    "Pharmaceuticals",
    "Foods",
    "Electronics",
    "Consulting",
    "Partners",
    "Bank",
    "Insurance",
    "Motors",
    "Energy",
    "Labs",
    "Retail",
    "Supplies",
    "Travel",
    "Media",
    "Systems",
    "Holdings",
]
COMPANY_SUFFIXES = ["", " Ltd", " Inc.", " GmbH", " SA", " SARL", " LLC", " AG", " BV", " Oy"]
FIRST_NAMES = [
    "Anna",
    "Ben",
    "Chloé",
    "David",
    "Elena",
    "François",
    "Grace",
    "Hiro",
    "Inès",
    "Jamal",
    "Katarzyna",
    "Liam",
    "María",
    "Noah",
    "Olga",
    "Pierre",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomasz",
    "Uma",
    "Valentina",
    "William",
    "Xiu",
    "Yasmine",
    "Zoë",
    "Adebayo",
    "Björn",
    "Camille",
    "Dmitri",
    "Émilie",
    "Fatima",
    "Giulia",
    "Hannah",
    "Ivan",
]
LAST_NAMES = [
    "Smith",
    "Müller",
    "Dubois",
    "García",
    "Rossi",
    "Nowak",
    "Johansson",
    "Tanaka",
    "Okonkwo",
    "Silva",
    "Kim",
    "Martin",
    "Bernard",
    "Schmidt",
    "López",
    "Novak",
    "O'Brien",
    "Van der Berg",
    "Nguyen",
    "Haddad",
    "Kowalczyk",
    "Petit",
    "Fischer",
    "Moreau",
    "Costa",
    "Andersen",
    "Lefebvre",
    "Yilmaz",
    "Popescu",
    "Horvath",
    "Ivanova",
]
CITIES = [
    ("Seattle", "WA", "United States"),
    ("Redmond", "WA", "United States"),
    ("New York", "NY", "United States"),
    ("Chicago", "IL", "United States"),
    ("Toronto", "ON", "Canada"),
    ("London", "", "United Kingdom"),
    ("Paris", "Île-de-France", "France"),
    ("Lyon", "Auvergne-Rhône-Alpes", "France"),
    ("Berlin", "", "Germany"),
    ("München", "Bayern", "Germany"),
    ("Madrid", "", "Spain"),
    ("Milano", "Lombardia", "Italy"),
    ("Amsterdam", "", "Netherlands"),
    ("Stockholm", "", "Sweden"),
    ("Warszawa", "", "Poland"),
    ("Tokyo", "", "Japan"),
    ("Sydney", "NSW", "Australia"),
    ("São Paulo", "SP", "Brazil"),
]
STREETS = ["Main Street", "Rue de la Paix", "Hauptstraße", "Calle Mayor", "Market Street", "Via Roma", "High Street"]
JOB_TITLES = [
    "Purchasing Manager",
    "CEO",
    "CFO",
    "IT Director",
    "Sales Representative",
    "Office Manager",
    "Buyer",
    "Head of Operations",
    "Procurement Lead",
    "Account Manager",
    "Engineer",
    "Marketing Director",
]
DEPARTMENTS = ["Purchasing", "Finance", "IT", "Sales", "Operations", "Marketing", "Engineering", "Management"]


def ensure_demo_users() -> tuple[object, object]:
    """The demo sign-in (also an administrator) and a teammate who owns part of the data."""
    users = get_user_model()
    demo, created = users.objects.get_or_create(
        username="demo", defaults={"first_name": "Dana", "last_name": "Demo", "email": "demo@example.com"}
    )
    if created:
        demo.set_password("harbor-demo")
        demo.is_staff = demo.is_superuser = True
        demo.save()
    teammate, created = users.objects.get_or_create(
        username="alex", defaults={"first_name": "Alex", "last_name": "Teammate", "email": "alex@example.com"}
    )
    if created:
        teammate.set_unusable_password()
        teammate.save()
    # Business units, a team and a sign-in per security role; Alex becomes a Salesperson.
    ensure_demo_organisation()
    return demo, teammate


def _phone(rng: random.Random) -> str:
    country = rng.choice(["1", "33", "44", "49"])
    return f"+{country} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def account_fields(number: int, rng: random.Random, *, owner, created_by, business_unit_id: int) -> dict:
    """The field values of demo account number `number`, as keyword arguments for Account.

    Plain values rather than a model instance so the benchmark can stream millions of
    rows to COPY without paying for model instantiation.
    """
    name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}{rng.choice(COMPANY_SUFFIXES)}"
    if number >= len(COMPANY_WORDS) * len(COMPANY_KINDS):
        name = f"{name} {number}"
    city, state, country = rng.choice(CITIES)
    domain = _slug(name)[:30] or "example"
    return {
        "name": name,
        "account_number": f"ACC-{number + 1:07d}",
        "telephone1": _phone(rng),
        "emailaddress1": f"info@{domain}.example.com",
        "website": f"https://www.{domain}.example.com",
        "relationship_type": rng.choice(RelationshipType.values),
        "industry": rng.choice(Industry.values),
        "ownership": rng.choice(Ownership.values),
        "category": rng.choice(Category.values),
        "preferred_contact_method": rng.choice(PreferredContactMethod.values),
        "payment_terms": rng.choice(PaymentTerms.values),
        "credit_limit": Decimal(rng.randrange(0, 500_000, 5_000)),
        "annual_revenue": Decimal(rng.randrange(100_000, 900_000_000, 50_000)),
        "number_of_employees": rng.randint(1, 50_000),
        "address1_line1": f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
        "address1_city": city,
        "address1_state": state,
        "address1_postal_code": f"{rng.randint(10000, 99999)}",
        "address1_country": country,
        "owner": owner,
        "business_unit_id": business_unit_id,
        "created_by": created_by,
        "modified_by": created_by,
    }


def generate_accounts(count: int, owners: list, rng: random.Random, start: int = 0) -> Iterator[Account]:
    units = units_of_users(owner.pk for owner in owners)
    for number in range(start, start + count):
        owner = rng.choice(owners)
        yield Account(
            **account_fields(number, rng, owner=owner, created_by=owners[0], business_unit_id=units[owner.pk])
        )


def contact_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def contact_fields(
    rng: random.Random,
    *,
    company,
    company_name: str,
    owner,
    created_by,
    business_unit_id: int,
    name: tuple[str, str] | None = None,
) -> dict:
    """The field values of one demo contact working at `company`, as keyword arguments for Contact.

    `name` (first, last) can be drawn beforehand, e.g. when accounts need it first.
    """
    first, last = name or contact_name(rng)
    city, state, country = rng.choice(CITIES)
    email_name = _slug(first) + "." + _slug(last)
    return {
        "first_name": first,
        "last_name": last,
        "full_name": compose_full_name(first, last),
        "job_title": rng.choice(JOB_TITLES),
        "department": rng.choice(DEPARTMENTS),
        "company": company,
        "role": rng.choice(Role.values),
        "emailaddress1": f"{email_name}{rng.randint(1, 9999)}@{_slug(company_name)[:30] or 'example'}.example.com",
        "telephone1": _phone(rng),
        "mobile_phone": _phone(rng),
        "address1_city": city,
        "address1_state": state,
        "address1_country": country,
        "preferred_contact_method": rng.choice(PreferredContactMethod.values),
        "owner": owner,
        "business_unit_id": business_unit_id,
        "created_by": created_by,
        "modified_by": created_by,
    }


def generate_contacts(accounts: list[Account], per_account: int, owners: list, rng: random.Random) -> Iterator[Contact]:
    for account in accounts:
        for _ in range(rng.randint(max(per_account - 2, 0), per_account + 2)):
            yield Contact(
                **contact_fields(
                    rng,
                    company=account,
                    company_name=account.name,
                    owner=account.owner,
                    created_by=owners[0],
                    business_unit_id=account.business_unit_id,
                )
            )


def _batches(items: Iterator, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# The demo data is written by a command, by nobody in particular: its audit entries say so.
COMMAND = staged.ImportTag(by_id=None)


def load_demo_data(*, accounts: int, contacts_per_account: int, seed: int = 42) -> tuple[int, int]:
    """Create `accounts` accounts (a tenth of them grouped under parents) and their contacts."""
    rng = random.Random(seed)
    owners = list(ensure_demo_users())
    start = Account.objects.count()
    made_accounts = made_contacts = 0
    for batch in _batches(generate_accounts(accounts, owners, rng, start=start), BATCH_SIZE):
        with transaction.atomic():
            created = Account.objects.bulk_create(batch)
            parents = created[: max(len(created) // 20, 1)]
            children = []
            for account in created[len(parents) :]:
                if rng.random() < 0.1:
                    account.parent = rng.choice(parents)
                    children.append(account)
            Account.objects.bulk_update(children, ["parent"], batch_size=BATCH_SIZE)
            with_primary = {}
            for contact_batch in _batches(generate_contacts(created, contacts_per_account, owners, rng), BATCH_SIZE):
                contacts = Contact.objects.bulk_create(contact_batch)
                for contact in contacts:
                    with_primary.setdefault(contact.company_id, contact)
                staged.created(Contact, [contact.pk for contact in contacts], tag=COMMAND, source=Source.COMMAND)
                made_contacts += len(contact_batch)
            for account in created:
                account.primary_contact = with_primary.get(account.pk)
            Account.objects.bulk_update(created, ["primary_contact"], batch_size=BATCH_SIZE)
            # Bulk writes skip save(), which keeps the lists' sort names; copy them in one go.
            Account.objects.filter(pk__in=[account.pk for account in created]).refresh_sort_names()
            Contact.objects.filter(company__in=created).refresh_sort_names()
            staged.created(Account, [account.pk for account in created], tag=COMMAND, source=Source.COMMAND)
            made_accounts += len(created)
    return made_accounts, made_contacts
