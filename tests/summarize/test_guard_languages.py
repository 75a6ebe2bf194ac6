"""The guard in every corpus language: numbers with scale words, months, weekdays and negations in English,
French, German and Spanish, read by the shared text toolkit (tidings.text)."""

from __future__ import annotations

import pytest

from tidings.summarize.guard import check_summary
from tidings.text.numbers import read_numbers

CASES = {
    "en": {
        "source": ("The regulator fined the utility Luzverde 2.4 million euros on Tuesday in March for synthetic "
                   "voices in its adverts. The company did not appeal the decision, its lawyers said."),
        "faithful": "The regulator fined the utility Luzverde 2.4 million euros on Tuesday in March.",
        "scale": "The regulator fined the utility Luzverde 2,400,000 euros on Tuesday in March.",
        "number": "The regulator fined the utility Luzverde 3.4 million euros on Tuesday in March.",
        "month": "The regulator fined the utility Luzverde 2.4 million euros on Tuesday in April.",
        "weekday": "The regulator fined the utility Luzverde 2.4 million euros on Friday in March.",
        "negation": "The company appealed the decision, its lawyers said.",
    },
    "fr": {
        "source": ("Le régulateur a infligé mardi une amende de 2,4 millions d'euros à la société Luzverde en mars "
                   "pour des voix synthétiques dans ses publicités. La société ne fera pas appel de la décision, "
                   "ont indiqué ses avocats."),
        "faithful": "Le régulateur a infligé mardi une amende de 2,4 millions d'euros à la société Luzverde en mars.",
        "scale": "Le régulateur a infligé mardi une amende de 2 400 000 euros à la société Luzverde en mars.",
        "number": "Le régulateur a infligé mardi une amende de 3,4 millions d'euros à la société Luzverde en mars.",
        "month": "Le régulateur a infligé mardi une amende de 2,4 millions d'euros à la société Luzverde en avril.",
        "weekday": ("Le régulateur a infligé vendredi une amende de 2,4 millions d'euros à la société Luzverde "
                    "en mars."),
        "negation": "La société fera appel de la décision, ont indiqué ses avocats.",
    },
    "de": {
        "source": ("Die Aufsicht verhängte am Dienstag im März eine Strafe von 2,4 Millionen Euro gegen den "
                   "Versorger Luzverde wegen synthetischer Stimmen in seiner Werbung. Das Unternehmen wird die "
                   "Entscheidung nicht anfechten, sagten seine Anwälte."),
        "faithful": "Die Aufsicht verhängte am Dienstag im März eine Strafe von 2,4 Millionen Euro.",
        "scale": "Die Aufsicht verhängte am Dienstag im März eine Strafe von 2.400.000 Euro.",
        "number": "Die Aufsicht verhängte am Dienstag im März eine Strafe von 3,4 Millionen Euro.",
        "month": "Die Aufsicht verhängte am Dienstag im April eine Strafe von 2,4 Millionen Euro.",
        "weekday": "Die Aufsicht verhängte am Freitag im März eine Strafe von 2,4 Millionen Euro.",
        "negation": "Das Unternehmen wird die Entscheidung anfechten, sagten seine Anwälte.",
    },
    "es": {
        "source": ("El regulador multó el martes en marzo a la empresa Luzverde con 2,4 millones de euros por "
                   "voces sintéticas en sus anuncios. La empresa no recurrirá la decisión, dijeron sus abogados."),
        "faithful": "El regulador multó el martes en marzo a la empresa Luzverde con 2,4 millones de euros.",
        "scale": "El regulador multó el martes en marzo a la empresa Luzverde con 2.400.000 euros.",
        "number": "El regulador multó el martes en marzo a la empresa Luzverde con 3,4 millones de euros.",
        "month": "El regulador multó el martes en abril a la empresa Luzverde con 2,4 millones de euros.",
        "weekday": "El regulador multó el viernes en marzo a la empresa Luzverde con 2,4 millones de euros.",
        "negation": "La empresa recurrirá la decisión, dijeron sus abogados.",
    },
}
LANGUAGES = sorted(CASES)


def verdict(language: str, kind: str):
    case = CASES[language]
    return check_summary(case[kind], [case["source"]]).sentences[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_faithful_shortening_passes(language):
    v = verdict(language, "faithful")
    assert v.supported, v.reasons


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_number_with_a_scale_word_is_read_by_value(language):
    v = verdict(language, "scale")
    assert not any(r.startswith("number") for r in v.reasons), v.reasons
    changed = verdict(language, "number")
    assert not changed.supported and changed.reason.startswith("number 3"), changed.reasons


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_changed_month_fails(language):
    v = verdict(language, "month")
    assert not v.supported and any(r.startswith("date") for r in v.reasons), v.reasons


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_changed_weekday_fails(language):
    v = verdict(language, "weekday")
    assert not v.supported and any(r.startswith("date") for r in v.reasons), v.reasons


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_dropped_negation_fails(language):
    v = verdict(language, "negation")
    assert not v.supported and "negation mismatch" in v.reasons, v.reasons


@pytest.mark.parametrize("text, language, values", [
    ("2,4 Millionen Euro und 1.500 Stellen, drei Milliarden", "de", [2.4e6, 1500, 3e9]),
    ("eine Billion Euro", "de", [1e12]),
    ("tres millones, 2.400 euros y treinta y dos", "es", [3e6, 2400, 32]),
    ("cinq milliards, 2,5 % et vingt-deux", "fr", [5e9, 2.5, 22]),
    ("$5m, 1,500 people, 2.3bn, one trillion and twenty-five", "en", [5e6, 1500, 2.3e9, 1e12, 25]),
])
def test_numbers_are_read_in_each_language(text, language, values):
    assert [n.value for n in read_numbers(text, language)] == pytest.approx(values)
