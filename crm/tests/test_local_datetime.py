"""crm.formats.local_datetime writes a moment exactly as Django's date_format does, faster."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from crm.formats import local_datetime

MOMENTS = [
    datetime.datetime(2026, month, day, hour, minute, tzinfo=datetime.UTC)
    for month, day in ((1, 1), (5, 17), (9, 30), (12, 31))
    for hour, minute in ((0, 0), (0, 30), (11, 59), (12, 0), (12, 5), (23, 0))
]


@pytest.mark.parametrize("format_name", ["DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"])
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Los_Angeles"])
def test_the_same_text_as_django_in_each_language_and_time_zone(language, zone, format_name):
    with translation.override(language), timezone.override(zone):
        for moment in MOMENTS:
            expected = date_format(timezone.localtime(moment), format_name)
            assert local_datetime(moment, format_name) == expected


def test_words_follow_the_language_they_are_asked_in():
    moment = datetime.datetime(2026, 12, 1, 0, 0, tzinfo=datetime.UTC)
    with translation.override("en"), timezone.override("UTC"):
        english = local_datetime(moment)
    with translation.override("fr"), timezone.override("UTC"):
        french = local_datetime(moment)
    assert english == "Dec. 1, 2026, midnight" and french == "1 décembre 2026 00:00"
