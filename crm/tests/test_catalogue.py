"""The French catalogue is complete, sound and in step with the source and its compiled file."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

CATALOGUE = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# %(name)s, %d, %s... (not "%%" nor the "% 1" of "2% 10 Net 30") and {name}.
PLACEHOLDER = re.compile(r"%\([^)]+\)[#0 +-]?\d*(?:\.\d+)?[sdfirx]|%[sdfi]|\{\w*\}")
needs_gettext = pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")


def entries():
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]


def translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_message_has_a_french_translation():
    untranslated = [entry.msgid for entry in entries() if not all(translations(entry))]
    assert untranslated == []


def test_no_translation_is_fuzzy():
    assert [entry.msgid for entry in entries() if entry.fuzzy] == []


def broken_placeholders(entry) -> list[str]:
    """Translations that lose or add a placeholder. Plurals: the singular may drop its count
    ("cet enregistrement"), so it may only use the source's; the other forms keep them all."""
    if not entry.msgid_plural:
        return [entry.msgstr] if placeholders(entry.msgstr) != placeholders(entry.msgid) else []
    every = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
    return [
        text
        for index, text in entry.msgstr_plural.items()
        if not placeholders(text) <= every or (index > 0 and placeholders(text) != placeholders(entry.msgid_plural))
    ]


def test_translations_keep_every_placeholder():
    assert [(entry.msgid, broken_placeholders(entry)) for entry in entries() if broken_placeholders(entry)] == []


def test_the_placeholder_check_sees_a_broken_translation():
    assert placeholders("%(count)d record of %(name)s in {number}") == {"%(count)d", "%(name)s", "{number}"}
    assert placeholders("2% 10 Net 30") == set()
    lost = polib.POEntry(msgid="%(record)s was saved.", msgstr="Enregistré.")
    renamed = polib.POEntry(msgid="Address {number}", msgstr="Adresse {numero}")
    plural = polib.POEntry(msgid="%(n)d row", msgid_plural="%(n)d rows", msgstr_plural={0: "une ligne", 1: "lignes"})
    assert broken_placeholders(lost) and broken_placeholders(renamed) and broken_placeholders(plural) == ["lignes"]


@needs_gettext
def test_the_catalogue_is_in_step_with_the_source(tmp_path):
    """`make messages` was run after the last change of a translatable string."""
    copy = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(CATALOGUE, copy)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        # The project's own locale folder is skipped, so that the strings go to the copy.
        call_command("makemessages", locale=["fr"], ignore_patterns=["locale"], verbosity=0)
    fresh = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(copy)) if not entry.obsolete}
    committed = {(entry.msgctxt, entry.msgid) for entry in entries()}
    assert sorted(fresh - committed, key=str) == [], "strings missing from the catalogue: run make messages"
    assert sorted(committed - fresh, key=str) == [], "strings no longer in the source: run make messages"


@needs_gettext
def test_the_committed_compiled_catalogue_matches_the_source_catalogue(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(CATALOGUE)], check=True)
    with COMPILED.open("rb") as committed, compiled.open("rb") as fresh:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog
