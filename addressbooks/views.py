"""vCards out: one contact's card from its page, and the contacts list's current view as
one file of cards, streamed. Both are exports: the export permission and privilege, the
records the user may read only, and an audit entry."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from access import guard
from access.models import Privilege
from addressbooks.vcard import contact_card, contact_cards
from audit import services as audit
from contacts.models import Contact
from crm import registry
from imports import exports

CONTENT_TYPE = "text/vcard; charset=utf-8"
ROWS_PER_QUERY = 2000


def require_export(request: HttpRequest) -> registry.RecordType:
    record_type = registry.for_model(Contact)
    if not request.user.has_perm(record_type.permission("export")):
        raise PermissionDenied
    guard.require(Contact, request.user, Privilege.EXPORT)
    return record_type


@require_GET
def contact_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    record_type = require_export(request)
    contact = get_object_or_404(record_type.records_for(request.user).select_related("company"), pk=pk)
    audit.exported(by=request.user, model=Contact, view=f"vcard pk={contact.pk}", rows=1)
    hidden = "company" in guard.unreadable_links(contact, request.user)
    response = HttpResponse(contact_card(contact, company_hidden=hidden), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = exports.attachment(f"{contact.full_name or contact.pk}.vcf")
    return response


@require_GET
def contacts_vcard(request: HttpRequest) -> StreamingHttpResponse:
    """The list the user is looking at (view, search, letter, sort) as cards, streamed: a
    card is small and written as it is read, so any view streams in flat memory."""
    record_type = require_export(request)
    records = exports.records_in_view(entity=record_type.transfer, request=request)
    audit.exported(by=request.user, model=Contact, view=f"vcard {request.GET.urlencode()}", rows=records.count())
    response = StreamingHttpResponse(
        contact_cards(
            records.select_related("company").iterator(chunk_size=ROWS_PER_QUERY),
            user=request.user,
            chunk_size=ROWS_PER_QUERY,
        ),
        content_type=CONTENT_TYPE,
    )
    name = f"{str(Contact._meta.verbose_name_plural).capitalize()} {timezone.localdate().isoformat()}.vcf"
    response["Content-Disposition"] = exports.attachment(name)
    return response
