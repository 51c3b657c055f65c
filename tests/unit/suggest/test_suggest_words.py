# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""The readers under `evidence suggest`: figures, facts, dates, places, weapons, speech.

Tables of written forms in English, Ukrainian and Russian, each with what it must read
as, and properties (Hypothesis) where a rule is general: any number written in digits
with any qualifier phrase reads back as itself.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.language.lexicon import cue, fold_text, mixed_script_words, transliterate
from evidence.suggest.dates import SAME_DAY, find_dates, parse_published
from evidence.suggest.facts import Memory, find_facts
from evidence.suggest.gazetteer import gazetteer
from evidence.suggest.numbers import find_figures
from evidence.suggest.sentences import MAX_SENTENCE, quote_spans, split_text
from evidence.suggest.speakers import identity_key, speaker_key
from evidence.suggest.speech import attribute
from evidence.suggest.weapons import find_weapons

PUBLISHED = dt.date(2024, 7, 8)  # a Monday


# -- figures -----------------------------------------------------------------------------------

FIGURES = [
    ("more than 40 missiles", [(40, "more-than", None)]),
    ("about fifty others", [(50, "approx", None)]),
    ("the four dozen Kalibrs", [(48, "approx", None)]),
    ("dozens of dead", [(24, "at-least", None)]),
    ("at least 31 people", [(31, "at-least", None)]),
    ("Forty-seven people", [(47, "exact", None)]),
    ("понад 40 ракет", [(40, "more-than", None)]),
    ("щонайменше 31 людина", [(31, "at-least", None)]),
    ("близько двадцяти будинків", [(20, "approx", None)]),
    ("сто двадцять п'ять", [(125, "exact", None)]),
    ("двоє людей і семеро дітей", [(2, "exact", None), (7, "exact", None)]),
    ("дев’ятеро", [(9, "exact", None)]),
    ("кілька десятків мін", [(20, "at-least", None)]),
    ("семь погибших", [(7, "exact", None)]),
    ("не менее восьми многоэтажек", [(8, "at-least", None)]),
    ("около 40 автомобилей", [(40, "approx", None)]),
    ("более 100 объектов", [(100, "more-than", None)]),
    ("трёх человек", [(3, "exact", None)]),
    ("from 5 to 7 people", [(5, "range", 7)]),
    ("від 5 до 7 людей", [(5, "range", 7)]),
    ("5-7 people", [(5, "range", 7)]),
    ("1,200 people", [(1200, "exact", None)]),
    ("2 тис. абонентів", [(2000, "exact", None)]),
]

NOT_COUNTS = [
    ("on 8 July", "date"),
    ("3 липня", "date"),
    ("8 июля 2024", "date and year"),
    ("in July 2023", "year"),
    ("shortly before 5 p.m.", "time"),
    ("at 17:30", "clock"),
    ("a 14-year-old girl", "age"),
    ("52-річний чоловік", "age uk"),
    ("12-летний", "age ru"),
    ("600 square metres", "area"),
    ("30 kilometres", "distance"),
    ("Kh-101", "weapon name"),
    ("the twelve-storey building", "storeys"),
    ("10 років тому", "years ago"),
]


@pytest.mark.parametrize(("text", "expected"), FIGURES, ids=[t for t, _ in FIGURES])
def test_figures_are_read_with_their_qualifiers(
    text: str, expected: list[tuple[int, str, int | None]]
) -> None:
    found = [(f.value, f.qualifier, f.max) for f in find_figures(fold_text(text))]
    assert found == expected


@pytest.mark.parametrize(("text", "why"), NOT_COUNTS, ids=[w for _, w in NOT_COUNTS])
def test_dates_times_ages_and_measures_are_not_counts(text: str, why: str) -> None:
    # Ages and areas are figures with a unit (a fact of their own), never counts.
    assert [f for f in find_figures(fold_text(text)) if f.unit is None] == [], why


MEASURES = [
    ("a 14-year-old girl", 14, "age"),
    ("52-річний чоловік", 52, "age"),
    ("12-летний", 12, "age"),
    ("600 square metres", 600, "m2"),
    ("на площі 400 кв. м", 400, "m2"),
    ("более 10 тысяч квадратных метров", 10000, "m2"),
]


@pytest.mark.parametrize(("text", "value", "unit"), MEASURES, ids=[t for t, _, _ in MEASURES])
def test_ages_and_areas_are_figures_with_a_unit(text: str, value: int, unit: str) -> None:
    [figure] = find_figures(fold_text(text))
    assert (figure.value, figure.unit) == (value, unit)


