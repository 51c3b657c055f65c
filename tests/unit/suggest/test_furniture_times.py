# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""Page furniture, the event's day and the time of each count (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.language.furniture import blank, furniture_spans, is_furniture, is_headline
from evidence.suggest.dates import event_day, find_dates
from evidence.suggest.times import Clock, find_stamps

PAGE = (
    "pixel\nП’ятниця, 16 Січня, 2026, 14:31:23\nКиїв +3°C, хмарно\n"
    "Понад 40 ракет: наслідки атаки на Київ\n08.07.2024, 15:20\n"
    "Вранці 8 липня росія атакувала Київ.\nПоділитися\n"
)


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("adsbygoogle", True),
        ("Реклама", True),
        ("ADVERTISEMENT", True),
        ("Fri 14 Mar 2025 09:12:41", True),
        ("14:31:23", True),
        ("Пятница", True),
        ("Вінниця +4°C, хмарно", True),
        ("Погода: Винница, +4°", True),
        ("Share", True),
        ("Поділитися", True),
        ("Копіювати посилання", True),
        ("Tweet", True),
        ("Підписуйтесь на наш Telegram-канал", True),
        ("Подписывайтесь на рассылку", True),
        ("We use cookies to improve your experience. Accept all", True),
        ("08.07.2024, 15:20", False),
        ("UPDATE 16:10", False),
        ("Monday, 8 July 2024, 14:27", False),
        ("At least 20 people were killed in the rain in Kyiv.", False),
        ("Понад 40 ракет: наслідки атаки на Київ", False),
    ],
    ids=lambda v: str(v)[:30],
)
def test_furniture_lines(line: str, furniture: bool) -> None:
    assert is_furniture(line) is furniture


def test_a_clock_above_the_headline_is_furniture_below_it_a_stamp() -> None:
    assert is_furniture("П’ятниця, 16 Січня, 2026", above_headline=True)
    assert not is_furniture("П’ятниця, 16 Січня, 2026")
    assert not is_furniture("08.07.2024, 15:20", above_headline=True)  # no weekday: a date line


def test_the_page_of_the_issue() -> None:
    spans = furniture_spans(PAGE)
    assert [PAGE[s:e] for s, e in spans] == [
        "pixel",
        "П’ятниця, 16 Січня, 2026, 14:31:23",
        "Київ +3°C, хмарно",
        "Поділитися",
    ]
    blanked = blank(PAGE)
    assert len(blanked) == len(PAGE)
    assert "8 липня" in blanked
    assert "Січня" not in blanked
    published = dt.date(2024, 7, 8)
    opening = find_dates(blanked, published)
    assert {m.value for m in opening} == {"2024-07-08"}  # no 2026-01-16, no Friday 5 July


@given(st.text(alphabet="ab 1:\n°+Share", max_size=60))
def test_blanking_keeps_every_offset(text: str) -> None:
    out = blank(text)
    assert len(out) == len(text)
    assert all(a == b or b == " " for a, b in zip(text, out, strict=True))
    assert [i for i, c in enumerate(text) if c == "\n"] == [
        i for i, c in enumerate(out) if c == "\n"
    ]


@pytest.mark.parametrize(
    ("line", "headline"),
    [
        ("Missile strike on Vinnytsia: toll rises through the day", True),
        ("Удар по Виннице: число погибших растет", True),
        ("pixel", False),
        ("By a staff reporter, Test Wire", False),
        (
            "See more: Number of victims has risen to 8. In morning, occupiers attacked. PHOTOS",
            False,
        ),
        (
            "At least seven people were killed in Vinnytsia, the regional administration said.",
            False,
        ),
        ("12.03.2025, 11:05", False),
    ],
)
def test_what_reads_as_a_headline(line: str, headline: bool) -> None:
    assert is_headline(line) is headline


# -- the event's day -------------------------------------------------------------------------


def _day(text: str, published: dt.date | None, header: str = "") -> tuple[str | None, str]:
    day = event_day(find_dates(text, published), published, header=find_dates(header, published))
    return day.value, day.why


def test_an_explicit_date_outweighs_the_publication_date_and_says_so() -> None:
    value, why = _day("Вранці 8 липня росія атакувала Київ.", dt.date(2024, 7, 9))
    assert value == "2024-07-08"
    assert "«8 липня» in the text" in why
    assert "the publication date says 2024-07-09" in why


