# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""The ledger of claims across sources (`evidence corroborate`).

The case is built the way analysts build one: four articles about the strike of 8 July
2024 (the seed, and the team's test articles in Ukrainian, English and Russian, published
through the day), claims written by hand in claims files (so that these tests do not
depend on the suggestion rules), sealed twice (one claim withdrawn in between).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.case import Case
from evidence.claims.figures import consistent, interval
from evidence.errors import CaseError
from evidence.ingest.add import add_source
from evidence.integrity.seal import seal_case
from evidence.suggest.corroborate import (
    Ledger,
    LedgerGroup,
    build_ledger,
    render_ledger,
)

DATA = Path(__file__).parents[2] / "data"

SEED_CLAIMS = """\
source: SRC-0001
claims:
  - key: seed-killed-about-20
    statement: About 20 people were killed in the morning attack.
    quote: About 20 people were killed and about fifty others were wounded
    attributed_to: [{name: Censor.NET, role: news outlet, channel: online article}]
    category: casualties
    facts: {killed: {value: 20, qualifier: approx}}
    date: 2024-07-08
    places: [Ukraine]
  - key: seed-missiles-40
    statement: More than 40 missiles were launched.
    quote: the enemy has launched more than 40 missiles of various types today
    attributed_to:
      - {name: Volodymyr Zelenskyy, role: President of Ukraine}
      - {name: Censor.NET, role: news outlet, channel: online article}
    category: attack
    facts: {missiles_launched: {value: 40, qualifier: more-than}}
    date: 2024-07-08
    places: [Ukraine]
  - key: seed-okhmatdyt-hit
    statement: The Okhmatdyt building in Kyiv was hit.
    quote: the Okhmatdyt building in Kyiv was hit
    attributed_to: [{name: Censor.NET, role: news outlet, channel: online article}]
    category: target
    date: 2024-07-08
    places: [Kyiv, Okhmatdyt hospital]
"""

UK_CLAIMS = """\
source: SRC-0002
claims:
  - key: uk-killed-kyiv
    statement: At least 7 people were killed in Kyiv.
    quote: у столиці загинули щонайменше 7 людей
    attributed_to:
      - {name: Андрій Ковальчук, role: Head of the Kyiv City Military Administration}
      - {name: Столичний вісник, role: news outlet}
    category: casualties
    facts: {killed: {value: 7, qualifier: at-least}}
    date: 2024-07-08
    places: [Київ]
  - key: uk-missiles-38
    statement: 38 missiles were launched.
    quote: ворог випустив 38 ракет різних типів
    attributed_to: [{name: Повітряні сили}, {name: Столичний вісник, role: news outlet}]
    category: attack
    facts: {missiles_launched: {value: 38, qualifier: exact}}
    date: 2024-07-08
  - key: uk-okhmatdyt-hit
    statement: A missile hit the Okhmatdyt hospital.
    quote: У Києві ракета влучила в Національну дитячу спеціалізовану лікарню «Охматдит».
    attributed_to: [{name: Столичний вісник, role: news outlet}]
    category: target
    date: 2024-07-08
    places: [Київ, Охматдит]
"""

EN_CLAIMS = """\
source: SRC-0003
claims:
  - key: en-killed-kyiv
    statement: At least 22 people were killed in Kyiv.
    quote: At least 22 people have been killed in Kyiv
    attributed_to:
      - {name: Kyiv City Military Administration}
      - {name: Capital Test Daily, role: news outlet}
    category: casualties
    facts: {killed: {value: 22, qualifier: at-least}}
    date: 2024-07-08
    places: [Kyiv]
  - key: en-killed-country
    statement: At least 31 people were killed across the country.
    quote: at least 31 people were killed and more than 150 injured
    attributed_to:
      - {name: Mykola Bondar, role: Minister of Internal Affairs, channel: Facebook post}
      - {name: Capital Test Daily, role: news outlet}
    category: casualties
    facts:
      killed: {value: 31, qualifier: at-least}
      injured: {value: 150, qualifier: more-than}
    date: 2024-07-08
    places: [Ukraine]
  - key: en-missiles-38
    statement: 38 missiles were fired.
    quote: Russia had fired 38 missiles
    attributed_to: [{name: Air Force of Ukraine}, {name: Capital Test Daily, role: news outlet}]
    category: attack
    facts: {missiles_launched: {value: 38, qualifier: exact}}
    date: 2024-07-08
"""

