"""Models: frozen, round-trip exactly, and refuse what a schema cannot see."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from evidence.canonical import canonical_bytes
from evidence.digest import Blake3Hex
from evidence.errors import SchemaError
from evidence.model import (
    CaseMeta,
    ClaimBody,
    CustodyEvent,
    Fact,
    Quote,
    Record,
    Seal,
    SourceBody,
    Supersedes,
    format_record_id,
    record_number,
)
from evidence.schema import is_valid
from evidence.store import record_slice

H1, H2, H3 = "1" * 64, "2" * 64, "3" * 64


@pytest.fixture(scope="session")
def demo_template(request: pytest.FixtureRequest) -> Path:
    """The sealed example built once per session (conftest's ``_demo_template``): read only."""
    return Path(request.getfixturevalue("_demo_template"))


def _source(**body: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Київ, 8 липня",
        "publisher": "Kyiv Ledger",
        "url": "https://example.org/a",
        "authors": ["Olena Tkachenko"],
        "published": "2024-07-08",
        "captured_at": "2026-11-29T10:12:03.123456Z",
        "language": "uk",
        "media_type": "text/html",
        "object": {"blake3": H1, "sha256": H2, "size": 1234, "filename": "page.html"},
        "text": {"blake3": H2, "sha256": H3, "length": 99},
        "capture": {"method": "manual-file", "tool": "evidence 0.1.0", "collector": "olena"},
    }
    base.update(body)
    return {
        "schema": "evidence/source/1",
        "id": "SRC-0007",
        "revision": 1,
        "kind": "source",
        "created_at": "2026-11-29T10:12:03.123456Z",
        "created_by": "olena",
        "supersedes": None,
        "body": base,
    }


FULL_CAPTURE = {
    "method": "capture-command",
    "tool": "evidence 0.1.0",
    "collector": "olena",
    "transformations": ["took the main text out of the page"],
    "clock": "system clock, NTP-synchronised",
    "user_agent": "evidence/0.1",
    "final_url": "https://example.org/a?x=1",
    "http": {
        "status": 200,
        "reason": "OK",
        "headers": [["Content-Type", "text/html"], ["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]],
    },
    "redirects": [
        {"url": "http://example.org/a", "status": 301, "location": "https://example.org/a"}
    ],
    "warc": {
        "record_id": "<urn:uuid:0b7c6d52-6f2e-4a55-9b1e-1d1c5c3f0a11>",
        "target_uri": "https://example.org/a",
        "date": "2026-11-29T10:12:03Z",
        "file": "capture.warc.gz",
        "offset": 0,
        "software": "evidence 0.1.0",
    },
}


def _claim(
    revision: int = 1, supersedes: dict[str, Any] | None = None, **body: Any
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "key": "hospital-hit",
        "statement": "The hospital was hit.",
        "source": {"id": "SRC-0001", "revision": 1, "blake3": H1},
        "quote": {
            "exact": "влучив у лікарню",  # noqa: RUF001
            "prefix": "Ворог ",  # noqa: RUF001
            "suffix": ".",
            "start": 6,
            "end": 22,
        },
        "attribution": [
            {"name": "Rustem Umerov", "role": "Minister of Defence", "channel": "Facebook post"},
            {"name": "Censor.NET", "role": None, "channel": None},
        ],
        "category": "target",
        "facts": {
            "killed": {"value": 20, "qualifier": "approx"},
            "wounded": {
                "value": 40,
                "qualifier": "range",
                "max": 50,
                "unit": "people",
                "text": "40 to 50",
            },
        },
        "date": "2024-07-08/2024-07-09",
        "places": ["Kyiv"],
        "status": "reported",
        "note": None,
    }
    base.update(body)
    return {
        "schema": "evidence/claim/1",
        "id": "CLM-0003",
        "revision": revision,
        "kind": "claim",
        "created_at": "2026-11-29T10:12:03.123456Z",
        "created_by": "olena",
        "supersedes": supersedes,
        "body": base,
    }


ROUND_TRIPS = {
    "source-minimal": _source(authors=[], publisher=None, url=None, published=None, text=None),
    "source-full": _source(
        capture=FULL_CAPTURE,
        canonical_url="https://example.org/a",
        published="2024-07-08T09:30:00Z",
        attachments=[
            {
                "role": "screenshot",
                "media_type": "image/png",
                "object": {"blake3": H3, "sha256": H1, "size": 10, "filename": None},
            }
        ],
    ),
    "claim": _claim(),
    "claim-no-quote": _claim(quote=None, facts={}, date=None, places=[], note="cited only"),
    "claim-revised": _claim(3, {"revision": 2, "blake3": H2}, status="withdrawn"),
    "claim-as-of": _claim(
        facts={
            "killed": {"value": 12, "qualifier": "exact", "as_of": "2025-03-12T14:27"},
            "injured": {"value": 31, "qualifier": "exact", "as_of": "2025-03-12T13:10:00Z"},
        }
    ),
}


@pytest.mark.parametrize(
    "as_of", ["14:27", "2025-03-12", "2025-03-12T25:00", "yesterday", "2025-02-30T10:00"]
)
def test_an_as_of_that_is_not_a_date_and_time_is_refused(as_of: str) -> None:
    doc = _claim(facts={"killed": {"value": 12, "qualifier": "exact", "as_of": as_of}})
    with pytest.raises(SchemaError):
        Fact(12, "exact", as_of=as_of)
    if as_of != "2025-02-30T10:00":  # a calendar check is the constructor's, not the pattern's
        assert not is_valid("claim", doc)


@pytest.mark.parametrize("doc", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_record_round_trip(doc: dict[str, Any]) -> None:
    before = copy.deepcopy(doc)
    record = Record.from_dict(doc)
    assert record.to_dict() == doc
    assert canonical_bytes(record.to_dict()) == canonical_bytes(doc)
    assert doc == before  # parsing never mutates the caller's dict
    assert is_valid(doc["kind"], doc)


def test_round_trip_of_every_document_of_the_sealed_example(demo_template: Path) -> None:
    for path in sorted((demo_template / "records").glob("*.json")):
        record_bytes = record_slice(path.read_bytes())
        assert record_bytes is not None
        doc = json.loads(record_bytes)
        # The exact bytes that were hashed come back from the model.
        assert canonical_bytes(Record.from_dict(doc).to_dict()) == record_bytes
    seal = json.loads((demo_template / "seals" / "0001.json").read_bytes())
    assert Seal.from_dict(seal).to_dict() == seal
    for line in (demo_template / "custody.jsonl").read_bytes().splitlines():
        event = json.loads(line)
        assert canonical_bytes(CustodyEvent.from_dict(event).to_dict()) == line


def test_seal_round_trip_with_previous_and_signer(demo_template: Path) -> None:
    seal = json.loads((demo_template / "seals" / "0001.json").read_bytes())
    seal["sequence"] = 2
    seal["previous"] = {"sequence": 1, "root": H1, "sha256": H2}
    seal["signer"] = {"alg": "ed25519", "fingerprint": H3}
    assert Seal.from_dict(seal).to_dict() == seal
    assert Seal.from_dict(seal).filename == "0002.json"


def test_from_dict_keeps_no_reference_to_the_callers_dict() -> None:
    doc = _claim()
    record = Record.from_dict(doc)
    doc["body"]["facts"]["killed"]["value"] = 999
    doc["body"]["places"].append("Dnipro")
    doc["body"]["attribution"].clear()
    assert record.to_dict() == _claim()


def test_models_are_frozen() -> None:
    record = Record.from_dict(_claim())
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.revision = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.body.statement = "changed"  # type: ignore[misc, union-attr]


# -- the second gate: what the constructors refuse ------------------------------------------

REFUSED = {
    "quote-end-not-start-plus-length": (
        _claim(quote={"exact": "abc", "prefix": "", "suffix": "", "start": 5, "end": 9}),
        "not the length of exact",
    ),
    "quote-length-in-utf16-units": (
        # "😂" is one code point but two UTF-16 units: offsets count code points.
        _claim(quote={"exact": "a😂", "prefix": "", "suffix": "", "start": 0, "end": 3}),
        "not the length of exact",
    ),
    "revision-1-supersedes": (
        _claim(1, {"revision": 1, "blake3": H1}),
        "revision 1 supersedes nothing",
    ),
    "revision-2-supersedes-nothing": (_claim(2, None), "later revisions name the one before"),
    "revision-3-supersedes-1": (
        _claim(3, {"revision": 1, "blake3": H1}),
        "supersedes revision 1, expected 2",
    ),
    "claim-date-not-real": (_claim(date="2024-02-30"), "not a real calendar date"),
    "claim-range-end-not-real": (_claim(date="2024-07-08/2024-13-01"), "not a real calendar date"),
    "source-published-not-real": (_source(published="2023-02-29"), "not a real calendar date"),
    "source-published-time-not-real": (
        _source(published="2024-04-31T10:00:00Z"),
        "not a real calendar date",
    ),
    "range-max-below-value": (
        _claim(facts={"killed": {"value": 50, "max": 40, "qualifier": "range"}}),
        "needs max >= value",
    ),
    "range-without-max": (
        _claim(facts={"killed": {"value": 50, "qualifier": "range"}}),
        "needs max >= value",
    ),
}


@pytest.mark.parametrize(("doc", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_constructor_refuses(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        Record.from_dict(doc)


def test_schema_must_fit_kind() -> None:
    doc = _claim()
    doc["schema"] = "evidence/source/1"
    with pytest.raises(SchemaError, match="does not fit kind"):
        Record.from_dict(doc)


def test_seal_size_must_match_leaves(demo_template: Path) -> None:
    seal = json.loads((demo_template / "seals" / "0001.json").read_bytes())
    seal["tree"]["size"] += 1
    with pytest.raises(SchemaError, match="leaves"):
        Seal.from_dict(seal)


def test_leap_day_is_a_real_date() -> None:
    assert Record.from_dict(_claim(date="2024-02-29")).body.date == "2024-02-29"  # type: ignore[union-attr]


def test_direct_construction_checks_too() -> None:
    with pytest.raises(SchemaError):
        Quote("abc", "", "", 0, 2)
    with pytest.raises(SchemaError):
        Fact(5, "range", max=1)
    body = ClaimBody.from_dict(_claim()["body"])
    with pytest.raises(SchemaError):
        dataclasses.replace(body, date="2024-00-10")
    source = SourceBody.from_dict(_source()["body"])
    with pytest.raises(SchemaError):
        dataclasses.replace(source, published="2024-06-31")
    with pytest.raises(SchemaError):
        Record(
            "evidence/claim/1",
            format_record_id("claim", 1),
            2,
            "claim",
            "t",
            "x",
            Supersedes(2, Blake3Hex(H1)),
            body,
        )


@pytest.mark.parametrize(
    ("kind", "number", "expected"),
    [("source", 1, "SRC-0001"), ("claim", 42, "CLM-0042"), ("claim", 12345, "CLM-12345")],
    ids=["src-1", "clm-42", "five-digits"],
)
def test_record_ids(kind: Any, number: int, expected: str) -> None:
    assert format_record_id(kind, number) == expected
    assert record_number(expected) == number


@pytest.mark.parametrize(
    "bad",
    ["SRC-1", "src-0001", "DOC-0001", "CLM-00a1", "CLM-0001 "],
    ids=["three-short", "lower", "prefix", "letter", "space"],
)
def test_record_number_refuses(bad: str) -> None:
    with pytest.raises(SchemaError, match="not a record id"):
        record_number(bad)


def test_case_meta_and_ern() -> None:
    meta = CaseMeta.from_dict(
        {
            "id": "UKR-OKH-2024",
            "title": "T",
            "ern_prefix": "UKR-OKH",
            "submitter": {"organisation": "Example NGO"},
        }
    )
    assert meta.ern(1) == "UKR-OKH-0001"
    assert meta.ern(12345) == "UKR-OKH-12345"
    assert meta.submitter.organisation == "Example NGO"
    assert meta.template == "icc-otp"
    assert meta.classification == "public"


def test_web_annotation_form_of_a_quote() -> None:
    quote = Quote("hit", "was ", ".", 4, 7)
    target = quote.to_web_annotation("urn:evidence:SRC-0001")
    assert target == {
        "source": "urn:evidence:SRC-0001",
        "selector": [
            {"type": "TextQuoteSelector", "exact": "hit", "prefix": "was ", "suffix": "."},
            {"type": "TextPositionSelector", "start": 4, "end": 7},
        ],
    }
