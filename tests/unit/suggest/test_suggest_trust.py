# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""Issue 15: the figures and the speaker of a suggestion are the ones the text states.

Each case is a team-written sentence in the shape of a failure the issue lists (an
invented number, a dropped figure, the wrong or a missing speaker, merged sentences,
headlines and background); the whole labelled set is measured in test_suggest_quality.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.suggest.morphology import (
    is_name_word,
    nominative,
    singular_of,
    text_language,
)
from evidence.suggest.suggestions import _occurrence, _Occurrences, suggest_text


def _suggest(text: str) -> list[Any]:
    items, _ = suggest_text(
        text, source_id="SRC-0001", publisher="Test Wire", published="2024-10-02"
    )
    return items


def _facts(item: Any) -> dict[str, tuple[str, int]]:
    return {name: (fact["qualifier"], fact["value"]) for name, fact in item.facts.items()}


FIGURES = [
    ("Більше сотні поранених, повідомили в ОВА.", {"injured": ("more-than", 100)}),
    ("Более сотни раненых, сообщили в ОВА.", {"injured": ("more-than", 100)}),
    ("Поранено понад сотню людей.", {"injured": ("more-than", 100)}),
    ("More than a hundred people were injured.", {"injured": ("more-than", 100)}),
    ("Сотни людей остались без света.", {}),
    ("Повреждены десятки домов.", {"buildings_damaged": ("at-least", 20)}),
    (
        "A strike killed 27 people, including three children.",
        {"killed": ("exact", 27), "children_killed": ("exact", 3)},
    ),
    (
        "Загинули четверо людей, ще вісім поранено, одна з них — лікарка.",
        {"killed": ("exact", 4), "injured": ("exact", 8)},
    ),
    ("No one was injured.", {"injured": ("exact", 0)}),
    (
        "Сили оборони збили 22 з 25 дронів.",
        {"drones_shot_down": ("exact", 22), "drones_launched": ("exact", 25)},
    ),
    (
        "A fire covering 400 square metres broke out at a terminal.",
        {"area_damaged": ("exact", 400)},
    ),
    ("Загинув 63-річний охоронець.", {"killed": ("exact", 1), "age": ("exact", 63)}),
    (
        "Поранено дев'ятьох людей, серед них 14-річна дівчина.",
        {"injured": ("exact", 9), "children_injured": ("exact", 1)},
    ),
    ("Three of the wounded are in a serious condition.", {}),
    ("Russian drones attacked five cities overnight.", {"settlements_attacked": ("exact", 5)}),
]


@pytest.mark.parametrize(("text", "expected"), FIGURES, ids=[t[:40] for t, _ in FIGURES])
def test_the_figures_are_the_ones_stated(text: str, expected: dict[str, Any]) -> None:
    items = _suggest(text)
    found: dict[str, tuple[str, int]] = {}
    for item in items:
        found.update(_facts(item))
    assert found == expected


LISTS = [
    (
        "Наслідки: у Шевченківському — 5 постраждалих, у Дніпровському — 7.",
        [{"injured": ("exact", 5)}, {"injured": ("exact", 7)}],
    ),
    (
        "Погибли 20 человек в городе, 11 в области.",
        [{"killed": ("exact", 20)}, {"killed": ("exact", 11)}],
    ),
    (
        "In Kramatorsk two people were killed; in Sloviansk, one.",
        [{"killed": ("exact", 2)}, {"killed": ("exact", 1)}],
    ),
    (
        "В Харьковской области погиб один человек. В Донецкой — трое.",
        [{"killed": ("exact", 1)}, {"killed": ("exact", 3)}],
    ),
]


@pytest.mark.parametrize(("text", "expected"), LISTS, ids=[t[:40] for t, _ in LISTS])
def test_a_count_for_several_places_is_one_claim_per_place(
    text: str, expected: list[dict[str, Any]]
) -> None:
    assert [_facts(item) for item in _suggest(text)] == expected


SPEAKERS = [
    (
        "Интерфакс сообщил об атаке. Ещё 43 человека ранены, сообщили в Национальной полиции.",
        "National Police of Ukraine",
    ),
    ("У МВС зазначили, що загинули 16 людей.", "Ministry of Internal Affairs of Ukraine"),
    (
        "Міністр Ігор Клименко прибув на місце. Ракета влучила в готель, загинула одна людина, "
        "назвавши це масованою атакою, повідомив Олександр Вілкул.",
        "Олександр Вілкул",
    ),
    (
        "Mayor Oleksandr Vilkul spoke on Friday. As Vilkul added later, two people are missing.",
        "Oleksandr Vilkul",
    ),
    (
        "07:35 Falling debris damaged a building. Four people were injured.\n"
        "– the State Emergency Service says.",
        "State Emergency Service of Ukraine",
    ),
    (
        "Президент написав:\n«Росія випустила понад 40 ракет. Світ має відповісти.»\n"
        "— Володимир Зеленський",
        "Володимир Зеленський",
    ),
    (
        "Casualties by district, according to the city council:\n- Kyivskyi district: 5 injured;",
        "city council",
    ),
    ("Еще 43 человека ранены, рассказали в Офисе Генерального прокурора.", "prosecutor's office"),
]


