"""The record types: one place that knows them, filled by each app's AppConfig.ready().

    registry.register(RecordType(model=Account, namespace="accounts", list_view=AccountListView, ...))

Navigation (site map, quick create), Home, global search, Recent and Pinned, the list
commands (export, import) and the imports capability iterate the registered types, so a new
record type is its own app plus a line in settings and urls: nothing shared is edited by hand.

A capability that is not a record type but has a place in the same screens (activities: a
site-map entry, Quick Create entries, a Home panel, Import Data, a panel on record pages: the
timeline) registers a `Capability` the same way, with one line in its AppConfig.ready(): the
shared templates and views iterate those too.

Every read of a type's records for a person goes through `RecordType.records_for(user)`: the
lists, global search, detail pages, lookups and exports. That is where scoping by access
plugs in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import capfirst

if TYPE_CHECKING:
    from crm.record_views import RecordListView


def no_detail(record: models.Model) -> str:
    return ""


@dataclass(frozen=True)
class RecordType:
    """What the shared screens need to know about one type of customer record.

    The type's URLs live under `namespace` and follow crm.record_views: list, create,
    quick_create, lookup, bulk, detail, update, delete. `label_field` is the never-empty column
    that names a record; `status_field`, if any, holds crm.choices.Status. `search_detail`
    gives the grey text after a record's name in global search (its city, its company).
    `transfer` is its import/export entity (imports.entities.Entity), or None when the type
    is neither imported nor exported.
    """

    model: type[models.Model]
    namespace: str
    list_view: type[RecordListView]
    label_field: str = "name"
    status_field: str | None = "status"
    icon: str = ""
    search_detail: Callable[[models.Model], str] = no_detail
    # Home's "Get started" line: a link text and what follows it.
    create_text: str | Promise = ""
    create_hint: str | Promise = ""
    transfer: Any = None

    @property
    def key(self) -> str:
        """The type's short name, as import/export URLs and stored import jobs spell it."""
        return self.model._meta.model_name

    @property
    def type_name(self) -> str:
        return capfirst(self.model._meta.verbose_name)

    @property
    def plural_name(self) -> str:
        return capfirst(self.model._meta.verbose_name_plural)

    @property
    def icon_name(self) -> str:
        # A symbol of static/crm/icons.svg; "record" is the generic one a new type starts with.
        return self.icon or "record"

    @property
    def content_type(self) -> ContentType:
        # ContentType caches per process, so this is a query only the first time.
        return ContentType.objects.get_for_model(self.model)

    @property
    def view_labels(self) -> dict[str, str]:
        """The list's views (my_active, active, inactive) and what the type calls them."""
        return dict(self.list_view.filterset_class.VIEW_CHOICES)

    def records_for(self, user) -> models.QuerySet:
        """The records of this type `user` may read: every read for a person starts here."""
        from access import guard

        return guard.visible(self.model._default_manager.all(), user)

    def record_for(self, user, pk: int) -> models.Model:
        """One record `user` may see, or Http404."""
        record = self.records_for(user).filter(pk=pk).first()
        if record is None:
            raise Http404
        return record

    def permission(self, action: str) -> str:
        """The permission to `action` (import, export...) records of this type."""
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"


_types: dict[str, RecordType] = {}
# Bumped by every (un)registration: what is rendered from the registry once and kept (the site
# map, crm.templatetags.chrome) is kept under it.
_generation = 0


def generation() -> int:
    return _generation


def _changed() -> None:
    global _generation
    _generation += 1


def register(record_type: RecordType) -> None:
    """Register a record type; its records come under the access rules (owner, team, business
    unit, roles, shares: see access.registry)."""
    from access import registry as access_registry

    _types[record_type.namespace] = record_type
    access_registry.register(record_type.model)
    _changed()


def get(namespace: str | None) -> RecordType | None:
    return _types.get(namespace or "")


