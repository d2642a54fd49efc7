"""Normalised keys that duplicate rules compare, computed by the database.

Each record type stores a key column per matchable field (a generated column, like the
search text), so that an exact rule is one btree probe and imports and bulk writes keep
them current without any Python. The key of a value typed in a form is computed by the same
function, in the same query, so both sides are normalised identically.

Name keys: lower case, accents dropped, punctuation and spaces dropped, and legal suffixes at
the end dropped ("Contoso Ltd." = "contoso LTD" = "Contoso, Limited" = "contoso"). On
PostgreSQL an immutable SQL function (migration duplicates 0001) over crm_fold, the accent
folding quick find uses; on SQLite name_key() below, registered on every connection. Email keys: trimmed, lower case.
"""

from __future__ import annotations

import re

from django.db import models
from django.db.models.functions import Lower, NullIf, Trim

from crm.models import FOLD_FUNCTION, fold

NAME_KEY_FUNCTION = "dup_name_key"
SIMILARITY_FUNCTION = "dup_similarity"
# Names at least this similar (pg_trgm's similarity, 0..1) match a "similar name" condition:
# below it, names sharing one common word flood the candidates (measured: 959 ms at 0.3 vs
# 28 ms at 0.6 over 1M names).
SIMILARITY_THRESHOLD = 0.6

# Legal forms dropped from the end of a company name, written as they read once punctuation
# is gone ("S.A.R.L." -> "s a r l").
LEGAL_SUFFIXES = [
    "ltd",
    "limited",
    "gmbh",
    "sa",
    "s a",
    "sarl",
    "s a r l",
    "sas",
    "ag",
    "oy",
    "bv",
    "b v",
    "nv",
    "inc",
    "incorporated",
    "llc",
    "l l c",
    "llp",
    "plc",
    "ab",
    "co",
    "corp",
    "corporation",
    "company",
    "spa",
    "srl",
    "as",
    "aps",
    "kg",
    "pty",
]
# One or more suffixes at the end, each after a space: a name that is only "Limited" stays.
SUFFIX_PATTERN = "( (" + "|".join(LEGAL_SUFFIXES) + "))+$"
_SUFFIXES = re.compile(SUFFIX_PATTERN)
_NOT_ALNUM = re.compile(r"[\W_]+")


def name_key(text: str | None, company: bool = True) -> str | None:
    """The key of a name, in Python: what NameKey computes on SQLite. None for a blank name.
    Legal suffixes are dropped from company names only ("De Sa" is a person's name)."""
    if text is None:
        return None
    spaced = _NOT_ALNUM.sub(" ", fold(text).lower()).strip()
    if company:
        spaced = _SUFFIXES.sub("", spaced)
    return spaced.replace(" ", "") or None


def postgresql_function_sql() -> str:
    """The PostgreSQL twin of name_key(), over the accent folding quick find uses (crm_fold)."""
    spaced = f"btrim(regexp_replace(lower({FOLD_FUNCTION}($1)), '[^[:alnum:]]+', ' ', 'g'))"
    stripped = f"replace(CASE WHEN $2 THEN regexp_replace({spaced}, '{SUFFIX_PATTERN}', '') ELSE {spaced} END, ' ', '')"
    return (
        f"CREATE OR REPLACE FUNCTION {NAME_KEY_FUNCTION}(text, boolean) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        f"AS $$ SELECT NULLIF({stripped}, '') $$"
    )


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams of one word-run: padded with two spaces before, one after."""
    found: set[str] = set()
    for word in re.findall(r"\w+", text.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def similarity(left: str | None, right: str | None) -> float | None:
    """pg_trgm's similarity(): shared trigrams over all trigrams. SQLite's similar-name rule."""
    if left is None or right is None:
        return None
    a, b = trigrams(left), trigrams(right)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: SQLite connections get the key and similarity functions."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(NAME_KEY_FUNCTION, 2, name_key, deterministic=True)
        connection.connection.create_function(SIMILARITY_FUNCTION, 2, similarity, deterministic=True)


class NameKey(models.Func):
    """The key of a company name (legal suffixes dropped) or, with company=False, a person's."""

    function = NAME_KEY_FUNCTION
    output_field = models.TextField()

    def __init__(self, expression, *, company: bool = True):
        super().__init__(expression, models.Value(company))

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f'{NAME_KEY_FUNCTION}(({sql})::text COLLATE "default", {"true" if self.company else "false"})', params

    @property
    def company(self) -> bool:
        return bool(self.source_expressions[1].value)


def email_key(expression) -> NullIf:
    return NullIf(Lower(Trim(expression)), models.Value(""))


class Similarity(models.Func):
    """How similar two name keys are, 0..1: pg_trgm on PostgreSQL, its Python twin on SQLite."""

    function = SIMILARITY_FUNCTION
    output_field = models.FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="similarity", **extra_context)


class TrigramMatch(models.Func):
    """PostgreSQL's `key % typed`: similar at pg_trgm.similarity_threshold, through the
    trigram index (django.contrib.postgres's lookup, without installing that app)."""

    arg_joiner = " %% "  # a literal % in SQL with parameters
    template = "(%(expressions)s)"
    output_field = models.BooleanField()


def name_key_column(field: str, *, company: bool = True) -> models.GeneratedField:
    return models.GeneratedField(
        expression=NameKey(models.F(field), company=company),
        output_field=models.TextField(),
        db_persist=True,
        null=True,
    )


def email_key_column(field: str) -> models.GeneratedField:
    return models.GeneratedField(
        expression=email_key(models.F(field)), output_field=models.TextField(), db_persist=True, null=True
    )


# The kinds of key a field compares by; a record model lists its matchable fields as
# DUPLICATE_KEYS = {field: (key column, kind)}.
NAME = "name"
PERSON_NAME = "person_name"
EMAIL = "email"


def key_of_value(kind: str, value: str):
    """The database expression giving the key of a typed value."""
    expression = models.Value(value, output_field=models.TextField())
    if kind == EMAIL:
        return email_key(expression)
    return NameKey(expression, company=kind == NAME)
