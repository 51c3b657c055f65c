"""Joint speakers ("Klitschko and Popko said"): the claims-file and record schemas, the
model's round trip, unchanged bytes for claims without them, and the dossier's wording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evidence.errors import SchemaError
from evidence.model import AttributionLink, CoSpeaker
from evidence.render.sections import attribution_text
from evidence.schema import validate

JOINT: dict[str, Any] = {
    "name": "Vitali Klitschko",
    "role": "Mayor of Kyiv",
    "channel": "joint briefing",
    "with": [{"name": "Serhii Popko", "role": "Head of the City Military Administration"}],
}


def test_a_link_with_co_speakers_round_trips() -> None:
    link = AttributionLink.from_dict(JOINT)
    assert link.with_ == (CoSpeaker("Serhii Popko", "Head of the City Military Administration"),)
    assert [p.name for p in link.speakers] == ["Vitali Klitschko", "Serhii Popko"]
    record = link.to_dict()
    assert record["with"] == [
        {"name": "Serhii Popko", "role": "Head of the City Military Administration"}
    ]
    assert AttributionLink.from_dict(record) == link


def test_a_link_without_co_speakers_keeps_its_bytes() -> None:
    """Records sealed before co-speakers existed compile to the same body."""
    assert AttributionLink.from_dict({"name": "A"}).to_dict() == {
        "name": "A",
        "role": None,
        "channel": None,
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "A", "with": []},
        {"name": "A", "with": [{"role": "no name"}]},
        {"name": "A", "with": [{"name": "B", "channel": "a co-speaker has no channel"}]},
    ],
    ids=["empty", "nameless", "channel"],
)
def test_the_claims_file_schema_refuses_bad_co_speakers(bad: dict[str, Any]) -> None:
    doc = {
        "source": "SRC-0001",
        "claims": [
            {
                "key": "k",
                "statement": "s",
                "quote": "q",
                "attributed_to": [bad],
                "status": "reported",
            }
        ],
    }
    with pytest.raises(SchemaError):
        validate("claims-file", doc, path="claims/SRC-0001.yaml")


def test_the_claims_file_schema_accepts_co_speakers() -> None:
    doc = {
        "source": "SRC-0001",
        "claims": [
            {
                "key": "k",
                "statement": "s",
                "quote": "q",
                "attributed_to": [JOINT, {"name": "Outlet"}],
                "status": "reported",
            }
        ],
    }
    validate("claims-file", doc, path="claims/SRC-0001.yaml")


def test_the_dossier_names_joint_speakers_apart_from_the_chain() -> None:
    chain = (
        AttributionLink.from_dict(JOINT),
        AttributionLink("Censor.NET", "news outlet", "online article"),
    )
    assert attribution_text(chain) == (
        "Vitali Klitschko (Mayor of Kyiv) and Serhii Popko (Head of the City Military "
        "Administration), jointly (joint briefing), as reported by Censor.NET (news outlet; "
        "online article)"
    )


def test_a_sealed_claim_with_co_speakers_renders(tmp_path: Path) -> None:
    from evidence.render import render_dossier
    from tests.unit.render.cases import Source, build_case
    from tests.unit.render.pdf import norm, page_texts

    text = "Klitschko and Popko said that the bridge was closed.\n"
    claims = [
        {
            "key": "bridge",
            "statement": "The bridge was closed.",
            "quote": "the bridge was closed",
            "attributed_to": [JOINT],
            "category": "statement",
            "status": "reported",
        }
    ]
    case = build_case(
        tmp_path / "case", [Source("r.txt", text, {"title": "R", "language": "en"}, claims)]
    )
    record = next((case.root / "records").glob("CLM-0001.1.json")).read_text(encoding="utf-8")
    assert '"with":[{"name":"Serhii Popko"' in record
    pdf = render_dossier(case, template="icc-otp", actor="tester").path
    whole = norm(" ".join(page_texts(pdf)))
    assert "Vitali Klitschko (Mayor of Kyiv) and Serhii Popko" in whole
