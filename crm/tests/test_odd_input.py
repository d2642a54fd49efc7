"""Odd input never makes a 500: every view, every parameter it shows, hostile values."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from crm.tests.factories import AccountFactory, ContactFactory, UserFactory
from health.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

# Every object a URL can name gets this primary key, so any `<int:pk>` route finds one.
PK = 4242
# The other arguments of routes, by name; any name not listed gets PK.
KWARGS = {
    "object_id": str(PK),
    "app_label": "accounts",
    "content_type_id": 1,
    "entity": "account",
    "file_format": "csv",
}
# Names most views read from the query string, besides the ones their pages show.
COMMON_NAMES = ["q", "page", "per_page", "sort", "view", "letter", "list", "next", "cursor", "o", "p", "e"]
ODD_VALUES = {
    "nul": quote("a\x00b"),
    "huge": "9" * 30,
    "negative": "-12",
    "long": "x" * 5000,
    "invalid-utf8": "%ff%fe%c3",
}


def routes(patterns=None, namespace: str = "", outer: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Every named URL pattern of the URL conf ("namespace:name") with its arguments' names."""
    found: dict[str, tuple[str, ...]] = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        arguments = (*outer, *pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            found.update(routes(pattern.url_patterns, inner, arguments))
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.setdefault(":".join(part for part in (namespace, pattern.name) if part), arguments)
    return found


ROUTES = routes()


def url_for(route: str) -> str:
    return reverse(route, kwargs={name: KWARGS.get(name, PK) for name in ROUTES[route]})


def parameter_names(html: str) -> list[str]:
    """The names of the page's form fields and of the query parameters of its links."""
    names = set(re.findall(r'\bname="([^"]+)"', html))
    for query in re.findall(r'href="[^"?]*\?([^"#]+)', html):
        names.update(part.split("=")[0] for part in query.replace("&amp;", "&").split("&"))
    names.discard("csrfmiddlewaretoken")
    return sorted(names | set(COMMON_NAMES))


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin = UserFactory(pk=PK, username="root", is_staff=True, is_superuser=True)
    account = AccountFactory(pk=PK, owner=admin)
    ContactFactory(pk=PK, company=account, owner=admin)
    from imports.models import ImportJob, SavedMapping

    job = ImportJob(pk=PK, created_by=admin, file_name="a.csv", entity="account", headers=["Account Name"])
    job.file.save("a.csv", ContentFile(b"Account Name\nContoso\n"))
    SavedMapping.objects.create(pk=PK, owner=admin, entity="account", name="m", columns={})
    # A live worker, so that /healthz answers 200 and any 5xx from it is a failure.
    WorkerHeartbeat.objects.create(worker_id="sweep", beat_on=timezone.now())
    return admin


def query(names: list[str], value: str) -> str:
    return "&".join(f"{quote(name)}={value}" for name in names)


# Deleting and signing out last: they change what the later routes see.
@pytest.mark.parametrize("route", sorted(ROUTES, key=lambda name: ("delete" in name or "logout" in name, name)))
def test_no_view_answers_odd_parameters_with_a_server_error(client, world, route):
    url = url_for(route)
    client.force_login(world)
    page = client.get(url)
    html = b"".join(page.streaming_content) if page.streaming else page.content
    names = parameter_names(html.decode(errors="replace"))
    for label, value in ODD_VALUES.items():
        for method in ("get", "post"):
            body = query(names, value)
            if method == "get":
                response = client.get(f"{url}?{body}")
            else:
                response = client.post(url, body, content_type="application/x-www-form-urlencoded")
            assert response.status_code < 500, (route, method, label)
            client.force_login(world)
    repeated = "&".join(f"{quote(name)}=1&{quote(name)}=2" for name in names)
    assert client.get(f"{url}?{repeated}").status_code < 500
    response = client.post(url, repeated, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500


def test_an_unknown_host_gets_the_bad_request_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()


@pytest.mark.parametrize("url", ["/search/?q=%00", "/accounts/lookup/?q=%00", "/contacts/?q=a%00b"])
def test_a_nul_byte_in_a_search_is_a_bad_request(owner_client, url):
    assert owner_client.get(url).status_code == 400


@pytest.mark.parametrize("page", ["99999999999999999999", "-3", "1e9", "0"])
def test_a_huge_or_odd_page_number_shows_a_page(owner_client, page):
    AccountFactory()
    response = owner_client.get(f"/accounts/?page={page}")
    assert response.status_code in (200, 302, 404)


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807"])
def test_a_huge_page_number_on_a_record_reached_from_a_list_shows_the_record(owner_client, page):
    account = AccountFactory()
    response = owner_client.get(reverse("accounts:detail", args=[account.pk]), {"list": f"page={page}"})
    assert response.status_code == 200