@pytest.mark.parametrize(("text", "speaker"), SPEAKERS, ids=[s for _, s in SPEAKERS])
def test_the_speaker_is_the_one_named(text: str, speaker: str) -> None:
    items = [i for i in _suggest(text) if i.facts]
    assert items
    assert {i.attributed_to[0]["name"] for i in items} == {speaker}


def test_no_capitalised_adjective_is_taken_for_a_name() -> None:
    [item] = _suggest("Повреждены два жилых дома, сообщили в Запорожской областной прокуратуре.")
    assert item.attributed_to[0]["name"] == "Zaporizhzhia prosecutor's office"


def test_a_unit_ends_a_sentence_and_a_headline_is_no_claim() -> None:
    text = (
        "Кинджали по Львівщині\n"
        "Виникла пожежа на площі 400 кв. м. Загинуло двоє людей.\n"
        "Росія застосовувала Кинджали і під час попередніх атак від початку "
        "повномасштабного вторгнення."
    )
    items = _suggest(text)
    assert [i.quote for i in items] == [
        "Виникла пожежа на площі 400 кв. м.",
        "Загинуло двоє людей.",
    ]


def test_one_suggestion_per_statement_with_all_its_facts() -> None:
    [item] = _suggest(
        "A Russian drone hit a passenger bus in Sumy, killing 9 people and "
        "injuring 12, and damaged 3 cars."
    )
    assert item.category == "casualties"
    assert set(item.also) >= {"damage"}
    assert _facts(item) == {
        "killed": ("exact", 9),
        "injured": ("exact", 12),
        "vehicles_damaged": ("exact", 3),
    }


MORPHOLOGY = [
    (nominative("Національній поліції"), "Національна поліція"),
    (nominative("Офисе Генерального прокурора"), "Офис Генерального прокурора"),
    (
        nominative("Сумській обласній військовій адміністрації"),
        "Сумська обласна військова адміністрація",
    ),
    (is_name_word("Запорізькій"), False),
    (is_name_word("Офісі"), False),
    (is_name_word("Вілкул"), True),
    (is_name_word("Филашкин"), True),
    (singular_of("сотні", "сотня"), True),
    (singular_of("сотен", "сотня"), False),
]


@pytest.mark.parametrize(("found", "expected"), MORPHOLOGY, ids=[str(e) for _, e in MORPHOLOGY])
def test_morphology(found: object, expected: object) -> None:
    assert found == expected


LANGUAGES = [
    ("About 20 people were killed in Kyiv, the police said on Monday.", "en"),
    ("Унаслідок атаки загинули троє людей, повідомили в поліції.", "uk"),
    ("В результате атаки погибли три человека, сообщили в полиции.", "ru"),
    ("Le missile a frappé un hôpital de Kyiv et les secours sont sur place.", "fr"),
    ("Ракетата удари болница в Киев и са загинали двама души, съобщиха от полицията.", "bg"),
    ("أصاب صاروخ مستشفى في كييف وقتل سبعة أشخاص", "und"),
    ("Ok.", None),
]


@pytest.mark.parametrize(("text", "language"), LANGUAGES, ids=[str(c) for _, c in LANGUAGES])
def test_the_language_of_a_text(text: str, language: str | None) -> None:
    assert text_language(text) == language


_WORDS = st.sampled_from(["ha", "ha,", "the", "strike", "hit", "Kyiv.", "5", "aha", "ha."])


@settings(max_examples=60, deadline=None)
@given(words=st.lists(_WORDS, min_size=8, max_size=40), pick=st.data())
def test_the_word_index_counts_occurrences_as_a_scan_does(
    words: list[str], pick: st.DataObject
) -> None:
    text = " ".join(words)
    first = pick.draw(st.integers(0, len(words) - 3))
    size = pick.draw(st.integers(2, 3))
    quote = " ".join(words[first : first + size])
    start = len(" ".join(words[:first])) + (1 if first else 0)
    index = _Occurrences(text)
    assert index._indexed(quote, start) == _occurrence(text, quote, start)


JOINT = [
    (
        "A missile hit a school in Kharkiv, the mayor and the head of the regional "
        "administration said.",
        "Mayor and Head of the Regional Military Administration",
    ),
    (
        "Two teachers were injured, said Ihor Terekhov and Oleh Syniehubov.",
        "Ihor Terekhov and Oleh Syniehubov",
    ),
    (
        "Загинули двоє людей, повідомили Ігор Терехов та Олег Синєгубов.",
        "Ігор Терехов та Олег Синєгубов",
    ),
]


@pytest.mark.parametrize(("text", "speakers"), JOINT, ids=[s for _, s in JOINT])
def test_joint_speakers_are_both(text: str, speakers: str) -> None:
    [item] = _suggest(text)
    assert item.attributed_to[0]["name"] == speakers


def test_a_joint_identity_is_both_identities() -> None:
    from evidence.suggest.speakers import speaker_key

    both = speaker_key("Ihor Terekhov and Oleh Syniehubov")
    assert both == speaker_key("Oleh Syniehubov and Ihor Terekhov")
    assert both == "+".join(sorted((speaker_key("Ihor Terekhov"), speaker_key("Oleh Syniehubov"))))
    assert speaker_key("State Emergency Service") == "body:ses"