RU_CLAIMS = """\
source: SRC-0004
claims:
  - key: ru-killed-kyiv
    statement: The number of dead in Kyiv rose to 27.
    quote: Число погибших в результате утренней ракетной атаки на Киев выросло до 27 человек
    attributed_to:
      - {name: Андрей Ковальчук, role: Head of the Kyiv City Military Administration}
      - {name: Днепровский вестник, role: news outlet}
    category: casualties
    facts: {killed: {value: 27, qualifier: exact}}
    date: 2024-07-08
    places: [Киев]
  - key: ru-missiles-38
    statement: 38 missiles were launched at Ukraine.
    quote: Россия выпустила по Украине 38 ракет
    attributed_to: [{name: Воздушные силы}, {name: Днепровский вестник, role: news outlet}]
    category: attack
    facts: {missiles_launched: {value: 38, qualifier: exact}}
    date: 2024-07-08
    places: [Украина]
  - key: ru-okhmatdyt-killed
    statement: Two people were killed at the Okhmatdyt hospital.
    quote: В больнице «Охматдет» погибли два человека
    attributed_to:
      - {name: Игорь Руденко, role: Minister of Health, channel: Telegram post}
      - {name: Днепровский вестник, role: news outlet}
    category: casualties
    facts: {killed: {value: 2, qualifier: exact}}
    date: 2024-07-08
    places: [Киев, Охматдет]
"""

LATER_CLAIM = """\
  - key: ru-to-withdraw
    statement: A claim the analyst will withdraw.
    quote: Ранены 16 человек
    category: casualties
    facts: {injured: {value: 16, qualifier: exact}}
    date: 2024-07-08
"""


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture(scope="module")
def day_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    now = dt.datetime(2026, 11, 29, 10, 12, 3, tzinfo=dt.UTC)
    root = tmp_path_factory.mktemp("ledger") / "case"
    case = Case.init(
        root, case_id="LEDGER-1", title="8 July", ern_prefix="LG", actor="tester", now=now
    )
    add_source(
        case,
        DATA / "censor-net-2024-07-08-umerov-air-defence.txt",
        actor="tester",
        now=now,
        overrides={"publisher": "Censor.NET", "published": "2024-07-08T11:00:00Z"},
    )
    for name in ("uk-01-kyiv-morning.txt", "en-04-kyiv-afternoon.txt", "ru-01-kyiv-evening.txt"):
        add_source(case, DATA / "suggest" / name, actor="tester", now=now)
    claims = root / "claims"
    for name, text in (
        ("SRC-0001", SEED_CLAIMS),
        ("SRC-0002", UK_CLAIMS),
        ("SRC-0003", EN_CLAIMS),
        ("SRC-0004", RU_CLAIMS + LATER_CLAIM),
    ):
        (claims / f"{name}.yaml").write_text(text, encoding="utf-8")
    assert seal_case(case, actor="tester", now=now).seal is not None
    (claims / "SRC-0004.yaml").write_text(RU_CLAIMS, encoding="utf-8")  # withdraw one
    assert seal_case(case, actor="tester", now=now + dt.timedelta(hours=1)).withdrawn
    return root


@pytest.fixture(scope="module")
def ledger(day_case: Path) -> Ledger:
    return build_ledger(Case.open(day_case))


def _group(ledger: Ledger, subject: str, places: tuple[str, ...]) -> LedgerGroup:
    return next(g for g in ledger.groups if g.subject == subject and g.places == places)


def test_claims_are_grouped_by_fact_date_and_canonical_place(ledger: Ledger) -> None:
    kyiv = _group(ledger, "killed", ("Kyiv",))
    assert [e.key for e in kyiv.entries] == [
        "uk-killed-kyiv",
        "en-killed-kyiv",
        "ru-killed-kyiv",
    ]  # Київ, Kyiv, Киев: one place
    assert kyiv.date == "2024-07-08"
    hospital = _group(ledger, "killed", ("Okhmatdyt hospital",))
    assert [e.key for e in hospital.entries] == ["ru-okhmatdyt-killed"]
    assert hospital.within == ("Kyiv",)


def test_independence_is_counted_by_origin_not_by_outlet(ledger: Ledger) -> None:
    missiles = _group(ledger, "missiles_launched", ())
    assert len(missiles.entries) == 4  # three outlets carry the Air Force's figure
    assert missiles.origins == 2  # … which is one origin; Zelenskyy is the other
    air_force = {e.origin for e in missiles.entries if e.figure_text() == "38"}
    assert air_force == {"body:air-force"}
    kyiv = _group(ledger, "killed", ("Kyiv",))
    assert kyiv.origins == 2  # Ковальчук (in Ukrainian and in Russian) and the administration


def test_consistent_figures_from_independent_origins_suggest_corroborated(ledger: Ledger) -> None:
    kyiv = _group(ledger, "killed", ("Kyiv",))
    assert kyiv.verdict == "consistent"
    assert [e.suggested for e in kyiv.entries] == ["corroborated"] * 3
    assert [e.status for e in kyiv.entries] == ["reported"] * 3  # nothing was changed
    assert any("consistent with" in r for r in kyiv.entries[0].reasons)


