"""Assign, Share and "Why can I see this?" on records; the security pages for administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from access import guard, services
from access.forms import AssignForm, ShareForm
from access.models import Privilege, ShareRight, Team
from access.registry import record_types
from access.roles import is_system_administrator
from audit.models import Source
from crm.models import person_name
from crm.record_views import safe_next_url


def record_model(record_type: str):
    model = record_types().get(record_type)
    if model is None:
        raise Http404
    return model


def readable_record(request: HttpRequest, record_type: str, pk: int):
    records = guard.visible(record_model(record_type), request.user).select_related("business_unit", "owner_team")
    return get_object_or_404(records, pk=pk)


def list_url(model) -> str:
    return reverse(f"{model._meta.app_label}:list")


@require_POST
def assign(request: HttpRequest, record_type: str) -> HttpResponse:
    """The Assign command for the records ticked in a list, or the one of a record page."""
    model = record_model(record_type)
    ids = [value for value in request.POST.getlist("selected") if value.isdigit()]
    records = guard.visible(model, request.user).filter(pk__in=ids)
    back = safe_next_url(request) or list_url(model)
    if not records.exists():
        messages.error(request, _("Select at least one record first."))
        return redirect(back)
    carries = hasattr(model, "contacts")
    from_record = request.POST.get("origin") == "record"  # the record page's Assign, not a list's
    form = AssignForm(
        request.POST if "confirmed" in request.POST else None, user=request.user, carries_contacts=carries
    )
    if form.is_valid():
        try:
            result = services.records_assign(
                records=records,
                to=form.new_owner(),
                by=request.user,
                carry=form.cleaned_data.get("carry", "none"),
                source=Source.FORM if from_record else Source.BULK,
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            report_assignment(request, result, form.new_owner())
            return redirect(back)
    context = {"form": form, "records": records[:500], "record_count": records.count(), "opts": model._meta}
    context.update(next_url=back, record_type=record_type, from_record=from_record)
    return render(request, "access/assign.html", context)


def report_assignment(request: HttpRequest, result: services.AssignResult, owner) -> None:
    if result.assigned:
        messages.success(
            request,
            ngettext(
                "%(count)d record was assigned to %(owner)s.",
                "%(count)d records were assigned to %(owner)s.",
                result.assigned,
            )
            % {"count": result.assigned, "owner": owner if isinstance(owner, Team) else person_name(owner)},
        )
    if result.carried:
        messages.info(
            request,
            ngettext("%(count)d contact went along.", "%(count)d contacts went along.", result.carried)
            % {"count": result.carried},
        )
    if result.refused:
        messages.error(
            request,
            ngettext(
                "%(count)d record was not assigned: you may not assign it.",
                "%(count)d records were not assigned: you may not assign them.",
                result.refused,
            )
            % {"count": result.refused},
        )


@require_http_methods(["GET", "POST"])
def share(request: HttpRequest, record_type: str, pk: int) -> HttpResponse:
    """The "Shared with" panel of a record: its grants, adding one, removing one."""
    record = readable_record(request, record_type, pk)
    guard.require(record, request.user, Privilege.SHARE)
    form = ShareForm(request.POST or None, initial={"rights": [ShareRight.READ]})
    if request.method == "POST" and "remove" in request.POST:
        share_id = request.POST["remove"]
        services.record_unshare(record=record, share_id=int(share_id) if share_id.isdigit() else 0, by=request.user)
        messages.success(request, _("The share was removed."))
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.record_share(
                record=record, principal=form.principal(), rights=form.rights_mask(), by=request.user
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(
                request,
                _("%(record)s is shared with %(principal)s.") % {"record": record, "principal": grant.principal_label},
            )
            return redirect(request.path)
    shares = [
        {"share": item, "rights": [right.label for right in ShareRight if item.rights & right]}
        for item in services.shares_of(record)
    ]
    return render(
        request, "access/share.html", {"record": record, "form": form, "shares": shares, "opts": record._meta}
    )


@require_http_methods(["GET"])
def why(request: HttpRequest, record_type: str, pk: int) -> HttpResponse:
    """Who can see this record, and through which path. A System Administrator sees everyone;
    others see their own answer."""
    record = readable_record(request, record_type, pk)
    people = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    if not is_system_administrator(request.user):
        people = people.filter(pk=request.user.pk)
    rows = guard.who_can_read(record, people)
    return render(request, "access/why.html", {"record": record, "rows": rows, "opts": record._meta})
