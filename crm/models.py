"""What accounts and contacts share: ownership, status, audit stamps, a row version,
and the address block D365 users know."""

from __future__ import annotations

import string
import unicodedata

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Substr, Trim
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from access.models import Owned
from crm.choices import AddressType, FreightTerms, ShippingMethod, Status
from crm.validators import phone_validator

# Letters read without their accents, so that "Émile" is found by "emile" and filed under E;
# ligatures and letters with strokes become their plain letters ("Œuvray" -> "OEUVRAY").
# The database does it with a function of this name: on PostgreSQL an immutable wrapper of
# the unaccent extension (crm migration 0003), on SQLite fold() below, registered on every
# connection (crm.apps). PostgreSQL's TRANSLATE would need no extension but costs 60 µs a
# row (3 s per 50,000 imported rows), unaccent about 1 µs.
FOLD_FUNCTION = "crm_fold"
_PLAIN_LETTERS = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"}
)


def fold(text: str | None) -> str | None:
    """`text` in capitals without accents: what FoldedUpper computes, in Python."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).upper()


class FoldedUpper(models.Func):
    """`expression` in capitals without accents, in the database: what quick find and the A-Z
    bar compare. Immutable (PostgreSQL) and deterministic (SQLite), so it can be indexed and
    stored in a generated column."""

    function = FOLD_FUNCTION
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # The database's own collation, explicitly: a name column sorts with an ICU collation
        # (NameField), and UPPER can't choose between the collations of a text joined from
        # several columns.
        sql, params = compiler.compile(self.source_expressions[0])
        return f'{FOLD_FUNCTION}(({sql})::text COLLATE "default")', params


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """connection_created receiver: SQLite connections get fold() for FoldedUpper."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


def first_letter(field: str) -> Substr:
    """The first letter of `field`, in capitals without accents: what the A-Z bar files a
    record under ("Émile" under E, "Œuvray" under O).

    "UPPER(name) LIKE 'C%'" can use no ordinary index; equality on this expression can,
    through an expression index that also yields the rows in list order.
    """
    return Substr(FoldedUpper(Substr(field, 1, 1)), 1, 1)


# Names sort as people expect on PostgreSQL: accents beside their letter and capitals beside
# small letters ("acme < Acme < éclair < Émile < Eve < Zoé"), through ICU's root collation,
# whatever the database's own. Deterministic, so equality and LIKE still work on the column.
NAME_COLLATION = "und-x-icu"


class NameField(models.CharField):
    """A name people sort by. On PostgreSQL its column uses NAME_COLLATION, and so do the
    indexes on it; SQLite has no such collation and keeps its binary order (capitals first,
    accented letters after Z)."""

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = NAME_COLLATION
        return params


# The alias search() puts on its queryset: lists count a quick find to their own cap (lists.is_quick_find).
QUICK_FIND_TERM = "quick_find_term"

# Between the fields of a search text, so that a term can't match across two of them: the
# search box takes one line, so no term holds a line break.
SEARCH_TEXT_SEPARATOR = "\n"


def search_text_of(*fields: str) -> models.GeneratedField:
    """A stored column holding `fields` joined, in capitals, without accents: what quick find
    reads ("emile" finds "Émile"). The
    first field is the record's name, which lookups match from the start (see
    named_starting_with).

    One column instead of one per field lets one trigram index answer quick find (PostgreSQL)
    and lets the list indexes carry it (INCLUDE), so a common term is filtered while walking
    the list's own index in list order instead of fetching and sorting every match. The
    database keeps it current on every write, imports and bulk updates included.
    """
    parts: list = []
    for field in fields:
        parts += [models.F(field), Value(SEARCH_TEXT_SEPARATOR)]
    return models.GeneratedField(
        expression=FoldedUpper(Concat(*parts[:-1], output_field=models.TextField())),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("Search text"),
    )