QUALIFIER_PHRASES = [
    ("more than", "more-than"),
    ("at least", "at-least"),
    ("about", "approx"),
    ("понад", "more-than"),
    ("щонайменше", "at-least"),
    ("близько", "approx"),
    ("более", "more-than"),
    ("не менее", "at-least"),
    ("около", "approx"),
    ("up to", "at-most"),
    ("fewer than", "less-than"),
    ("", "exact"),
]


@settings(max_examples=60, deadline=None)
@given(value=st.integers(min_value=1, max_value=99_999), phrase=st.sampled_from(QUALIFIER_PHRASES))
def test_any_figure_in_digits_reads_back(value: int, phrase: tuple[str, str]) -> None:
    words, qualifier = phrase
    text = f"{words} {value} people were killed".strip()
    [figure] = find_figures(fold_text(text))
    assert (figure.value, figure.qualifier) == (value, qualifier)
    assert text[figure.start : figure.end].endswith(str(value))


# -- facts -------------------------------------------------------------------------------------

FACTS = [
    (
        "killing at least five people and wounding 12",
        {"killed": (5, "at-least"), "injured": (12, "exact")},
    ),
    (
        "About 20 people were killed and about fifty others were wounded",
        {"killed": (20, "approx"), "injured": (50, "approx")},
    ),
    ("There are dozens of dead and injured.", {"killed_or_injured": (24, "at-least")}),
    (
        "The death toll has risen to six, including a 14-year-old girl",
        {"killed": (6, "exact"), "children_killed": (1, "exact")},
    ),
    (
        "Forty-seven people were wounded, nine of them children",
        {"injured": (47, "exact"), "children_injured": (9, "exact")},
    ),
    (
        "у столиці загинули щонайменше 7 людей, ще 20 отримали поранення, серед них троє дітей",
        {"killed": (7, "at-least"), "injured": (20, "exact"), "children_injured": (3, "exact")},
    ),
    (
        "Кількість загиблих зросла до дев’яти, серед них дитина.",
        {"killed": (9, "exact"), "children_killed": (1, "exact")},
    ),
    (
        "Загинув 52-річний чоловік, ще двоє людей поранені.",
        {"killed": (1, "exact"), "injured": (2, "exact")},
    ),
    (
        "з-під завалів урятовано шістьох людей, ще близько десяти мешканців вважаються "
        "зниклими безвісти",
        {"rescued": (6, "exact"), "missing": (10, "approx")},
    ),
    ("Постраждалих немає.", {"killed_or_injured": (0, "exact")}),
    (
        "Число погибших выросло до 27 человек, еще 117 человек ранены.",
        {"killed": (27, "exact"), "injured": (117, "exact")},
    ),
    (
        "В результате удара семь человек погибли, 19 пострадали.",
        {"killed": (7, "exact"), "injured": (19, "exact")},
    ),
    (
        "погибли двое мужчин, еще девять человек, в том числе подросток, получили ранения",
        {"killed": (2, "exact"), "injured": (9, "exact"), "children_injured": (1, "exact")},
    ),
    ("Водитель погиб на месте.", {"killed": (1, "exact")}),
    ("Відомо про 22 загиблих.", {"killed": (22, "exact")}),
    ("На месте семь погибших.", {"killed": (7, "exact")}),
    (
        "Russia launched 24 Shahed drones and two Iskander-M ballistic missiles",
        {"drones_launched": (24, "exact"), "missiles_launched": (2, "exact")},
    ),
    (
        "Russia had fired 38 missiles, and that 30 of them were intercepted",
        {"missiles_launched": (38, "exact"), "missiles_shot_down": (30, "exact")},
    ),
    (
        "Россия выпустила по Украине 38 ракет, из которых 30 были сбиты",
        {"missiles_launched": (38, "exact"), "missiles_shot_down": (30, "exact")},
    ),
    (
        "силы ПВО сбили над югом Украины 16 ударных беспилотников из 22",
        {"drones_shot_down": (16, "exact"), "drones_launched": (22, "exact")},
    ),
    (
        "the four dozen Kalibrs and daggers launched from the Volgograd region",
        {"missiles_launched": (48, "approx")},
    ),
    ("ворог скинув чотири керовані авіабомби", {"bombs_dropped": (4, "exact")}),
    ("Протягом доби росіяни 34 рази обстріляли громади", {"strikes": (34, "exact")}),
    (
        "враг нанес 412 ударов по 9 населенным пунктам",
        {"strikes": (412, "exact"), "settlements_attacked": (9, "exact")},
    ),
    ("Пошкоджено понад 40 житлових будинків.", {"buildings_damaged": (40, "more-than")}),
    (
        "повреждены не менее восьми многоэтажек и около 40 автомобилей",
        {"buildings_damaged": (8, "at-least"), "vehicles_damaged": (40, "approx")},
    ),
    (
        "One of the bombs hit the building, destroying three floors.",
        {"floors_damaged": (3, "exact")},
    ),
    (
        "Russia fired 47 drones; 38 of the drones had been downed",
        {"drones_launched": (47, "exact"), "drones_shot_down": (38, "exact")},
    ),
]


@pytest.mark.parametrize(("text", "expected"), FACTS, ids=[t[:40] for t, _ in FACTS])
def test_facts_name_what_each_figure_counts(
    text: str, expected: dict[str, tuple[int, str]]
) -> None:
    folded = fold_text(text)
    weapons = find_weapons(folded)
    found = find_facts(
        folded,
        weapons=weapons,
        damage=bool(cue("damage").search(folded)),
        attack=bool(cue("attack").search(folded)),
    )
    assert {f.name: (f.value, f.qualifier) for f in found} == expected


def test_of_them_counts_the_munitions_of_the_sentence_before() -> None:
    memory = Memory()
    first = fold_text("ворог випустив 38 ракет різних типів")
    second = fold_text("Сили протиповітряної оборони збили 30 з них.")
    find_facts(first, memory=memory)
    found = find_facts(second, memory=memory)
    assert [(f.name, f.value) for f in found] == [("missiles_shot_down", 30)]
    assert find_facts(second) == []  # without the sentence before, nothing is guessed


# -- dates -------------------------------------------------------------------------------------

DATES = [
    ("on 8 July", "2024-07-08"),
    ("on the morning of 3 July", "2024-07-03"),
    ("Вранці 8 липня", "2024-07-08"),
    ("У ніч на 14 жовтня", "2023-10-14"),
    ("8 июля 2024 года", "2024-07-08"),
    ("today", "2024-07-08"),
    ("сьогодні", "2024-07-08"),
    ("Сегодня утром", "2024-07-08"),
    ("yesterday", "2024-07-07"),
    ("вчора", "2024-07-07"),
    ("Вчера вечером", "2024-07-07"),
    ("overnight", "2024-07-08"),
    ("Friday's strike", "2024-07-05"),
    ("у понеділок", "2024-07-08"),
    ("в субботу", "2024-07-06"),
    ("last week", "2024-07-01/2024-07-07"),
    ("минулого тижня", "2024-07-01/2024-07-07"),
    ("за минувшие сутки", "2024-07-07/2024-07-08"),
    ("in July 2023", "2023-07-01/2023-07-31"),
    ("on 28 December", "2023-12-28"),
    ("2024-07-03", "2024-07-03"),
    ("03.07.2024", "2024-07-03"),
    ("Цього ж дня", SAME_DAY),
]


@pytest.mark.parametrize(("text", "expected"), DATES, ids=[t for t, _ in DATES])
def test_dates_resolve_against_the_publication_date(text: str, expected: str) -> None:
    [found] = find_dates(fold_text(text), PUBLISHED)
    assert found.value == expected


def test_relative_dates_stay_unresolved_without_a_publication_date() -> None:
    [found] = find_dates("yesterday", None)
    assert found.value is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-08", dt.date(2024, 7, 8)),
        ("2024-07-08T17:20:00Z", dt.date(2024, 7, 8)),
        (None, None),
        ("not a date", None),
    ],
    ids=["date", "time", "none", "garbage"],
)
def test_publication_dates(value: str | None, expected: dt.date | None) -> None:
    assert parse_published(value) == expected


# -- places ------------------------------------------------------------------------------------

PLACES = [
    ("Kyiv, Kiev, Київ, Києві, Киеве", ["Kyiv"] * 5),
    ("Кривий Ріг, Кривому Розі, Кривой Рог, Кривом Роге, Kryvyi Rih", ["Kryvyi Rih"] * 5),
    ("Okhmatdyt, Охматдит, «Охматдет»", ["Okhmatdyt hospital"] * 3),
    (
        "Миколаївську область, Харківщині, Сумской области",
        ["Mykolaiv Oblast", "Kharkiv Oblast", "Sumy Oblast"],
    ),
    (
        "over Odesa, Mykolaiv and Kherson oblasts",
        ["Odesa Oblast", "Mykolaiv Oblast", "Kherson Oblast"],
    ),
    ("launched from the Volgograd region", ["Volgograd Oblast"]),
    ("в Днепровском районе", ["Dniprovskyi district"]),
    ("Odesa's ports", ["Odesa"]),
    ("в столиці", ["Kyiv"]),
    ("Васильевку и Каменку-Днепровскую", ["Vasylivka", "Kamianka-Dniprovska"]),
    ("Київська область", ["Kyiv Oblast"]),
    ("Київщина і Київ", ["Kyiv Oblast", "Kyiv"]),
    ("Сумська обласна адміністрація", []),
    ("Дніпровський район і Дніпро", ["Dniprovskyi district", "Dnipro"]),
]


