"""/healthz: 200 "ok" with the database answering and a recent worker heartbeat, else 503,
for anyone, saying nothing more."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from health import heartbeat
from health.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db
URL = "/healthz"


def test_the_health_check_lives_at_healthz():
    assert reverse("healthz") == URL


def test_a_recent_heartbeat_is_healthy_without_signing_in(client):
    heartbeat.beat("worker-1")
    response = client.get(URL)
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_no_worker_ever_is_unavailable(client):
    response = client.get(URL)
    assert response.status_code == 503
    assert response.content == b"unavailable"


def test_a_stale_heartbeat_is_unavailable(client, settings):
    settings.HEALTHZ_WORKER_MAX_AGE_SECONDS = 60
    WorkerHeartbeat.objects.create(worker_id="gone", beat_on=timezone.now() - datetime.timedelta(seconds=61))
    assert client.get(URL).status_code == 503
    heartbeat.beat("alive")
    assert client.get(URL).status_code == 200


def test_a_database_that_does_not_answer_is_unavailable_and_not_described(client, monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("connection refused to db.internal:5432")

    monkeypatch.setattr("health.views.worker_alive", broken)
    response = client.get(URL)
    assert response.status_code == 503
    assert response.content == b"unavailable"


def test_the_health_check_only_reads(client):
    heartbeat.beat("worker-1")
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_a_beat_updates_its_worker_and_forgets_long_gone_ones():
    WorkerHeartbeat.objects.create(worker_id="old", beat_on=timezone.now() - datetime.timedelta(days=2))
    heartbeat.beat("w")
    heartbeat.beat("w")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_beats_while_the_process_runs(monkeypatch):
    monkeypatch.setattr(heartbeat, "BEAT_SECONDS", 0.05)
    thread = heartbeat.HeartbeatThread("thread-worker")
    thread.start()
    try:
        for _ in range(100):
            if WorkerHeartbeat.objects.filter(worker_id="thread-worker").exists():
                break
            thread.stopped.wait(0.05)
    finally:
        thread.stopped.set()
        thread.join(5)
    assert WorkerHeartbeat.objects.filter(worker_id="thread-worker").exists()
