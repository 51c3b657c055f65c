"""Dates of proposed claims over the whole labelled set (tests/data/suggest/**), and the
team's pages with furniture, weekdays and update stamps (tests/data/suggest/dates)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from evidence.language.furniture import blank
from evidence.language.lexicon import fold_text
from evidence.suggest.dates import find_dates, parse_published
from evidence.suggest.suggestions import Suggestion, suggest_text
from tests.support.suggest_eval import load_labels, read_labels

LABELLED = Path(__file__).parents[2] / "data" / "suggest"
ALL = sorted(LABELLED.rglob("*.labels.yaml"))
DATES = sorted((LABELLED / "dates").glob("*.labels.yaml"))


@cache
def _suggest(path: Path) -> tuple[list[Suggestion], str, dict[str, str]]:
    _doc, text, meta = load_labels(path)
    items, _ = suggest_text(
        text, source_id="SRC-0001", publisher=meta.get("publisher"), published=meta.get("published")
    )
    return items, text, meta


def _days(value: str) -> list[str]:
    return value.split("/")


def _covers(outer: str, inner: str) -> bool:
    a, b = (_days(outer) * 2)[:2]
    c, d = (_days(inner) * 2)[:2]
    return a <= c and d <= b


@pytest.mark.parametrize("path", ALL, ids=[str(p.relative_to(LABELLED)) for p in ALL])
def test_no_proposed_claim_carries_a_date_the_text_does_not_support(path: Path) -> None:
    """A date is supported when the text outside its page furniture states it (or a
    relative day resolved against the publication date), or it is the publication date;
    and where the analyst labelled the passage with a date, the two agree (a span such
    as "the past day" may contain the labelled day)."""
    items, text, meta = _suggest(path)
    published = parse_published(meta.get("published"))
    stated = {m.value for m in find_dates(fold_text(blank(text)), published) if m.value}
    supported = stated | ({published.isoformat()} if published else set())
    doc, _, _ = load_labels(path)
    labels = read_labels(doc, text, path.name)
    for item in items:
        if item.date is None:
            continue
        assert item.date in supported, (item.key, item.date, sorted(supported))
        for label in labels:
            overlap = min(item.end, label.end) > max(item.start, label.start)
            if overlap and label.fits(item.category) and label.date:
                assert _covers(item.date, str(label.date)) or _covers(str(label.date), item.date), (
                    item.key,
                    item.date,
                    label.date,
                )


@pytest.mark.parametrize("path", DATES, ids=[p.name for p in DATES])
def test_the_pages_with_furniture_are_labelled_and_read(path: Path) -> None:
    doc, text, _ = load_labels(path)
    labels = read_labels(doc, text, path.name)
    assert doc["split"] == "dev"
    assert doc["language"] in ("en", "uk", "ru")
    for label in labels:
        assert text[label.start : label.end] == label.quote
    items, _, _ = _suggest(path)
    # The site clocks say Friday 14 March; nothing happened that day in these texts.
    assert all("2025-03-14" not in (s.date or "") for s in items)
    assert not any("14:31" in s.quote or "°" in s.quote or "cookie" in s.quote for s in items)
    required = [g for g in labels if not g.optional]
    found = [
        g
        for g in required
        if any(min(s.end, g.end) > max(s.start, g.start) and g.fits(s.category) for s in items)
    ]
    assert len(found) >= len(required) - 1, [g.quote for g in required if g not in found]


def _as_of(path: str) -> list[tuple[int, str | None]]:
    items, _, _ = _suggest(LABELLED / "dates" / path)
    return [
        (int(f["value"]), f.get("as_of"))
        for s in items
        for name, f in s.facts.items()
        if name == "killed"
    ]


def test_each_count_carries_the_time_it_is_stated_for() -> None:
    assert _as_of("en-01-vinnytsia-updates.labels.yaml") == [
        (7, "2025-03-12T10:40"),
        (9, "2025-03-12T13:15"),
    ]
    assert (7, "2025-03-12T11:00") in _as_of("uk-01-vinnytsia-page.labels.yaml")
    assert (12, "2025-03-12T14:27") in _as_of("uk-01-vinnytsia-page.labels.yaml")
    assert _as_of("ru-01-vinnytsia-live.labels.yaml") == [
        (11, "2025-03-12T12:20"),
        (15, "2025-03-12T16:10"),
    ]


def test_a_weekday_without_a_publication_date_gives_no_date() -> None:
    items, _, _ = _suggest(LABELLED / "dates" / "ru-01-vinnytsia-live.labels.yaml")
    monday = [s for s in items if "понедельник" in s.quote]
    assert all(s.date is None for s in monday)


def test_why_says_where_the_day_came_from() -> None:
    items, _, _ = _suggest(LABELLED / "dates" / "en-01-vinnytsia-updates.labels.yaml")
    first = next(s for s in items if s.facts.get("killed", {}).get("value") == 7)
    assert first.date == "2025-03-12"
    assert "the page's date line «12 March 2025»" in first.why
    assert "as of: «As of 10:40» → 2025-03-12T10:40" in first.why
    sunday = next(s for s in items if "Sunday" in s.quote)
    assert sunday.date == "2025-03-09"
    assert "the last such day on or before the publication date 2025-03-12" in sunday.why
