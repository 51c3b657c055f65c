"""Which exhibits support a claim, which conflict, and when a status is not borne out."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from evidence.digest import Blake3Hex
from evidence.model import AttributionLink, ClaimBody, Fact, SourceRef
from evidence.render.content import ClaimItem
from evidence.render.corroboration import corroboration
from tests.unit.render.pdf import norm, page_texts


def _claim(
    number: int,
    source: str,
    status: str,
    *,
    killed: tuple[float, str] | None = None,
    category: str = "attack",
    date: str | None = "2024-07-08",
    places: tuple[str, ...] = ("Kyiv",),
) -> ClaimItem:
    facts = {} if killed is None else {"killed": Fact(killed[0], killed[1])}
    body = ClaimBody(
        key=f"k{number}",
        statement="s",
        source=SourceRef(cast(Any, source), 1, Blake3Hex("ab" * 32)),
        quote=None,
        attribution=(AttributionLink("Someone"),),
        category=category,
        facts=facts,
        date=date,
        places=places,
        status=status,
        note=None,
    )
    rev = SimpleNamespace(id=f"CLM-{number:04d}", ern=f"EXH-{number:04d}")
    return cast(ClaimItem, SimpleNamespace(rev=rev, body=body, source=None))


def test_figures_of_another_source_support_or_conflict() -> None:
    claims = [
        _claim(1, "SRC-0001", "corroborated", killed=(20, "approx")),
        _claim(2, "SRC-0002", "reported", killed=(21, "exact")),
        _claim(3, "SRC-0003", "reported", killed=(60, "exact")),
        _claim(4, "SRC-0001", "reported", killed=(21, "exact")),  # same source as 1: not for 1
        _claim(5, "SRC-0004", "corroborated", killed=(5, "exact"), places=("Dnipro",)),
    ]
    notes = corroboration(claims)
    assert notes["CLM-0001"].supporting == ("EXH-0002",)
    assert notes["CLM-0001"].conflicting == ("EXH-0003",)
    assert notes["CLM-0001"].flag == "another source gives a conflicting figure"
    assert notes["CLM-0002"].supporting == ("EXH-0001", "EXH-0004")
    assert notes["CLM-0002"].flag is None  # reported: nothing to bear out
    assert notes["CLM-0005"].supporting == ()
    assert notes["CLM-0005"].flag == "no claim of another source in this case supports it"


def test_events_without_figures_meet_by_category_date_and_place() -> None:
    claims = [
        _claim(1, "SRC-0001", "corroborated"),
        _claim(2, "SRC-0002", "reported"),
        _claim(3, "SRC-0003", "reported", date="2024-07-09"),
        _claim(4, "SRC-0004", "reported", category="damage"),
    ]
    notes = corroboration(claims)
    assert notes["CLM-0001"].supporting == ("EXH-0002",)
    assert notes["CLM-0001"].flag is None


def test_the_claims_table_names_supporting_exhibits(cyrillic_pdfs: dict[str, Path]) -> None:
    text = norm(" ".join(page_texts(cyrillic_pdfs["icc-otp"])))
    assert "Other sources that support it" in text
    assert "Claim exhibits" in text  # the register lists every claim's exhibit number