def get_or_404(namespace: str) -> RecordType:
    record_type = get(namespace)
    if record_type is None:
        raise Http404
    return record_type


def for_model(model: type[models.Model]) -> RecordType:
    for record_type in _types.values():
        if record_type.model is model:
            return record_type
    raise LookupError(f"{model._meta.label} is not a registered record type")


def by_key(key: str) -> RecordType | None:
    """The type whose key (model name: "account") is `key`."""
    return next((record_type for record_type in _types.values() if record_type.key == key), None)


def all_types() -> list[RecordType]:
    """Every registered type, in the order of INSTALLED_APPS (the navigation's order)."""
    return list(_types.values())


def transferable() -> Iterator[RecordType]:
    """The types that can be imported and exported."""
    return (record_type for record_type in all_types() if record_type.transfer is not None)


def transfers() -> list[Any]:
    """Every import/export entity (imports.entities.Entity): the record types' and the
    capabilities' (activities), in the order of INSTALLED_APPS."""
    offered = [*all_types(), *capabilities()]
    return [offer.transfer for offer in offered if offer.transfer is not None]


def can_import_any(user) -> bool:
    return any(entity.may(user, "import") for entity in transfers())


# --- Capabilities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuickCreateEntry:
    """One line of the Quick Create menu: a label and the page (URL name and query) it opens."""

    label: str | Promise
    url_name: str
    query: str = ""

    @property
    def url(self) -> str:
        url = reverse(self.url_name)
        return f"{url}?{self.query}" if self.query else url


@dataclass(frozen=True)
class HomePanel:
    """A panel on Home: `template` (a name, or a Template) rendered with `panel` = `data(user)`."""

    template: Any
    data: Callable[[Any], Any]


@dataclass(frozen=True)
class RecordPanel:
    """A panel a capability adds to the Summary tab of the record pages of the types
    `applies_to(model)` accepts (activities: the timeline). `context(view, **kwargs)` gives
    what `template` reads; a POST to the page that carries `post_field` is the panel's,
    answered by `post(view, request)` (the timeline's "+" forms), so it works without
    JavaScript on the record's own page. A GET of the page with the header `X-Fragment:
    <fragment>` answers the panel alone (the timeline's filters and "Show more" in a script)."""

    template: Any  # a name, or a Template
    applies_to: Callable[[type[models.Model]], bool]
    context: Callable[..., dict]
    post_field: str = ""
    post: Callable[..., Any] | None = None
    fragment: str = ""


@dataclass(frozen=True)
class Capability:
    """Something that is not a record type but plugs into the shared screens like one: a
    site-map entry under Customers (its pages, under the URL namespace `namespace`, highlight
    it), Quick Create entries and a Home panel."""

    namespace: str
    label: str | Promise
    list_url_name: str
    icon: str = "record"
    quick_create: tuple[QuickCreateEntry, ...] = ()
    home_panel: HomePanel | None = None
    # Its import/export entity (imports.entities.Entity), as for a record type.
    transfer: Any = None
    record_panel: RecordPanel | None = None


_capabilities: dict[str, Capability] = {}


def register_capability(capability: Capability) -> None:
    _capabilities[capability.namespace] = capability
    _changed()


def unregister_capability(namespace: str) -> None:
    """For tests that register a capability of their own."""
    _capabilities.pop(namespace, None)
    _changed()


def capabilities() -> list[Capability]:
    """Every registered capability, in the order of INSTALLED_APPS."""
    return list(_capabilities.values())


def record_panels(model: type[models.Model]) -> list[RecordPanel]:
    """The capabilities' panels on the record pages of `model`: a record type gets them by
    registering, its app includes none by hand."""
    return [
        capability.record_panel
        for capability in capabilities()
        if capability.record_panel is not None and capability.record_panel.applies_to(model)
    ]


def capability(namespace: str | None) -> Capability | None:
    return _capabilities.get(namespace or "")