@pytest.mark.parametrize(("text", "expected"), PLACES, ids=[t[:30] for t, _ in PLACES])
def test_places_in_all_their_spellings(text: str, expected: list[str]) -> None:
    assert [m.place.name for m in gazetteer().find(fold_text(text))] == expected


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Києві", "Kyiv"),
        ("Kiev", "Kyiv"),
        ("kyiv", "Kyiv"),
        ("Okhmatdyt hospital", "Okhmatdyt hospital"),
        ("Харківська область", "Kharkiv Oblast"),
        ("Atlantis", None),
    ],
    ids=["locative", "old spelling", "case", "canonical", "oblast", "unknown"],
)
def test_canonical_place_names(written: str, canonical: str | None) -> None:
    place = gazetteer().canonical(written)
    assert (place.name if place else None) == canonical


def test_a_district_takes_the_city_the_text_speaks_of() -> None:
    gaz = gazetteer()
    [mention] = gaz.find(fold_text("Дніпровському районі"))
    assert [p.name for p in gaz.resolve(mention, ["Zaporizhzhia"])] == [
        "Zaporizhzhia",
        "Dniprovskyi district",
    ]
    assert [p.name for p in gaz.resolve(mention, ["Kyiv"])] == ["Kyiv", "Dniprovskyi district"]
    assert gaz.contains("Kyiv", "Okhmatdyt hospital")
    assert not gaz.contains("Dnipro", "Okhmatdyt hospital")


def test_homoglyphs_are_read_as_cyrillic_and_reported() -> None:
    text = "Вибух у Kиєві"  # a Latin K
    assert len(fold_text(text)) == len(text)
    assert [m.place.name for m in gazetteer().find(fold_text(text))] == ["Kyiv"]
    assert mixed_script_words(text) == ["Kиєві"]


# -- weapons -----------------------------------------------------------------------------------

WEAPONS = [
    ("Kalibrs and daggers", ["Kalibr", "Kinzhal"]),
    ("«Кинджали» та Х-101", ["Kinzhal", "Kh-101"]),
    ("Kh-101 cruise missiles", ["Kh-101"]),
    ("«Іскандер-М»", ["Iskander"]),
    ("«Искандер-М»", ["Iskander"]),
    ("24 Shahed drones", ["Shahed"]),
    ("11 «шахедів»", ["Shahed"]),
    ("KAB guided aerial bombs", ["guided aerial bomb"]),
    ("керовані авіабомби", ["guided aerial bomb"]),
    ("управляемыми авиабомбами", ["guided aerial bomb"]),
    ("«Град»", ["Grad"]),
    ("град і дощ", []),
    ("Кабінет міністрів", []),
    ("кассетные боеприпасы", ["cluster munitions"]),
]


@pytest.mark.parametrize(("text", "expected"), WEAPONS, ids=[t for t, _ in WEAPONS])
def test_weapons_by_name(text: str, expected: list[str]) -> None:
    assert [w.name for w in find_weapons(fold_text(text))] == expected


# -- sentences and quotations ------------------------------------------------------------------


def test_nested_straight_quotes_do_not_end_the_quotation() -> None:
    line = '"The enemy hit the "Okhmatdyt" hospital with "high-precision" weapons," he wrote.'
    [span] = quote_spans(line)
    assert line[span.start : span.end] == line[: line.index(" he")]


def test_sentences_split_after_full_stops_but_not_after_abbreviations() -> None:
    text = "Dr. Smith arrived at 5 p.m. on Friday. It was quiet.\nHEADLINE WITHOUT STOP"
    [first, second] = split_text(text)
    assert [text[s.start : s.end] for s in first.sentences] == [
        "Dr. Smith arrived at 5 p.m. on Friday.",
        "It was quiet.",
    ]
    assert [text[s.start : s.end] for s in second.sentences] == ["HEADLINE WITHOUT STOP"]


def test_a_sentence_without_end_is_cut_into_readable_pieces() -> None:
    text = "загинули 3 людини, " * 400
    pieces = split_text(text)[0].sentences
    assert len(pieces) > 1
    assert all(p.end - p.start <= MAX_SENTENCE for p in pieces)
    assert all(p.cut for p in pieces)
    assert pieces[0].start == 0
    assert pieces[-1].end == len(text.rstrip())


