from __future__ import annotations

from bench.varied_names import varied_names
from duplicates import keys


def test_one_name_in_a_hundred_is_a_near_duplicate_of_an_earlier_one():
    names, seeded = varied_names(20_000)
    assert len(names) == 20_000
    assert 100 < len(seeded) < 300
    assert all(original < copy for original, copy in seeded)
    # Most are similar enough for the rule; a typo in a short name may not be.
    similar = [
        keys.similarity(keys.name_key(names[original]), keys.name_key(names[copy])) >= keys.SIMILARITY_THRESHOLD
        for original, copy in seeded
    ]
    assert 0.7 < sum(similar) / len(similar) < 1


def test_names_otherwise_rarely_repeat():
    names, seeded = varied_names(20_000)
    assert len(set(names)) > len(names) - len(seeded) - 20