def stored_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields whose columns a write sets: every concrete field but the generated ones."""
    return [field for field in model._meta.concrete_fields if not field.generated]


# A user is shown (and so sorted) by full name, or by user name when they have none.
PERSON_NAME = "person_name"


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def linked_name(linked_model: type[models.Model], *, relation: str, attribute: str) -> Coalesce:
    """The SQL for the name of the record a row links to through `relation` ("" if none).

    Shared by the queryset refresh and the migrations' backfill, so both copy the same text.
    """
    linked = linked_model._default_manager.filter(pk=OuterRef(f"{relation}_id"))
    if attribute == PERSON_NAME:
        full_name = Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField()))
        linked = linked.annotate(**{PERSON_NAME: Coalesce(NullIf(full_name, Value("")), "username")})
    return Coalesce(Subquery(linked.values(attribute)[:1]), Value(""))


class CustomerRecordQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Status.ACTIVE)

    def inactive(self):
        return self.filter(status=Status.INACTIVE)

    def owned_by(self, user):
        return self.filter(owner=user)

    def refresh_sort_names(self) -> int:
        """Recopy the linked names of these rows in one UPDATE, e.g. after a bulk insert."""
        model = self.model
        copies = {
            field: linked_name(model._meta.get_field(relation).related_model, relation=relation, attribute=attribute)
            for field, (relation, attribute) in model.SORT_NAMES.items()
        }
        return self.update(**copies)

    def search(self, term: str):
        """Rows with `term` anywhere in their search text (see search_text_of), in either case."""
        term = term.strip()
        if not term:
            return self
        # contains (not icontains): the column is folded already, and the term is folded by the
        # database with the same rules; a constant, so the trigram index still applies.
        # Django escapes % and _ in it. The alias (never selected) tells the list's paginator
        # that this is a quick find.
        return self.alias(**{QUICK_FIND_TERM: Value(term)}).filter(search_text__contains=FoldedUpper(Value(term)))

    def named_starting_with(self, text: str):
        """Rows whose name starts with `text`, in either case and accents: their search text does."""
        return self.filter(search_text__startswith=FoldedUpper(Value(text)))

    def where_text_is(self, field: str, value: str):
        """Rows whose `field`, one of the search text's, is `value` in either case: found
        through the search text's index, then compared. UPPER(field) = UPPER(value) alone
        has no index to use and would read the whole table."""
        return self.search(value).filter(**{f"{field}__iexact": value})

    def starting_with(self, field: str, letter: str):
        """Rows whose `field` starts with `letter` (A-Z), in either case, with or without accents."""
        return self.alias(first_letter=first_letter(field)).filter(first_letter=fold(letter))

    def not_starting_with_a_letter(self, field: str):
        """Rows the A-Z bar files under "#": their name starts with a digit, a sign or a letter
        of another alphabet."""
        return self.alias(first_letter=first_letter(field)).exclude(first_letter__in=list(string.ascii_uppercase))


class CustomerRecord(Owned):
    """An account or a contact: owned by a user or a team (access.models.Owned), active or
    inactive, stamped and versioned."""

    # The owner's business unit, copied onto the row (D365's owningbusinessunit) so that
    # "records of my business unit" is one index range, not a join through users and teams.
    business_unit = models.ForeignKey(
        "access.BusinessUnit",
        verbose_name=_("Business unit"),
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        db_index=False,  # the (business_unit, status, name, id) view index answers it
    )
    status = models.CharField(
        _("Status"),
        max_length=10,
        choices=Status.choices,
        default=Status.ACTIVE,
        editable=False,
        help_text=_("Inactive records are kept for history, read-only until reactivated."),
    )
    status_reason = models.CharField(
        _("Status Reason"),
        max_length=10,
        choices=Status.choices,
        default=Status.ACTIVE,
        editable=False,
        help_text=_("Why the record has its status."),
    )
    created_on = models.DateTimeField(_("Created On"), auto_now_add=True)
    modified_on = models.DateTimeField(_("Modified On"), auto_now=True)
    # Who created or last changed a record is shown, never searched: only deleting a user looks
    # rows up by it (to clear it), a rare act that may scan the table, while an index would be
    # written on every insert and import.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Created By"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Modified By"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
    )
    # Optimistic concurrency: an edit saves only if the version it was based on is current.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    # Copies of the names a list shows for linked records (D365 keeps "owneridname" the same
    # way): sorting a million rows by a joined table's column means joining and sorting them
    # all, while sorting by a column of the row itself reads the first page from an index.
    # Only sorting uses them; the list displays the linked record itself.
    owner_name = NameField(_("Owner Name"), max_length=150, blank=True, editable=False)
    # Set when a merge folded this record into another (duplicates.services.records_merge);
    # its page then links there. Cleared by Undo merge.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("Merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # only read from the merged record's own row
    )

    # Sort-name field -> (foreign key, attribute of the linked record it copies).
    SORT_NAMES: dict[str, tuple[str, str]] = {"owner_name": ("owner", PERSON_NAME)}

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # Derived data of this row, like Contact.full_name: kept true on every save, whoever
        # saves. Other rows' copies of this record's name are the services' (record_save).
        changed = self.refresh_sort_names()
        if self.business_unit_id is None:
            from access.services import owner_business_unit_id

            self.business_unit_id = owner_business_unit_id(user_id=self.owner_id, team_id=self.owner_team_id)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and changed:
            kwargs["update_fields"] = {*update_fields, *changed}
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    def refresh_sort_names(self) -> set[str]:
        """Copy the linked records' names into the sort-name fields; returns those that changed."""
        changed = set()
        for field, (relation, attribute) in self.SORT_NAMES.items():
            linked = getattr(self, relation) if getattr(self, f"{relation}_id") is not None else None
            if linked is None:
                value = ""
            else:
                value = person_name(linked) if attribute == PERSON_NAME else getattr(linked, attribute)
            if field == "owner_name" and self.owner_team_id is not None:
                value = self.owner_team.name  # a team-owned record sorts by the team's name
            if getattr(self, field) != value:
                setattr(self, field, value)
                changed.add(field)
        return changed

    @property
    def owner_label(self) -> str:
        # A team's name is read from the row's sort copy: no query per team-owned row of a list.
        return person_name(self.owner) if self.owner_id is not None else self.owner_name


