"""A list page costs the same few queries whatever its size, view, sort or filter."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from crm import registry
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

# Session, user, the access version (the user's effective access and Django permissions are
# cached under it), Recent and Pinned for the site map, capped count, the page's ids, then its
# rows. A view that fits on its first page needs no count: its rows are the count.
LIST_QUERIES = 6


@pytest.fixture
def many_records(owner, owner_client):
    # Content types are cached for the process: look them up now, as any earlier request would.
    ContentType.objects.get_for_models(*(record_type.model for record_type in registry.all_types()))
    others = [owner, UserFactory(), UserFactory()]
    for n in range(260):
        account = AccountFactory(owner=others[n % 3])
        contact = ContactFactory(owner=others[n % 3], company=account)
        account.primary_contact = contact
        account.save(update_fields=["primary_contact"])
    # The signed-in user's effective access is computed once and cached, like their session.
    owner_client.get(reverse("home"))


@pytest.mark.parametrize("namespace", ["accounts", "contacts"])
@pytest.mark.parametrize("per_page", [25, 250])
@pytest.mark.parametrize("extra", ["", "&sort=-owner", "&letter=A", "&q=exam", "&view=inactive"])
def test_a_list_page_costs_a_constant_number_of_queries(
    owner_client, many_records, django_assert_max_num_queries, namespace, per_page, extra
):
    url = f"{reverse(f'{namespace}:list')}?view=active&per_page={per_page}{extra}"
    with django_assert_max_num_queries(LIST_QUERIES):
        response = owner_client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("per_page", [25, 250])
def test_a_view_that_fits_on_its_first_page_is_counted_from_its_rows(
    owner_client, many_records, django_assert_num_queries, per_page
):
    """The owner's 87 accounts fit on a page of 250 (no count query), not on one of 25."""
    url = f"{reverse('accounts:list')}?view=my_active&per_page={per_page}&q=example"
    expected = LIST_QUERIES if per_page == 25 else LIST_QUERIES - 1
    with django_assert_num_queries(expected):
        response = owner_client.get(url)
    assert response.context["record_count"] == 87
    assert response.context["record_count_capped"] is False


def test_a_keyset_page_costs_the_same_queries(owner_client, many_records, django_assert_num_queries):
    import html
    import re

    first = owner_client.get(reverse("accounts:list") + "?view=active").content.decode()
    link = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    with django_assert_num_queries(LIST_QUERIES):
        owner_client.get(reverse("accounts:list") + link)
