"""Duplicate rules (System Administrators), Merge / Undo merge, and the background jobs:
Detect duplicates and large merges."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import guard
from access.admin_views import administrators_only
from access.models import Privilege
from access.views import list_url, record_model
from crm.record_views import field_display, safe_next_url
from duplicates import jobs, scan, services
from duplicates.detection import usable_rules
from duplicates.forms import ConditionFormSet, DuplicateRuleForm, detectable_types
from duplicates.models import DetectionJob, DuplicateRule, MergeJob, MergeOperation

# --- Rules ---------------------------------------------------------------------------------


@administrators_only
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = DuplicateRule.objects.prefetch_related("conditions")
    types = detectable_types()
    rows = []
    for rule in rules:
        model = types.get(rule.record_type)
        rows.append(
            {
                "rule": rule,
                # A shipped rule's name is shown in the user's language; an admin's own as typed.
                "name": _(rule.name),
                "records": model._meta.verbose_name_plural if model else rule.record_type,
                "conditions": [describe(model, condition) for condition in rule.conditions.all()],
            }
        )
    return render(request, "duplicates/rule_list.html", {"rows": rows})


def describe(model, condition) -> str:
    label = model._meta.get_field(condition.field).verbose_name if model else condition.field
    operator = condition.get_operator_display()
    if condition.length:
        return _("%(field)s: %(operator)s (%(length)d)") % {
            "field": label,
            "operator": operator,
            "length": condition.length,
        }
    return _("%(field)s: %(operator)s") % {"field": label, "operator": operator}


@administrators_only
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(DuplicateRule, pk=pk) if pk else DuplicateRule()
    form = DuplicateRuleForm(request.POST or None, instance=rule)
    record_type = request.POST.get("record_type", rule.record_type)
    conditions = ConditionFormSet(request.POST or None, instance=rule, record_type=record_type)
    if request.method == "POST" and form.is_valid() and conditions.is_valid():
        rule = form.save()
        conditions.instance = rule
        conditions.save()
        messages.success(request, _("The rule “%(rule)s” was saved.") % {"rule": rule})
        return redirect("duplicates:rules")
    return render(request, "duplicates/rule_form.html", {"form": form, "conditions": conditions, "rule": rule})


@administrators_only
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(DuplicateRule, pk=pk)
    rule.enabled = not rule.enabled
    rule.save(update_fields=["enabled"])
    if rule.enabled:
        messages.success(request, _("The rule “%(rule)s” is enabled.") % {"rule": rule})
    else:
        messages.success(request, _("The rule “%(rule)s” is disabled.") % {"rule": rule})
    return redirect("duplicates:rules")


@administrators_only
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(DuplicateRule, pk=pk)
    rule.delete()
    messages.success(request, _("The rule “%(rule)s” was deleted.") % {"rule": rule})
    return redirect("duplicates:rules")


# --- Merge ---------------------------------------------------------------------------------


def selected_ids(request: HttpRequest) -> list[int]:
    values = request.POST.getlist("selected") or request.GET.getlist("selected")
    return list(dict.fromkeys(int(value) for value in values if value.isdigit()))


@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, record_type: str) -> HttpResponse:
    """Pick the master and, field by field, which value to keep; then merge."""
    model = record_model(record_type)
    back = safe_next_url(request) or list_url(model)
    ids = selected_ids(request)
    if len(ids) != 2:
        messages.error(request, _("Select exactly two records to merge."))
        return redirect(back)
    found = {record.pk: record for record in guard.visible(model, request.user).filter(pk__in=ids)}
    if len(found) != 2:
        raise Http404
    for record in found.values():
        guard.require(record, request.user, Privilege.WRITE)
    chosen = request.POST.get("make_master") or request.POST.get("master") or request.GET.get("master")
    master_id = int(chosen) if chosen and chosen.isdigit() and int(chosen) in found else ids[0]
    master = found[master_id]
    other = found[next(pk for pk in ids if pk != master_id)]
    versions = {pk: posted_version(request, pk, record.version) for pk, record in found.items()}
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        keep_other = {
            field.name
            for field in services.mergeable_fields(model)
            if request.POST.get(f"keep_{field.name}") == str(other.pk)
        }
        rows = jobs.needs_worker(other)
        if rows is not None:
            job = jobs.merge_job_start(
                master=master, other=other, keep_other=keep_other, versions=versions, rows=rows, by=request.user
            )
            return redirect(job)
        try:
            services.records_merge(
                master=master, other=other, keep_other=keep_other, versions=versions, by=request.user
            )
        except services.MergeRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("%(other)s was merged into %(master)s. You can undo the merge from this page.")
                % {"other": other, "master": master},
            )
            return redirect(master.get_absolute_url())
    context = {
        "opts": model._meta,
        "record_type": record_type,
        "master": master,
        "other": other,
        "records": [master, other],
        "versions": versions,
        "rows": merge_rows(master, other),
        "next_url": back,
    }
    return render(request, "duplicates/merge.html", context)


def posted_version(request: HttpRequest, pk: int, current: int) -> int:
    """The version of record `pk` when the user opened the merge (what they chose from)."""
    value = request.POST.get(f"version_{pk}", "")
    return int(value) if value.isdigit() else current


def merge_rows(master, other) -> list[dict]:
    """The fields whose values differ, both values side by side; the master's is kept by
    default, unless it is empty: an empty value never wins."""
    rows = []
    for field in services.mergeable_fields(type(master)):
        mine, theirs = getattr(master, field.attname), getattr(other, field.attname)
        if mine == theirs:
            continue
        rows.append(
            {
                "name": field.name,
                "label": field.verbose_name,
                "master": field_display(master, field.name),
                "other": field_display(other, field.name),
                "master_empty": services.is_empty(mine),
                "other_empty": services.is_empty(theirs),
                "keep_other": services.is_empty(mine),
            }
        )
    return rows


@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    operation = get_object_or_404(MergeOperation, pk=pk)
    model = operation.content_type.model_class()
    master = get_object_or_404(guard.visible(model, request.user), pk=operation.master_id)
    guard.require(master, request.user, Privilege.WRITE)
    other = model._default_manager.filter(pk=operation.other_id).first()
    if other is not None:
        guard.require(other, request.user, Privilege.WRITE)
    rows = jobs.undo_needs_worker(operation)
    if rows is not None:
        return redirect(jobs.undo_job_start(operation=operation, rows=rows, by=request.user))
    try:
        services.merge_undo(operation=operation, by=request.user)
    except services.MergeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, _("The merge was undone: %(other)s is back as it was.") % {"other": other or _("the other record")}
        )
    return redirect(reverse(f"{model._meta.app_label}:detail", args=[master.pk]))


# --- Background jobs: Detect duplicates, large merges -------------------------------------


GROUPS_PER_PAGE = 25


@require_http_methods(["GET", "POST"])
def detect(request: HttpRequest, record_type: str) -> HttpResponse:
    """Offer to detect duplicates in the list the user came from (its query string) or in
    every record of the type they may read; POST starts the job."""
    model = record_model(record_type)
    # A list opened without parameters shows its default view: "view=" says so (empty
    # parameters mean every record of the type).
    params = request.GET.urlencode() or "view="
    rules = usable_rules(model)
    # Rows ticked on the list (its bulk form posts them here first, to offer them as a choice).
    ticked = selected_ids(request)[: jobs.SELECTED_MAX] if request.method == "POST" else []
    selected = jobs.selected_params(ticked)
    if request.method == "POST" and "scope" in request.POST:
        scopes = {"view": params, "selected": selected or params}  # nothing ticked: the view, never all
        job = jobs.detection_job_start(model=model, params=scopes.get(request.POST["scope"], ""), by=request.user)
        return redirect(job)
    context = {
        "opts": model._meta,
        "record_type": record_type,
        "view_label": jobs.scope_label(model=model, params=params),
        "all_label": jobs.scope_label(model=model, params=""),
        "selected": ticked,
        "selected_label": jobs.scope_label(model=model, params=selected) if ticked else "",
        "list_url": f"{list_url(model)}?{params}",
        "rules": rules,
        # Over many records, similar names are compared with their neighbours only (scan).
        "similar_neighbours": scan.NEIGHBOURS if scan.compares_neighbours(rules) else None,
        "earlier": DetectionJob.objects.of(request.user).filter(record_type=record_type)[:10],
    }
    return render(request, "duplicates/detect.html", context)


@require_GET
def detection(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(DetectionJob.objects.of(request.user), pk=pk)
    model = record_model(job.record_type)
    page = Paginator(job.groups.all(), GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"job": job, "opts": model._meta, "page": page, "groups": readable_groups(page, model, request.user)}
    return render(request, "duplicates/detection.html", context)


def readable_groups(page, model, user) -> list[dict]:
    """A page of groups with the members `user` may read now (one query), in the group's
    order; a member merged or deactivated since is shown as such, one not readable not at all."""
    ids = {pk for group in page for pk in group.record_ids}
    records = guard.visible(model, user).select_related("owner").in_bulk(ids)
    rows = []
    for group in page:
        members = [records[pk] for pk in group.record_ids if pk in records]
        active = [member for member in members if member.is_active]
        rows.append(
            {
                "group": group,
                "members": members,
                "mergeable": len(active) >= 2,
                "hidden": len(group.record_ids) - len(members),
            }
        )
    return rows


@require_GET
def detection_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(DetectionJob.objects.of(request.user), pk=pk)
    return JsonResponse(job.progress())


@require_GET
def merge_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(MergeJob.objects.of(request.user), pk=pk)
    model = record_model(job.record_type)
    records = guard.visible(model, request.user).in_bulk([job.master_id, job.other_id])
    context = {"job": job, "master": records.get(job.master_id), "other": records.get(job.other_id)}
    return render(request, "duplicates/merge_job.html", context)


@require_GET
def merge_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(MergeJob.objects.of(request.user), pk=pk)
    return JsonResponse(job.progress())
