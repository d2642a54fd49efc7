from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from health.heartbeat import worker_alive


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitors: 200 "ok" when the database answers and a background
    worker beat recently, else 503. Nothing else is said: the page is open to anyone."""
    within = datetime.timedelta(seconds=settings.HEALTHZ_WORKER_MAX_AGE_SECONDS)
    try:
        healthy = worker_alive(within=within)
    except DatabaseError:
        healthy = False
    if healthy:
        return HttpResponse("ok", content_type="text/plain; charset=utf-8")
    return HttpResponse("unavailable", status=503, content_type="text/plain; charset=utf-8")