def test_a_count_that_grows_over_the_day_is_a_timeline_not_a_conflict(ledger: Ledger) -> None:
    country = _group(ledger, "killed", ())
    assert [e.figure_text() for e in country.entries] == ["about 20", "at least 31"]
    assert country.verdict == "rising"
    assert [e.suggested for e in country.entries] == ["reported", "reported"]
    assert "grows over the day" in country.entries[1].reasons[0]


def test_figures_that_cannot_both_be_right_suggest_contested(ledger: Ledger) -> None:
    missiles = _group(ledger, "missiles_launched", ())
    assert missiles.verdict == "conflict"
    assert {e.suggested for e in missiles.entries} == {"contested"}
    zelenskyy = next(e for e in missiles.entries if e.speaker == "Volodymyr Zelenskyy")
    assert sum("conflicts with" in r for r in zelenskyy.reasons) == 3


def test_assertions_without_figures_are_compared_by_who_made_them(ledger: Ledger) -> None:
    hit = _group(ledger, "target", ("Okhmatdyt hospital",))
    assert hit.kind == "assertion"
    assert hit.verdict == "mentions"
    assert hit.origins == 2  # two outlets, each in its own words
    assert {e.suggested for e in hit.entries} == {"corroborated"}


def test_withdrawn_and_unsealed_claims_are_left_out(day_case: Path, ledger: Ledger) -> None:
    keys = {e.key for g in ledger.groups for e in g.entries}
    assert "ru-to-withdraw" not in keys
    assert ledger.withdrawn == 1
    assert ledger.claims == 12
    assert ledger.seal == 2


def test_the_ledger_changes_nothing(day_case: Path) -> None:
    before = _tree(day_case)
    build_ledger(Case.open(day_case))
    assert _tree(day_case) == before


def test_the_text_and_json_show_the_same_groups(ledger: Ledger) -> None:
    lines = render_ledger(ledger)
    assert lines[0].startswith("ledger of LEDGER-1 as of seal 2: 12 claim(s)")
    assert any("killed · 2024-07-08 · Kyiv" in line and "consistent" in line for line in lines)
    doc = ledger.to_dict()
    assert doc["claims"] == 12
    assert len(doc["groups"]) == len(ledger.groups)
    assert doc["verdicts"]["conflict"] >= 1
    entry = doc["groups"][0]["entries"][0]
    assert {
        "claim",
        "ern",
        "outlet",
        "published",
        "speaker",
        "origin",
        "status",
        "suggested_status",
        "reasons",
    } <= set(entry)


def test_a_case_without_a_seal(new_case: Case) -> None:
    with pytest.raises(CaseError, match="no seal yet"):
        build_ledger(new_case)


def test_a_changed_record_is_refused(day_case: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(day_case, copy)
    record = next((copy / "records").glob("CLM-0001.1.json"))
    record.chmod(0o644)
    record.write_bytes(record.read_bytes().replace(b"About 20", b"About 30"))
    with pytest.raises(CaseError, match="does not match the digest"):
        build_ledger(Case.open(copy))


INTERVALS = [
    ((20, "exact", None), (20.0, 20.0)),
    ((20, "approx", None), (17.0, 23.0)),
    ((2, "approx", None), (1.0, 3.0)),
    ((22, "at-least", None), (22.0, math.inf)),
    ((40, "more-than", None), (41.0, math.inf)),
    ((10, "at-most", None), (0.0, 10.0)),
    ((10, "less-than", None), (0.0, 9.0)),
    ((5, "range", 7), (5.0, 7.0)),
]


@pytest.mark.parametrize(
    ("figure", "expected"), INTERVALS, ids=[f[1] + str(f[0]) for f, _ in INTERVALS]
)
def test_what_each_qualifier_allows(
    figure: tuple[int, str, int | None], expected: tuple[float, float]
) -> None:
    assert interval(*figure) == expected


QUALIFIERS = st.sampled_from(["exact", "approx", "at-least", "more-than", "at-most", "less-than"])


@given(st.integers(0, 500), QUALIFIERS, st.integers(0, 500), QUALIFIERS)
def test_consistency_is_symmetric_and_reflexive(a: int, qa: str, b: int, qb: str) -> None:
    ia, ib = interval(a, qa), interval(b, qb)
    assert consistent(ia, ib) == consistent(ib, ia)
    if ia[0] <= ia[1]:
        assert consistent(ia, ia)


@given(st.integers(0, 500), st.integers(0, 500))
def test_an_exact_count_fits_at_least_exactly_when_it_is_not_lower(value: int, floor: int) -> None:
    assert consistent(interval(value, "exact"), interval(floor, "at-least")) == (value >= floor)