# -- speech ------------------------------------------------------------------------------------

SPEECH = [
    (
        '"Six died," the mayor wrote on Telegram.',
        "Mayor Ihor Demchenko spoke. ",
        "Ihor Demchenko",
        "Mayor",
        "Telegram post",
    ),
    (
        "According to Zelensky, the enemy has launched more than 40 missiles.",
        "",
        "Zelensky",
        None,
        None,
    ),
    (
        "«Пошкоджено корпус токсикології», — написав у Telegram начальник Київської міської "
        "військової адміністрації Андрій Ковальчук.",
        "",
        "Андрій Ковальчук",
        "Head of the Kyiv City Military Administration",
        "Telegram post",
    ),
    (
        "За словами очільника КМВА, у столиці загинули 7 людей.",
        "Начальник Київської міської військової адміністрації Андрій Ковальчук виступив. ",
        "Андрій Ковальчук",
        "Head of the Kyiv City Military Administration",
        None,
    ),
    (
        "По словам главы Одесской ОВА Петра Савчука, среди раненых двое детей.",
        "",
        "Петр Савчук",
        "Head of the Odesa Regional Military Administration",
        None,
    ),
    ("Полиция сообщает, что повреждены дома.", "", "National Police of Ukraine", None, None),
    (
        "The governor added that at least 12 buildings were damaged.",
        "The head of the Odesa Regional Military Administration, Petro Savchuk, spoke. ",
        "Petro Savchuk",
        "Head of the Odesa Regional Military Administration",
        None,
    ),
    (
        "Three were hurt, he said, and two were rescued.",
        "Mayor Ihor Demchenko spoke. ",
        "Ihor Demchenko",
        "Mayor",
        None,
    ),
    (
        "Ukraine's foreign minister called the strike deliberate.",
        "",
        "Minister of Foreign Affairs of Ukraine",
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("sentence", "before", "name", "role", "channel"), SPEECH, ids=[s[:32] for s, *_ in SPEECH]
)
def test_speakers_roles_and_channels(
    sentence: str, before: str, name: str, role: str | None, channel: str | None
) -> None:
    text = before + sentence
    found = attribute(text, split_text(text))
    speaker = found[max(found)].speaker
    assert speaker is not None
    assert (speaker.name, speaker.role, speaker.channel) == (name, role, channel)


def test_a_speaker_named_afterwards_said_the_sentences_before() -> None:
    text = (
        "Росіяни атакували Миколаїв. Загинула жінка. Про це повідомив голова "
        "Миколаївської ОВА Віталій Ткаченко.\nІнша тема."
    )
    found = attribute(text, split_text(text))
    names = [s.name if (s := found[i].speaker) is not None else None for i in range(4)]
    assert names == ["Віталій Ткаченко", "Віталій Ткаченко", "Віталій Ткаченко", None]
    assert found[2].meta


def test_the_outlet_speaks_when_nobody_else_does() -> None:
    text = "As reported, the occupiers launched missiles at Kyiv."
    [att] = attribute(text, split_text(text)).values()
    assert att.speaker is None
    assert text[att.content[0] : att.content[1]].startswith("the occupiers")


@pytest.mark.parametrize(
    "names",
    [
        ("Rustem Umerov", "Rustam Umierov", "Умєров", "Умеров"),
        ("Volodymyr Zelenskyy", "Zelensky", "Зеленський", "Зеленский"),
        ("Andrii Kovalchuk", "Андрій Ковальчук", "Андрей Ковальчук"),
        ("Air Force of Ukraine", "Повітряні сили", "Воздушные силы", "Ukraine's Air Force"),
        ("State Emergency Service of Ukraine", "ДСНС", "ГСЧС"),
        ("Sumy Regional Military Administration", "Сумська обласна військова адміністрація"),
    ],
    ids=["umerov", "zelenskyy", "kovalchuk", "air force", "emergency service", "sumy rma"],
)
def test_one_speaker_is_one_identity_across_languages(names: tuple[str, ...]) -> None:
    assert len({speaker_key(n) for n in names}) == 1, [speaker_key(n) for n in names]


def test_different_people_are_different_identities() -> None:
    assert identity_key("Ihor Rudenko") != identity_key("Mykola Bondar")
    assert speaker_key("Kyiv City Military Administration") != speaker_key(
        "Kharkiv City Military Administration"
    )


def test_transliteration() -> None:
    assert transliterate("Ковальчук") == "kovalchuk"
    assert transliterate("Київ") == "kyiv"
