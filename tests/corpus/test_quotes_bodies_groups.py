"""Whom quoted and reported speech is attributed to (corpus/quotes.py): bodies, groups, lead-ins."""

from __future__ import annotations

import pytest

from corpus.quotes import attributed_speaker


@pytest.mark.parametrize("sentence, expected", [
    # "General" opens the body's name, as "Ukrainian General Staff" keeps it; a General's name loses the title
    ("The strike killed 12 soldiers, according to the General Staff.", (True, "General Staff")),
    ("According to the General Staff, 12 soldiers were killed.", (True, "General Staff")),
    ("The strike killed 12 soldiers, according to General Staff data.", (True, "General Staff")),
    ("The General Staff said that 12 soldiers were killed.", (True, "General Staff")),
    ('"Twelve soldiers were killed," the General Staff said.', (True, "General Staff")),
    ('"Twelve soldiers were killed," said the General Staff.', (True, "General Staff")),
    ('General Staff: "Twelve soldiers were killed."', (True, "General Staff")),
    ("The resolution passed, according to the General Assembly.", (True, "General Assembly")),
    ("The strike killed 12 soldiers, according to the Ukrainian General Staff.", (True, "Ukrainian General Staff")),
    ("The strike killed 12 soldiers, according to the Defence Ministry.", (True, "Defence Ministry")),
    ("The strike killed 12 soldiers, according to Russia's Ministry of Defence.", (True, "Russia's Ministry of Defence")),
    ("The strike killed 12 soldiers, according to General Valery Zaluzhny.", (True, "Valery Zaluzhny")),
    ("The strike killed 12 soldiers, according to Colonel General Oleksandr Syrskyi.", (True, "Oleksandr Syrskyi")),
    ("General Zaluzhny said that 12 soldiers were killed.", (True, "Zaluzhny")),
])
def test_a_body_a_title_opens_keeps_it(sentence, expected):
    assert attributed_speaker(sentence) == expected
