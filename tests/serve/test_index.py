"""What the pages read: highlights of every kind, the overview's counts, the sources list."""

from __future__ import annotations

from pathlib import Path

from evidence.case import Case
from evidence.integrity.seal import seal_case
from evidence.serve._index import CaseIndex
from evidence.suggest.suggestions import suggest_claims, write_suggestions


def test_every_kind_of_highlight(team_case: Path) -> None:
    case = Case.open(team_case)
    path = case.claims_dir / "SRC-0001.yaml"
    text = path.read_text(encoding="utf-8")
    first, rest = text.split("\n  - key: missile-types-and-launch-area", 1)
    head, _ = first.split("  - key: missiles-launched-count", 1)
    path.write_text(head + "  - key: missile-types-and-launch-area" + rest, encoding="utf-8")
    (case.claims_dir / "SRC-0003.yaml").unlink()
    assert seal_case(case, actor="tester").seal is not None  # withdraws the removed claim
    write_suggestions(case, suggest_claims(case, "SRC-0002"))
    index = CaseIndex(case)
    kinds = {c.key: c.kind for c in index.highlight("SRC-0001").claims}
    assert kinds["missiles-launched-count"] == "withdrawn"
    assert kinds["missile-types-and-launch-area"] == "sealed"
    claims = index.highlight("SRC-0002").claims
    assert {c.kind for c in claims} == {"suggested"}
    assert all(c.start is not None and c.why for c in claims)
    view = index.overview()
    assert view.sources == 3
    assert view.claims_by_status["withdrawn"] == 1
    assert view.suggested_files == ["SRC-0002.suggested.yaml"]
    assert [s["sequence"] for s in view.seals] == [1, 2]
    rows = index.sources("тестова")
    assert [r.id for r in rows] == ["SRC-0002"]
    assert index.sources("SRC-0001")[0].claims == {"reported": 15, "withdrawn": 1}


def test_a_claims_file_changed_on_disk_is_read_again(team_case: Path) -> None:
    case = Case.open(team_case)
    index = CaseIndex(case)
    assert all(c.kind == "sealed" for c in index.highlight("SRC-0001").claims)
    path = case.claims_dir / "SRC-0001.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "various types were launched", "various types were fired", 1
        ),
        encoding="utf-8",
    )
    kinds = {c.key: c.kind for c in index.highlight("SRC-0001").claims}
    assert kinds["missiles-launched-count"] == "pending"
