"""Company names as varied as real ones, for timing similar-name detection (the benchmark's
generated names combine a few dozen words with a number: nearly every name is similar to
thousands of others, which real data isn't).

Words are built from syllables (some ten thousand distinct words, a few common business words
among them); one name in a hundred is a near-duplicate of an earlier one, as people type them:
a letter dropped, doubled, swapped or mistyped, another legal suffix, other case and punctuation.
"""

from __future__ import annotations

import random

ONSETS = ["", "b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "kl", "l", "m", "n", "p", "pr", "r"]
ONSETS += ["s", "sh", "st", "t", "tr", "v", "w", "z", "sk", "fl"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "y", "ie"]
CODAS = ["", "", "n", "r", "s", "l", "m", "t", "nd", "rk", "x", "ck", "ng"]
COMMON = ["Group", "Trading", "Systems", "Foods", "Logistics", "Partners", "Holdings", "Marine", "Nordic", "Tech"]
SUFFIXES = ["", "", "", "Ltd", "Inc.", "GmbH", "SA", "AB", "Oy", "LLC", "BV", "SARL"]
NEAR_SHARE = 0.01


def word(rng: random.Random) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(rng.randint(2, 3)))


def company(rng: random.Random) -> str:
    words = [word(rng).title() for _ in range(rng.choice([1, 2, 2, 3]))]
    if rng.random() < 0.3:
        words.append(rng.choice(COMMON))
    return " ".join(words + [rng.choice(SUFFIXES)]).strip()


def near(name: str, rng: random.Random) -> str:
    """`name` as someone else typed it."""
    base, suffix = name, ""
    for legal in SUFFIXES[3:]:
        if name.endswith(" " + legal):
            base, suffix = name[: -len(legal) - 1], legal
    change = rng.randrange(6)
    letters = list(base)
    at = rng.randrange(1, len(letters))
    if change == 0:
        del letters[at]
    elif change == 1:
        letters.insert(at, letters[at])
    elif change == 2 and at + 1 < len(letters):
        letters[at], letters[at + 1] = letters[at + 1], letters[at]
    elif change == 3:
        letters[at] = rng.choice("aeiourstln")
    elif change == 4:
        return base.upper() + " " + rng.choice(SUFFIXES[3:])  # another legal form, capitals
    else:
        return base.replace(" ", "-") + ", " + rng.choice(["Limited", "Incorporated", "Corp."])
    return ("".join(letters) + " " + suffix).strip()


def varied_names(count: int, seed: int = 19) -> tuple[list[str], list[tuple[int, int]]]:
    """`count` names, and the (original, near-duplicate) index pairs seeded among them."""
    rng = random.Random(seed)
    names: list[str] = []
    seeded: list[tuple[int, int]] = []
    for index in range(count):
        if index > 100 and rng.random() < NEAR_SHARE:
            original = rng.randrange(index)
            names.append(near(names[original], rng))
            seeded.append((original, index))
        else:
            names.append(company(rng))
    return names, seeded
