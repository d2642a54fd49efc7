"""A list page costs the same few queries whatever its size, view, sort or filter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

# Session, user, the user's and their groups' permissions (Import Data, exports), Recent and
# Pinned for the site map, capped count, the page's rows (owner and linked records joined in).
LIST_QUERIES = 7


@pytest.fixture
def many_records(owner):
    others = [owner, UserFactory(), UserFactory()]
    for n in range(260):
        account = AccountFactory(owner=others[n % 3])
        contact = ContactFactory(owner=others[n % 3], company=account)
        account.primary_contact = contact
        account.save(update_fields=["primary_contact"])


@pytest.mark.parametrize("namespace", ["accounts", "contacts"])
@pytest.mark.parametrize("per_page", [25, 250])
@pytest.mark.parametrize("extra", ["", "&sort=-owner", "&letter=A", "&q=exam", "&view=inactive"])
def test_a_list_page_costs_a_constant_number_of_queries(
    owner_client, many_records, django_assert_num_queries, namespace, per_page, extra
):
    url = f"{reverse(f'{namespace}:list')}?view=active&per_page={per_page}{extra}"
    with django_assert_num_queries(LIST_QUERIES):
        response = owner_client.get(url)
    assert response.status_code == 200


def test_a_keyset_page_costs_the_same_queries(owner_client, many_records, django_assert_num_queries):
    import html
    import re

    first = owner_client.get(reverse("accounts:list") + "?view=active").content.decode()
    link = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    with django_assert_num_queries(LIST_QUERIES):
        owner_client.get(reverse("accounts:list") + link)
