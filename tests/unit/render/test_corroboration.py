"""Which exhibits support a claim, which conflict, and when a status is not borne out: the
corroboration ledger's own judgement (origins included), printed in the claims table."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from evidence.case import Case, tool_name
from evidence.digest import Blake3Hex
from evidence.model import AttributionLink, ClaimBody, Fact, SourceRef
from evidence.render.bundle import collect_bundle
from evidence.render.content import ClaimItem, DossierContent, build_content, verdict_of
from evidence.render.corroboration import corroboration
from evidence.suggest.corroborate import build_ledger
from evidence.verify.case import verify_case
from tests.unit.render.cases import cyrillic_case
from tests.unit.render.pdf import norm, page_texts

_PEOPLE = ("", "Olena Kovalenko", "Petro Shevchuk", "Ivan Franko", "Maria Bondar", "Taras Melnyk")


def _claim(
    number: int,
    source: str,
    status: str,
    *,
    speaker: str | None = None,
    killed: tuple[float, str] | None = None,
    fact: str = "killed",
    category: str = "attack",
    date: str | None = "2024-07-08",
    places: tuple[str, ...] = ("Kyiv",),
) -> ClaimItem:
    facts = {} if killed is None else {fact: Fact(killed[0], killed[1])}
    body = ClaimBody(
        key=f"k{number}",
        statement="s",
        source=SourceRef(cast(Any, source), 1, Blake3Hex("ab" * 32)),
        quote=None,
        attribution=(AttributionLink(speaker or _PEOPLE[number]),),
        category=category,
        facts=facts,
        date=date,
        places=places,
        status=status,
        note=None,
    )
    rev = SimpleNamespace(id=f"CLM-{number:04d}", ern=f"EXH-{number:04d}", revision=1, leaf=number)
    record = SimpleNamespace(id=rev.id, revision=1, body=body)
    outlet = SimpleNamespace(publisher=f"Outlet of {source}", published="2024-07-08")
    return cast(
        ClaimItem,
        SimpleNamespace(rev=rev, record=record, body=body, source=None, source_body=outlet),
    )


def _content(claims: list[ClaimItem]) -> DossierContent:
    live = tuple(c for c in claims if c.body.status != "withdrawn")
    return cast(
        DossierContent,
        SimpleNamespace(
            meta=SimpleNamespace(id="TEST"),
            seal=SimpleNamespace(sequence=1),
            claims=tuple(claims),
            live_claims=live,
        ),
    )


def test_figures_of_other_origins_support_or_conflict() -> None:
    launched = "missiles_launched"  # not a count that grows over the day
    claims = [
        _claim(1, "SRC-0001", "corroborated", killed=(20, "approx"), fact=launched),
        _claim(2, "SRC-0002", "reported", killed=(21, "exact"), fact=launched),
        _claim(3, "SRC-0003", "reported", killed=(60, "exact"), fact=launched),
        _claim(4, "SRC-0001", "reported", killed=(21, "exact"), fact=launched),  # 1's source
        _claim(5, "SRC-0004", "corroborated", killed=(5, "exact"), places=("Dnipro",)),
    ]
    notes = corroboration(_content(claims))
    assert notes["CLM-0001"].supporting == ("EXH-0002",)
    assert notes["CLM-0001"].conflicting == ("EXH-0003",)
    assert notes["CLM-0001"].flag == "a claim of another origin gives a conflicting figure"
    assert notes["CLM-0002"].supporting == ("EXH-0001", "EXH-0004")
    assert notes["CLM-0002"].flag is None  # contested by 3, but reported: nothing to bear out
    assert notes["CLM-0005"].supporting == ()
    assert notes["CLM-0005"].flag == "no claim of another origin, in another source, supports it"


def test_a_count_that_grows_is_not_a_conflict() -> None:
    """The ledger's rule for deaths reported on one day, times unknown: they differ (the
    count may have grown), which contradicts no status."""
    claims = [
        _claim(1, "SRC-0001", "verified", killed=(20, "exact")),
        _claim(2, "SRC-0002", "reported", killed=(31, "exact")),
    ]
    notes = corroboration(_content(claims))
    assert notes["CLM-0001"].conflicting == ()
    assert notes["CLM-0001"].flag is None


def test_sources_of_one_origin_do_not_corroborate_each_other() -> None:
    """Two outlets quoting the same minister are one origin: the claim is not shown as
    independently corroborated, and its status "corroborated" is flagged."""
    claims = [
        _claim(1, "SRC-0001", "corroborated", speaker="Rustem Umerov", killed=(20, "exact")),
        _claim(2, "SRC-0002", "reported", speaker="Rustem Umerov", killed=(20, "exact")),
        _claim(3, "SRC-0003", "reported", speaker="Рустем Умєров", killed=(20, "exact")),
    ]
    notes = corroboration(_content(claims))
    assert notes["CLM-0001"].supporting == ()
    assert notes["CLM-0001"].suggested == "reported"
    assert notes["CLM-0001"].flag == "no claim of another origin, in another source, supports it"
    # another speaker in a fourth source is another origin: now it is borne out
    claims.append(_claim(4, "SRC-0004", "reported", speaker="Ihor Klymenko", killed=(20, "exact")))
    notes = corroboration(_content(claims))
    assert notes["CLM-0001"].supporting == ("EXH-0004",)
    assert notes["CLM-0001"].flag is None


def test_events_without_figures_meet_by_category_date_and_place() -> None:
    claims = [
        _claim(1, "SRC-0001", "corroborated"),
        _claim(2, "SRC-0002", "reported"),
        _claim(3, "SRC-0003", "reported", date="2024-07-09"),
        _claim(4, "SRC-0004", "reported", category="damage"),
    ]
    notes = corroboration(_content(claims))
    assert notes["CLM-0001"].supporting == ("EXH-0002",)
    assert notes["CLM-0001"].flag is None


def _embedded_content(case: Case) -> DossierContent:
    """The content a dossier is laid out from: the sealed data as it embeds it."""
    bundle = collect_bundle(case)
    return build_content(bundle, case.meta, verdict_of(verify_case(case.root)), tool=tool_name())


def _agree_with_the_ledger(case: Case) -> None:
    ledger = build_ledger(case)
    notes = corroboration(_embedded_content(case))
    ern = {e.claim: e.ern for g in ledger.groups for e in g.entries}
    expected: dict[str, tuple[set[str], set[str], set[str]]] = {}
    for group in ledger.groups:
        for e in group.entries:
            agrees, conflicts, suggested = expected.setdefault(e.claim, (set(), set(), set()))
            agrees.update(ern[c] for c in e.agrees)
            conflicts.update(ern[c] for c in e.conflicts)
            suggested.add(e.suggested)
    assert set(notes) == set(expected)
    for claim, (agrees, conflicts, suggested) in expected.items():
        note = notes[claim]
        assert set(note.supporting) == agrees, claim
        assert set(note.conflicting) == conflicts, claim
        assert note.suggested in suggested, claim


def test_the_column_agrees_with_the_ledger_on_the_demo(sealed_case: Path) -> None:
    _agree_with_the_ledger(Case.open(sealed_case))


def test_the_column_agrees_with_the_ledger_across_languages(tmp_path: Path) -> None:
    """Ukrainian and Russian reports: a claim marked corroborated that the ledger does
    not bear out is flagged, as ``evidence corroborate`` suggests "reported" for it."""
    case = cyrillic_case(tmp_path / "case")
    _agree_with_the_ledger(case)
    notes = corroboration(_embedded_content(case))
    flagged = [c for c, n in notes.items() if n.flag]
    assert flagged == ["CLM-0001"]


@pytest.mark.parametrize("template", ["icc-otp"])
def test_the_claims_table_names_supporting_exhibits(
    cyrillic_pdfs: dict[str, Path], template: str
) -> None:
    text = norm(" ".join(page_texts(cyrillic_pdfs[template])))
    assert "Other sources that support it" in text
    assert "Not borne out: no claim of another origin, in another source, supports it" in text
    assert "Claim exhibits" in text  # the register lists every claim's exhibit number
