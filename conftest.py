"""Fixtures every app's tests share: the three personas where access matters."""

from __future__ import annotations

import pytest
from django.utils import translation

from crm.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language: a request in French leaves French active in
    the thread (as a server's next request would replace it), which must not leak."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", first_name="Olivia", last_name="Owner")


@pytest.fixture
def teammate(db):
    return UserFactory(username="teammate", first_name="Tom", last_name="Mate")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture(autouse=True)
def fresh_access_cache():
    """Effective access is cached per user id and access version; rolled-back tests reuse both."""
    from django.core.cache import cache

    cache.clear()
    yield