def SET_NULL_AND_CLEAR_NAME(collector, field, sub_objs, using):  # noqa: N802 - named like models.SET_NULL
    """on_delete for a link with a sort-name copy ("<link>_name"): empty both."""
    collector.add_field_update(field, None, sub_objs)
    collector.add_field_update(field.model._meta.get_field(f"{field.name}_name"), "", sub_objs)


class WebsiteField(models.URLField):
    """A URL field whose form assumes https:// when the scheme is left out (Django 6's default)."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)


def chain_ids(model: type[models.Model], *, start: int, link: str) -> list[int]:
    """Ids met following `link` (e.g. parent, manager) upwards from `start`; stops on a loop."""
    chain: list[int] = []
    current: int | None = start
    while current is not None and current not in chain:
        chain.append(current)
        current = model._default_manager.filter(pk=current).values_list(f"{link}_id", flat=True).first()
    return chain


def phone_field(label: str, help_text: str = "", **kwargs) -> models.CharField:
    return models.CharField(
        label, max_length=50, blank=True, validators=[phone_validator], help_text=help_text, **kwargs
    )


def email_field(label: str, help_text: str) -> models.EmailField:
    return models.EmailField(label, max_length=100, blank=True, help_text=help_text)


def money_field(label: str, help_text: str) -> models.DecimalField:
    field = models.DecimalField(
        label,
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100_000_000_000_000)],
        help_text=help_text,
    )
    field.is_money = True  # shown with the currency (crm.formats.money); not part of the schema
    return field


def count_field(label: str, help_text: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        label, null=True, blank=True, validators=[MaxValueValidator(1_000_000_000)], help_text=help_text
    )


def do_not_field(label: str, help_text: str) -> models.BooleanField:
    return models.BooleanField(label, default=False, help_text=help_text)


def address_block(number: int) -> type[models.Model]:
    """An abstract model with the fields of address N, named like D365's (address1_city...).

    Accounts use address 1; contacts use addresses 1 and 2. Generating the block keeps the
    two in step instead of maintaining near-identical copies.
    """
    prefix = f"address{number}_"

    def label(name):
        return format_lazy(_("Address {number}: {name}"), number=number, name=name)

    fields = {
        "line1": models.CharField(
            label(_("Street 1")),
            max_length=250,
            blank=True,
            help_text=_("First line of the street address, e.g. 1 Microsoft Way."),
        ),
        "line2": models.CharField(
            label(_("Street 2")), max_length=250, blank=True, help_text=_("Building, suite or floor, if any.")
        ),
        "line3": models.CharField(
            label(_("Street 3")), max_length=250, blank=True, help_text=_("Any further address detail.")
        ),
        "city": models.CharField(label(_("City")), max_length=80, blank=True, help_text=_("City or town.")),
        "state": models.CharField(
            label(_("State/Province")), max_length=50, blank=True, help_text=_("State, province or region.")
        ),
        "postal_code": models.CharField(
            label(_("ZIP/Postal Code")),
            max_length=20,
            blank=True,
            help_text=_("ZIP or postal code, as the post office writes it."),
        ),
        "country": models.CharField(
            label(_("Country/Region")), max_length=80, blank=True, help_text=_("Country or region.")
        ),
        "county": models.CharField(
            label(_("County")), max_length=50, blank=True, help_text=_("County, where addresses use one.")
        ),
        "po_box": models.CharField(
            label(_("Post Office Box")),
            max_length=20,
            blank=True,
            help_text=_("Post office box number, if mail goes to one."),
        ),
        "phone": phone_field(label(_("Phone")), _("Phone number at this address.")),
        "type": models.CharField(
            label(_("Address Type")),
            max_length=20,
            blank=True,
            choices=AddressType.choices,
            help_text=_("What this address is used for: billing, shipping, primary or other."),
        ),
        "shipping_method": models.CharField(
            label(_("Shipping Method")),
            max_length=20,
            blank=True,
            choices=ShippingMethod.choices,
            help_text=_("How deliveries to this address are shipped."),
        ),
        "freight_terms": models.CharField(
            label(_("Freight Terms")),
            max_length=20,
            blank=True,
            choices=FreightTerms.choices,
            help_text=_("Who pays for shipping to this address."),
        ),
        "latitude": models.DecimalField(
            label(_("Latitude")),
            max_digits=9,
            decimal_places=6,
            null=True,
            blank=True,
            validators=[MinValueValidator(-90), MaxValueValidator(90)],
            help_text=_("Latitude in decimal degrees, between -90 and 90."),
        ),
        "longitude": models.DecimalField(
            label(_("Longitude")),
            max_digits=9,
            decimal_places=6,
            null=True,
            blank=True,
            validators=[MinValueValidator(-180), MaxValueValidator(180)],
            help_text=_("Longitude in decimal degrees, between -180 and 180."),
        ),
    }
    attrs = {prefix + name: field for name, field in fields.items()}
    attrs["__module__"] = __name__
    attrs["Meta"] = type("Meta", (), {"abstract": True})
    return type(f"Address{number}", (models.Model,), attrs)


Address1 = address_block(1)
Address2 = address_block(2)


class RecentItemQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def pinned(self):
        return self.filter(pinned_at__isnull=False)

    def unpinned(self):
        return self.filter(pinned_at__isnull=True)


class RecentItem(models.Model):
    """A record a user opened (Recent) or pinned (Pinned), kept per user on the server so the
    lists follow the user to any browser. Every record type of `crm.registry` is tracked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("User"), on_delete=models.CASCADE, related_name="+"
    )
    # A generic reference, so that a later app registers its model without a migration here.
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("Record type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("Record id"))
    opened_at = models.DateTimeField(_("Opened on"))
    pinned_at = models.DateTimeField(_("Pinned on"), null=True, blank=True)

    objects = RecentItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("recent item")
        verbose_name_plural = _("recent items")
        constraints = [
            # One row per user and record: opening it again moves it up instead of adding a row,
            # and the upsert that does so relies on this constraint.
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="recentitem_user_record_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None


def copy_name_to_linked_rows(record: models.Model, *, attributes=None) -> None:
    """Give the rows that keep a copy of `record`'s name (an owner's records, a company's
    contacts...) its current name, with one UPDATE per table; rows already in step are not
    written. `attributes`, if given, limits it to the copies of those attributes."""
    for other, field, relation, attribute in sort_name_copies_of(type(record)):
        if attributes is None or attribute in attributes:
            value = person_name(record) if attribute == PERSON_NAME else getattr(record, attribute)
            other.objects.filter(**{relation: record.pk}).exclude(**{field: value}).update(**{field: value})


def sort_name_copies_of(model: type[models.Model]):
    """(other model, copy field, foreign key, copied attribute) for every sort-name copy that
    other customer records keep of a `model` record's attribute."""
    for other in apps.get_models():
        if issubclass(other, CustomerRecord):
            for field, (relation, attribute) in other.SORT_NAMES.items():
                if other._meta.get_field(relation).related_model is model:
                    yield other, field, relation, attribute


class UserPreferences(models.Model):
    """A user's personal options (D365's Personal Options): the language of the pages, applied
    at sign-in (crm.languages). Empty means the browser's language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("User"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preferences",
    )
    language = models.CharField(
        _("Language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages, dates and numbers. Empty: the browser's language."),
    )

    class Meta:
        verbose_name = _("user preferences")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return str(self.user)
