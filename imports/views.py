"""Import Data: upload, map, follow the job, fix failed rows; and the list exports."""

from __future__ import annotations

import csv
import logging
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import guard
from access.models import Privilege
from audit import services as audit
from crm import registry
from imports import entities, export_job_views, exports, readers, services
from imports.columns import neutralise
from imports.forms import MappingForm, UploadForm, entity_choices
from imports.models import ImportJob, SavedMapping

logger = logging.getLogger(__name__)


def import_permission_required(view):
    """Import Data is for people allowed to import at least one record type."""

    @wraps(view)
    def check(request: HttpRequest, *args, **kwargs):
        if not entity_choices(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return check


def job_for(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)


@import_permission_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            jobs = services.import_jobs_create(
                upload=form.cleaned_data["file"], entity=form.cleaned_data["entity"], by=request.user
            )
        except readers.UnreadableFile as error:
            form.add_error("file", str(error))
        else:
            if len(jobs) > 1:
                messages.info(
                    request, _("The zip file holds %(count)d files: map each in turn.") % {"count": len(jobs)}
                )
            return redirect(jobs[0].get_absolute_url())
    return render(request, "imports/upload.html", {"form": form})


@import_permission_required
@require_http_methods(["GET", "POST"])
def job_map(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(request, pk)
    if job.status != ImportJob.Status.DRAFT:
        return redirect(job.get_absolute_url())
    allowed = dict(entity_choices(request.user))
    if request.method == "POST" and "refresh" in request.POST:
        entity = entities.get(request.POST.get("entity")) if request.POST.get("entity") in allowed else None
        saved_id = request.POST.get("saved_mapping", "")
        saved = SavedMapping.objects.filter(owner=request.user, pk=saved_id if saved_id.isdigit() else 0).first()
        services.import_job_remap(job=job, entity=entity or job.entity_info, saved=saved)
        return redirect(job.get_absolute_url())
    if request.method == "POST" and "reencode" in request.POST:
        return job_reencode(request, job)
    undetected = not job.entity
    entity = entities.get(job.entity if job.entity in allowed else next(iter(allowed)))
    if job.entity != entity.key:
        services.import_job_remap(job=job, entity=entity, saved=None)
    form = MappingForm(request.POST or None, job=job, entity=entity, user=request.user)
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        if form.cleaned_data["save_as"]:
            services.saved_mapping_save(
                owner=request.user,
                entity=entity,
                name=form.cleaned_data["save_as"],
                headers=job.headers,
                mapping=mapping,
            )
        services.import_job_submit(
            job=job,
            entity=entity,
            mapping=mapping,
            duplicates=form.cleaned_data["duplicates"],
            allow_duplicates=form.cleaned_data["allow_duplicates"],
            match_key=form.cleaned_data["match_key"],
            record_owner=form.cleaned_data["record_owner"],
            create_missing_links=form.cleaned_data.get("create_missing_links", False),
        )
        messages.success(request, _("%(file)s was submitted for import.") % {"file": job.file_name})
        following = ImportJob.objects.visible_to(request.user).filter(batch=job.batch, status=ImportJob.Status.DRAFT)
        return redirect((following.order_by("pk").first() or job).get_absolute_url())
    samples = job.samples
    columns = [
        (field, [row[index] if index < len(row) else "" for row in samples])
        for index, field in enumerate(form.column_fields())
    ]
    return render(
        request,
        "imports/job_map.html",
        {
            "job": job,
            "form": form,
            "columns": columns,
            "entity": entity,
            "undetected": undetected,
            "encodings": ImportJob.ENCODINGS,
        },
    )


def job_reencode(request: HttpRequest, job: ImportJob) -> HttpResponse:
    """Read the draft's text file in the encoding the user picked; say so if it can't be."""
    encoding = request.POST.get("encoding", "")
    if encoding not in dict(ImportJob.ENCODINGS):
        messages.error(request, _("Choose one of the encodings offered."))
    else:
        try:
            services.import_job_reencode(job=job, encoding=encoding)
        except readers.UnreadableFile as refusal:
            messages.error(request, str(refusal))
    return redirect(job.get_absolute_url())


def running_job_for(request: HttpRequest, pk: int) -> ImportJob:
    """The job, judged stopped at once if its worker's heartbeat stopped."""
    return services.import_job_check_worker(job=job_for(request, pk))


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = running_job_for(request, pk)
    failures = job.failures.all()[:200]
    return render(
        request,
        "imports/job_detail.html",
        {"job": job, "failures": failures, "possible_duplicates": possible_duplicates(job)},
    )


def possible_duplicates(job: ImportJob) -> list[dict]:
    """The report's first rows the duplicate rules matched, each with a link to what it matches."""
    found = list(job.possible_duplicates.all()[:200])
    if not found:  # and types without duplicate rules (activities) have no record page of their own
        return []
    entity = job.entity_info
    namespace = registry.for_model(entity.model).namespace if entity is not None else ""
    return [
        {
            "duplicate": duplicate,
            "href": reverse(f"{namespace}:detail", args=[duplicate.record_id]) if duplicate.record_id else "",
        }
        for duplicate in found
    ]


@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = running_job_for(request, pk)
    return JsonResponse(
        {
            **job.progress(),
            "created": job.created_count,
            "updated": job.updated_count,
            "skipped": job.skipped_count,
            "failed": job.failed_count,
        }
    )


@require_GET
def job_failures(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The failed rows as they were read, plus an Error column, to fix and import again."""
    job = job_for(request, pk)
    writer = csv.writer(exports.Echo())

    def lines():
        # The BOM makes Excel read the accents right.
        yield "\ufeff" + writer.writerow([*job.headers, _("Error")])
        for failure in job.failures.iterator(chunk_size=2000):
            cells = [*failure.values, *[""] * (len(job.headers) - len(failure.values))]
            reason = _("%(row)s: %(reason)s") % {"row": job.row_label(failure.line), "reason": failure.reason}
            yield writer.writerow([neutralise(cell) for cell in [*cells, reason]])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = Path(job.file_name).stem
    response["Content-Disposition"] = exports.attachment(f"{name} - {_('failed rows')}.csv")
    return response


@require_http_methods(["GET", "POST"])
def job_delete(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(request, pk)
    if request.method == "GET":
        return render(request, "imports/job_confirm_delete.html", {"job": job})
    try:
        removing = services.import_job_delete(job=job, with_records=request.POST.get("with_records") == "yes")
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(job.get_absolute_url())
    if removing is not None:
        # Its page follows the removal and says what happened when it is done.
        return redirect(removing.get_absolute_url())
    messages.success(request, _("The import was removed."))
    return redirect("imports:history")


@require_POST
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(request, pk)
    try:
        services.import_job_resume(job=job)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    return redirect(job.get_absolute_url())


@require_GET
def history(request: HttpRequest) -> HttpResponse:
    jobs = ImportJob.objects.visible_to(request.user).select_related("created_by")
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(request, "imports/history.html", {"page": page, "can_import": bool(entity_choices(request.user))})


@require_http_methods(["GET", "POST"])
def export_records(request: HttpRequest, entity: str, file_format: str) -> HttpResponse:
    """Exactly the list the user is looking at (view, search, letter, sort), as CSV or Excel:
    streamed, or prepared in the background when the view is too large to stream."""
    # A record type's list (activities export from My Activities, activities.views.export).
    record_type = registry.by_key(entity)
    info = record_type.transfer if record_type is not None else None
    if info is None or file_format not in ("csv", "xlsx"):
        raise PermissionDenied
    if not request.user.has_perm(record_type.permission("export")):
        raise PermissionDenied
    guard.require(info.model, request.user, Privilege.EXPORT)
    records = exports.records_in_view(entity=info, request=request)
    if request.method == "POST" or exports.exceeds_stream_limit(records):
        return export_job_views.offer(request, entity=info, file_format=file_format)
    audit.exported(by=request.user, model=info.model, view=request.GET.urlencode(), rows=records.count())
    return exports.streaming_response(entity=info, records=records, file_format=file_format)
