"""The security pages (System Administrators only): business units, teams, roles and users."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access import services
from access.forms import BusinessUnitForm, TeamForm, UserAccessForm
from access.models import BusinessUnit, Depth, Privilege, RolePrivilege, SecurityRole, Team, UserAccess
from access.registry import record_types
from access.roles import ensure_root_unit


def administrators_only(view):
    @wraps(view)
    def check(request: HttpRequest, *args, **kwargs):
        services.require_administrator(request.user)
        return view(request, *args, **kwargs)

    return check


@administrators_only
def overview(request: HttpRequest) -> HttpResponse:
    users = get_user_model().objects.order_by("username").select_related("crm_access__business_unit")
    context = {
        "units": BusinessUnit.objects.select_related("parent"),
        "teams": Team.objects.select_related("business_unit").prefetch_related("members", "roles"),
        "roles": SecurityRole.objects.all(),
        "users": users.prefetch_related("crm_access__roles"),
    }
    return render(request, "access/overview.html", context)


@administrators_only
@require_http_methods(["GET", "POST"])
def business_unit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    unit = get_object_or_404(BusinessUnit, pk=pk) if pk else BusinessUnit(parent=ensure_root_unit())
    form = BusinessUnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(unit)s was saved.") % {"unit": form.instance})
        return redirect("access:overview")
    return render(request, "access/edit.html", {"form": form, "title": _("Business unit"), "object": unit})


@administrators_only
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk) if pk else Team(business_unit=ensure_root_unit())
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            # A team's records follow it to another business unit.
            for model in record_types().values():
                model._default_manager.filter(owner_team=saved).exclude(business_unit=saved.business_unit).update(
                    business_unit=saved.business_unit
                )
        messages.success(request, _("%(team)s was saved.") % {"team": saved})
        return redirect("access:overview")
    return render(request, "access/edit.html", {"form": form, "title": _("Team"), "object": team})


def delete_refused_with_advice(request: HttpRequest, owner, *, what: str) -> HttpResponse:
    try:
        services.refuse_if_owning(owner, what=what)
        owner.delete()
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    except ProtectedError:
        messages.error(
            request,
            _("%(name)s still has users, teams or business units in it. Move them elsewhere first.") % {"name": owner},
        )
    else:
        messages.success(request, _("%(name)s was deleted.") % {"name": owner})
    return redirect("access:overview")


@administrators_only
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return delete_refused_with_advice(request, get_object_or_404(Team, pk=pk), what=_("The team"))


@administrators_only
@require_POST
def business_unit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return delete_refused_with_advice(request, get_object_or_404(BusinessUnit, pk=pk), what=_("The business unit"))


@administrators_only
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A role's privilege grid: one depth per record type and privilege."""
    role = get_object_or_404(SecurityRole, pk=pk)
    current = {(cell.record_type, cell.privilege): cell.depth for cell in role.privileges.all()}
    kinds = record_types()
    if request.method == "POST":
        with transaction.atomic():
            for kind in kinds:
                for privilege in Privilege.values:
                    value = request.POST.get(f"{kind}:{privilege}", "")
                    depth = int(value) if value.isdigit() and int(value) in Depth.values else Depth.NONE
                    RolePrivilege.objects.update_or_create(
                        role=role, record_type=kind, privilege=privilege, defaults={"depth": depth}
                    )
        messages.success(request, _("The privileges of %(role)s were saved.") % {"role": role})
        return redirect("access:role_edit", pk=role.pk)
    grid = [
        {
            "label": capfirst(model._meta.verbose_name_plural),
            "cells": [
                {
                    "name": f"{kind}:{privilege}",
                    "privilege": Privilege(privilege).label,
                    "depth": current.get((kind, privilege), 0),
                }
                for privilege in Privilege.values
            ],
        }
        for kind, model in kinds.items()
    ]
    return render(
        request,
        "access/role.html",
        {"role": role, "grid": grid, "depths": Depth.choices, "privileges": Privilege.choices},
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=pk)
    place = UserAccess.objects.filter(user=person).first()
    initial = {
        "business_unit": place.business_unit if place else ensure_root_unit(),
        "roles": place.roles.all() if place else [],
    }
    form = UserAccessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.user_move(user=person, business_unit=form.cleaned_data["business_unit"])
            UserAccess.objects.get(user=person).roles.set(form.cleaned_data["roles"])
        messages.success(request, _("%(user)s was saved.") % {"user": person})
        return redirect("access:overview")
    return render(request, "access/edit.html", {"form": form, "title": _("User"), "object": person})
