"""gunicorn's settings for Harbor CRM: `gunicorn crm.wsgi` reads this file from the current
folder (or pass `-c gunicorn.conf.py`). Each value can be changed by the environment variable
named beside it; a bad value stops gunicorn at start-up with the variable's name."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from crm.env import env_int as typed_env_int


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    # gunicorn reports a SystemExit's message as it is, without a traceback.
    try:
        return typed_env_int(name, default, minimum=minimum)
    except ImproperlyConfigured as error:
        raise SystemExit(str(error)) from None


def cores() -> int:
    """The cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# A page is mostly Python, which holds one core per process: one process per core serves
# most (measured on 2 cores: 2 workers served more requests per second than 4). Threads let
# a process go on while one request waits on the database or streams an export.
workers = env_int("GUNICORN_WORKERS", cores(), minimum=1)
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 4, minimum=1)

# A worker silent for this long is restarted. With threads the worker keeps talking to
# gunicorn while a request runs, so a long streamed export is not cut by it.
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = env_int("GUNICORN_KEEPALIVE", 5, minimum=0)

# Restart each worker after about this many requests (the jitter spreads the restarts so the
# workers never all restart at once): memory a library leaks can't pile up.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000, minimum=0)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100, minimum=0)

# Access log to standard output, with the time each request took (microseconds, %(D)s).
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'

# gunicorn's worker heartbeat files: in memory where there is memory-backed storage, since a
# slow disk can make a busy worker look dead.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
