"""The ledger orders counts by the time they are stated for (issue 18, decision 0618)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from evidence.case import Case
from evidence.ingest.add import add_source
from evidence.integrity.seal import seal_case
from evidence.suggest.corroborate import TIMES_UNKNOWN, build_ledger, render_ledger

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _claim(key: str, who: str, value: int, as_of: str | None) -> str:
    stated = f", as_of: '{as_of}'" if as_of else ""
    return (
        f"  - key: {key}\n    statement: {value} killed.\n    quote: Text {key}.\n"
        f"    attributed_to: [{{name: {who}}}, {{name: Outlet {key}, role: news outlet}}]\n"
        f"    category: casualties\n"
        f"    facts: {{killed: {{value: {value}, qualifier: exact{stated}}}}}\n"
        f"    date: 2025-03-12\n    places: [Vinnytsia]\n"
    )


def _case(tmp_path: Path, counts: list[tuple[str, int, str | None]]) -> Case:
    case = Case.init(
        tmp_path / "case", case_id="T-18", title="T", ern_prefix="T", actor="test", now=NOW
    )
    for index, (who, value, as_of) in enumerate(counts, start=1):
        key = f"k{index}"
        article = tmp_path / f"{key}.txt"
        article.write_text(f"Text {key}.\n", encoding="utf-8")
        add_source(
            case,
            article,
            overrides={"published": "2025-03-12", "publisher": f"Outlet {key}"},
            actor="test",
            now=NOW,
        )
        (case.claims_dir / f"SRC-{index:04d}.yaml").write_text(
            f"source: SRC-{index:04d}\nclaims:\n" + _claim(key, who, value, as_of), encoding="utf-8"
        )
    seal_case(case, actor="test", now=NOW)
    return case


def test_three_origins_rising_over_the_day_are_growth(tmp_path: Path) -> None:
    case = _case(
        tmp_path,
        [
            ("Mayor", 15, "2025-03-12T16:10"),
            ("Rescuers", 7, "2025-03-12T11:00"),
            ("Governor", 12, "2025-03-12T14:27"),
        ],
    )
    group = next(g for g in build_ledger(case).groups if g.subject == "killed")
    assert group.verdict == "rising"
    assert [e.figure.value for e in group.entries if e.figure] == [7, 12, 15]  # by as_of
    assert {e.suggested for e in group.entries} == {"reported"}
    text = "\n".join(render_ledger(build_ledger(case)))
    assert (
        "growth over the day: 7 (as of 2025-03-12T11:00, Rescuers) → 12 (as of "
        "2025-03-12T14:27, Governor) → 15 (as of 2025-03-12T16:10, Mayor)"
    ) in text


def test_unknown_times_differ_and_do_not_conflict(tmp_path: Path) -> None:
    case = _case(tmp_path, [("Mayor", 15, None), ("Rescuers", 7, None)])
    group = next(g for g in build_ledger(case).groups if g.subject == "killed")
    assert group.verdict == "differ"
    assert all(e.suggested == "reported" for e in group.entries)
    assert all(any(TIMES_UNKNOWN in r for r in e.reasons) for e in group.entries)
    text = "\n".join(render_ledger(build_ledger(case)))
    assert "cannot both be right" not in text
    assert "differ (" not in text.split("—")[0]


def test_a_later_lower_count_of_another_origin_is_a_conflict(tmp_path: Path) -> None:
    case = _case(tmp_path, [("Mayor", 11, "2025-03-12T12:20"), ("Governor", 9, "2025-03-12T13:15")])
    group = next(g for g in build_ledger(case).groups if g.subject == "killed")
    assert group.verdict == "conflict"
    assert any("below the earlier figure" in r for e in group.entries for r in e.reasons)
