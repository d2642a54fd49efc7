"""The pages of a background export: the offer to prepare it, its progress, its download."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from imports import export_jobs
from imports.entities import Entity
from imports.models import ExportJob


def job_for(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.of(request.user), pk=pk)


def offer(request: HttpRequest, *, entity: Entity, file_format: str) -> HttpResponse:
    """A view over the streaming limit: GET says so and offers to prepare the file; POST
    (from that page, with the list's parameters still in the address) starts it."""
    if request.method == "POST":
        job = export_jobs.export_job_start(entity=entity, file_format=file_format, params=request.GET, by=request.user)
        return redirect(job)
    context = {
        "entity": entity,
        "file_format": ExportJob.Format(file_format),
        "limit": settings.EXPORT_STREAM_MAX_ROWS,
        "list_url": f"{reverse(entity.list_url_name)}?{request.GET.urlencode()}",
    }
    return render(request, "imports/export_offer.html", context)


@require_GET
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(request, pk)
    return render(request, "imports/export_job.html", {"job": job, "keep_hours": settings.EXPORT_KEEP_HOURS})


@require_GET
def export_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = job_for(request, pk)
    return JsonResponse(job.progress())


@require_GET
def export_job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = job_for(request, pk)
    if job.status != ExportJob.Status.COMPLETED or not job.file or (job.expires_on and job.expires_on < timezone.now()):
        raise Http404
    try:
        opened = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(opened, as_attachment=True, filename=job.file_name)
