from __future__ import annotations

import pytest
from django.urls import reverse

from access.roles import SALESPERSON
from crm.tests.factories import UserFactory
from duplicates.models import DuplicateRule

pytestmark = pytest.mark.django_db


def test_administrators_see_the_shipped_rules(owner_client):
    body = owner_client.get(reverse("duplicates:rules")).content.decode()
    assert "Accounts with the same account name" in body
    assert "Account Name: Exact match" in body


def test_others_are_refused(client):
    client.force_login(UserFactory(username="seller", role=SALESPERSON))
    assert client.get(reverse("duplicates:rules")).status_code == 403


def test_a_rule_is_disabled_and_enabled(owner_client):
    rule = DuplicateRule.objects.get(record_type="accounts.account")
    owner_client.post(reverse("duplicates:rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert not rule.enabled


def condition(index, field, operator="exact", length=""):
    return {
        f"conditions-{index}-field": field,
        f"conditions-{index}-operator": operator,
        f"conditions-{index}-length": length,
    }


def rule_post(**extra):
    return {
        "name": "Same city start",
        "record_type": "accounts.account",
        "enabled": "on",
        "conditions-TOTAL_FORMS": "2",
        "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "1000",
        **condition(1, ""),  # as a browser sends an extra condition left alone
        **extra,
    }


def test_a_rule_is_created_with_its_conditions(owner_client):
    response = owner_client.post(reverse("duplicates:rule_create"), rule_post(**condition(0, "name", "first", "5")))
    assert response.status_code == 302
    rule = DuplicateRule.objects.get(name="Same city start")
    assert [(c.field, c.operator, c.length) for c in rule.conditions.all()] == [("name", "first", 5)]


def test_a_field_of_another_record_type_is_refused_with_the_reason(owner_client):
    response = owner_client.post(reverse("duplicates:rule_create"), rule_post(**condition(0, "last_name")))
    assert "Choose a field of accounts" in response.content.decode()
    assert not DuplicateRule.objects.filter(name="Same city start").exists()


def test_same_first_characters_needs_a_number(owner_client):
    response = owner_client.post(reverse("duplicates:rule_create"), rule_post(**condition(0, "name", "first")))
    assert "how many characters" in response.content.decode()


def test_a_rule_needs_a_condition(owner_client):
    response = owner_client.post(reverse("duplicates:rule_create"), rule_post(**condition(0, "")))
    assert "at least one condition" in response.content.decode()