def test_the_date_line_outweighs_the_publication_date() -> None:
    value, why = _day("Russia attacked Kyiv.", dt.date(2024, 7, 9), header="08.07.2024, 15:20")
    assert (value, why.startswith("from the page's date line")) == ("2024-07-08", True)


def test_a_weekday_never_sets_the_day_without_a_publication_date() -> None:
    assert _day("On Friday Russia attacked Kyiv.", None) == (None, "")


def test_a_weekday_gives_way_to_a_stated_date() -> None:
    value, _ = _day("On Friday, 8 July, Russia attacked Kyiv.", dt.date(2024, 7, 9))
    assert value == "2024-07-08"  # 8 July 2024 was a Monday; the stated date wins


# -- the time of each count ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UPDATE 16:10\nThe toll rose to 15.", "2024-07-08T16:10"),
        ("Оновлено о 14:27\nЗагинули 12 людей.", "2024-07-08T14:27"),
        ("Monday, 8 July 2024, 14:27\nThe toll rose.", "2024-07-08T14:27"),
        ("Станом на 15:30 загинули 12 людей.", "2024-07-08T15:30"),
        ("As of 12:40 on 7 July, nine people were killed.", "2024-07-07T12:40"),
        ("По состоянию на 12:20 погибли 11 человек.", "2024-07-08T12:20"),
        ("На данный момент погибли 20 человек.", "2024-07-08T13:10:00Z"),  # publication time
        ("UPDATE 16:10\nНа данный момент погибли 20 человек.", "2024-07-08T16:10"),
        ("Twenty people were killed.", None),
    ],
)
def test_as_of(text: str, expected: str | None) -> None:
    clock = Clock(text, "2024-07-08T13:10:00Z")
    last = text.rsplit("\n", 1)[-1]
    start = len(text) - len(last)
    assert clock.as_of(start, len(text))[0] == expected


def test_so_far_without_a_publication_time_sets_nothing_and_says_why() -> None:
    value, why = Clock("So far 20 people were killed.", "2024-07-08").as_of(0, 29)
    assert value is None
    assert "not given" in why


def test_later_stamps_replace_earlier_ones() -> None:
    text = "08.07.2024, 15:20\nSeven killed.\nUPDATE 16:10\nNine killed.\n"
    assert [s.time for s in find_stamps(text, "2024-07-08")] == ["15:20", "16:10"]
    clock = Clock(text, "2024-07-08")
    assert clock.as_of(18, 31)[0] == "2024-07-08T15:20"
    assert clock.as_of(45, 57)[0] == "2024-07-08T16:10"


def test_a_sentence_starting_with_a_number_is_no_stamp() -> None:
    assert find_stamps("12:00 was when the sirens went off.\n") == []


# -- the ledger's order ----------------------------------------------------------------------

from evidence.suggest.corroborate import order  # noqa: E402


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2025-03-12T10:40", "2025-03-12T16:10", "before"),
        ("2025-03-12T16:10", "2025-03-12T10:40", "after"),
        ("2025-03-12T10:40", "2025-03-12T10:40", "same"),
        ("2025-03-12", "2025-03-12", None),  # two counts of one day, hours unknown
        ("2025-03-12", "2025-03-12T08:50:00Z", None),
        ("2025-03-11", "2025-03-13T08:50:00Z", "before"),
        ("2025-03-12T10:40", "2025-03-12T08:50:00Z", None),  # a wall clock within 14 h of UTC
        ("2025-03-12T10:40", "2025-03-13T08:50:00Z", "before"),
        ("2025-03-12T08:50:00Z", "2025-03-12T13:30:00Z", "before"),
        (None, "2025-03-12T13:30:00Z", None),
    ],
)
def test_order_of_two_times(a: str | None, b: str | None, expected: str | None) -> None:
    assert order(a, b) == expected


_TIMES = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 1, 4)).map(
        lambda d: d.isoformat()
    ),
    st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2024, 1, 4)).map(
        lambda t: t.strftime("%Y-%m-%dT%H:%M")
    ),
    st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2024, 1, 4)).map(
        lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
    ),
)


@given(_TIMES, _TIMES)
def test_order_is_antisymmetric(a: str | None, b: str | None) -> None:
    flipped = {"before": "after", "after": "before", "same": "same", None: None}
    assert order(b, a) == flipped[order(a, b)]
