"""The production server's settings (gunicorn.conf.py) follow the core count and the environment."""

from __future__ import annotations

import runpy

import pytest
from django.conf import settings

CONF = str(settings.BASE_DIR / "gunicorn.conf.py")


def load(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_one_threaded_worker_per_core_restarted_now_and_then_with_an_access_log(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2})
    conf = load(monkeypatch)
    assert conf["workers"] == 3 and conf["worker_class"] == "gthread" and conf["threads"] == 4
    assert conf["timeout"] == 30
    assert conf["max_requests"] == 1000 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["accesslog"] == "-"


def test_the_environment_overrides_the_defaults(monkeypatch):
    conf = load(monkeypatch, GUNICORN_WORKERS="5", GUNICORN_THREADS="2", GUNICORN_TIMEOUT="60")
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (5, 2, 60)


@pytest.mark.parametrize("value", ["many", "0"])
def test_a_bad_value_stops_the_server_naming_the_variable(monkeypatch, value):
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS"):
        load(monkeypatch, GUNICORN_WORKERS=value)
