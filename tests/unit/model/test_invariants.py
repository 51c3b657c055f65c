"""Properties of the model: frozen and hashable all the way down, exact round trips, and
every bad field refused with the project's error naming the field (its JSON pointer)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.canonical import canonical_bytes
from evidence.digest import Blake3Hex, Sha256Hex
from evidence.errors import SchemaError
from evidence.model import (
    CLAIM_SCHEMA,
    SOURCE_SCHEMA,
    Attachment,
    AttributionLink,
    Capture,
    CaseMeta,
    ClaimBody,
    CoSpeaker,
    CustodyEvent,
    Fact,
    HttpResponse,
    ObjectRef,
    Quote,
    Record,
    RecordId,
    Redirect,
    Seal,
    SealLeaf,
    SealLink,
    Signer,
    SourceBody,
    SourceRef,
    Subject,
    Submitter,
    Supersedes,
    TextRef,
    WarcRef,
    format_record_id,
)
from evidence.schema import SchemaName, is_valid

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- strategies: values the JSON Schemas accept ------------------------------------------------

hex64 = st.text("0123456789abcdef", min_size=64, max_size=64)
blake3s = hex64.map(Blake3Hex)
sha256s = hex64.map(Sha256Hex)
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
names = words.filter(lambda s: s.strip() != "")
dates = st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10)
stamps = (
    st.datetimes(timezones=st.none())
    .map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    .filter(lambda s: len(s) == 27)
)
revisions = st.integers(1, 50)


def record_ids(kind: str) -> st.SearchStrategy[RecordId]:
    return st.integers(1, 99999).map(lambda n: format_record_id(kind, n))  # type: ignore[arg-type]


object_refs = st.builds(ObjectRef, blake3s, sha256s, st.integers(0, 2**40), st.none() | names)
text_refs = st.builds(TextRef, blake3s, sha256s, st.integers(0, 2**31))
captures = st.builds(
    Capture,
    st.sampled_from(["manual-file", "capture-command", "imported-archive"]),
    names,
    names,
    st.lists(words, max_size=2).map(tuple),
    clock=st.none() | names,
    user_agent=st.none() | names,
    final_url=st.none() | names,
    http=st.none()
    | st.builds(
        HttpResponse,
        st.integers(100, 599),
        words,
        st.lists(st.tuples(names, words), max_size=3).map(tuple),
    ),
    redirects=st.lists(st.builds(Redirect, names, st.integers(300, 399), names), max_size=2).map(
        tuple
    ),
    warc=st.none()
    | st.builds(WarcRef, names, names, names, names, st.integers(0, 2**40), st.none() | names),
)
source_bodies = st.builds(
    SourceBody,
    title=names,
    publisher=st.none() | words,
    url=st.none() | words,
    authors=st.lists(words, max_size=3).map(tuple),
    published=st.none() | dates,
    captured_at=stamps,
    language=st.sampled_from(["en", "uk", "ru-UA", "und"]),
    media_type=st.sampled_from(["text/plain", "text/html", "application/pdf"]),
    object=object_refs,
    text=st.none() | text_refs,
    capture=captures,
    attachments=st.lists(
        st.builds(
            Attachment,
            st.sampled_from(["screenshot", "page-pdf"]),
            st.just("image/png"),
            object_refs,
        ),
        max_size=2,
    ).map(tuple),
    canonical_url=st.none() | names,
)


@st.composite
def quotes(draw: st.DrawFn) -> Quote:
    exact = draw(names)
    start = draw(st.integers(0, 10**6))
    return Quote(exact, draw(words), draw(words), start, start + len(exact))


@st.composite
def facts(draw: st.DrawFn) -> Fact:
    qualifier = draw(
        st.sampled_from(["exact", "approx", "at-least", "more-than", "at-most", "range"])
    )
    value = draw(st.integers(0, 10**6))
    top = draw(st.integers(value, 10**6)) if qualifier == "range" else None
    as_of = draw(st.none() | dates.map(lambda d: f"{d}T14:27"))
    return Fact(value, qualifier, top, draw(st.none() | names), draw(st.none() | names), as_of)


links = st.builds(
    AttributionLink,
    names,
    st.none() | names,
    st.none() | names,
    st.lists(st.builds(CoSpeaker, names, st.none() | names), max_size=2).map(tuple),
)
claim_bodies = st.builds(
    ClaimBody,
    key=st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z"),
    statement=names,
    source=st.builds(SourceRef, record_ids("source"), revisions, blake3s),
    quote=st.none() | quotes(),
    attribution=st.lists(links, max_size=3).map(tuple),
    category=st.sampled_from(["attack", "casualties", "damage", "other"]),
    facts=st.dictionaries(st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z"), facts(), max_size=3),
    date=st.none() | dates,
    places=st.lists(names, max_size=2).map(tuple),
    status=st.sampled_from(["reported", "corroborated", "contested", "verified", "withdrawn"]),
    note=st.none() | words,
)


@st.composite
def records(draw: st.DrawFn) -> Record:
    kind = draw(st.sampled_from(["source", "claim"]))
    revision = draw(revisions)
    supersedes = None if revision == 1 else Supersedes(revision - 1, draw(blake3s))
    body: SourceBody | ClaimBody = draw(source_bodies) if kind == "source" else draw(claim_bodies)
    return Record(
        SOURCE_SCHEMA if kind == "source" else CLAIM_SCHEMA,
        draw(record_ids(kind)),
        revision,
        kind,  # type: ignore[arg-type]
        draw(stamps),
        draw(names),
        supersedes,
        body,
    )


@st.composite
def seals(draw: st.DrawFn) -> Seal:
    leaves = draw(
        st.lists(
            st.builds(
                SealLeaf,
                st.sampled_from(["source", "claim"]).flatmap(record_ids),
                revisions,
                blake3s,
                sha256s,
            ),
            max_size=4,
        ).map(tuple)
    )
    sequence = draw(st.integers(1, 9999))
    previous = None if sequence == 1 else SealLink(sequence - 1, draw(sha256s), draw(sha256s))
    return Seal(
        case_id=draw(names),
        sequence=sequence,
        sealed_at=draw(stamps),
        size=len(leaves),
        root=draw(sha256s),
        leaves=leaves,
        custody_seq=draw(st.integers(1, 10**6)),
        custody_sha256=draw(sha256s),
        previous=previous,
        signer=draw(st.none() | st.builds(Signer, st.just("ed25519"), sha256s, st.none() | hex64)),
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | words,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=8,
)
custody_events = st.builds(
    CustodyEvent,
    st.integers(1, 10**6),
    stamps,
    names,
    st.sampled_from(["created", "collected", "sealed", "signed", "exported"]),
    st.none() | st.builds(Subject, record_ids("source"), revisions, blake3s),
    st.dictionaries(words, json_values, max_size=4),
    st.none() | sha256s,
)
case_metas = st.builds(
    CaseMeta,
    id=names,
    title=names,
    ern_prefix=names,
    situation=st.none() | names,
    submitter=st.builds(Submitter, organisation=st.none() | names, email=st.none() | names),
    requests=st.lists(names, max_size=2).map(tuple),
)

KINDS: dict[str, tuple[st.SearchStrategy[Any], Callable[[Mapping[str, Any]], Any]]] = {
    "record": (records(), Record.from_dict),
    "seal": (seals(), Seal.from_dict),
    "custody-event": (custody_events, CustodyEvent.from_dict),
    "case": (case_metas, CaseMeta.from_dict),
}


def _to_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, CaseMeta):  # case.yaml is written by people: no to_dict
        out = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        out["submitter"] = {
            f.name: getattr(value.submitter, f.name)
            for f in dataclasses.fields(Submitter)
            if getattr(value.submitter, f.name) is not None
        }
        out["requests"] = list(value.requests)
        return {k: v for k, v in out.items() if v is not None}
    result: dict[str, Any] = value.to_dict()
    return result


# -- round trips, hashing -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY
@given(data=st.data())
def test_round_trip_and_hash(kind: str, data: st.DataObject) -> None:
    strategy, from_dict = KINDS[kind]
    value = data.draw(strategy)
    doc = _to_dict(value)
    before = copy.deepcopy(doc)
    again = from_dict(doc)
    assert again == value
    assert hash(again) == hash(value)
    assert len({value, again}) == 1
    assert doc == before  # parsing never mutates the caller's dict
    if kind != "case":
        assert canonical_bytes(again.to_dict()) == canonical_bytes(doc)


@PROPERTY
@given(records())
def test_generated_records_are_what_the_schema_accepts(record: Record) -> None:
    # The strategies above describe valid documents; the schema agrees, so the properties
    # below test the model against documents the first gate lets through.
    assert is_valid(record.kind, record.to_dict())


@PROPERTY
@given(seals())
def test_generated_seals_are_what_the_schema_accepts(seal: Seal) -> None:
    assert is_valid("seal", seal.to_dict())


def test_a_later_seal_is_hashable() -> None:
    """The bug this file began with: ``previous`` and ``signer`` were dicts."""
    leaf = SealLeaf(RecordId("SRC-0001"), 1, Blake3Hex("1" * 64), Sha256Hex("2" * 64))
    seal = Seal(
        "C",
        2,
        "2026-11-29T10:12:03.123456Z",
        1,
        Sha256Hex("3" * 64),
        (leaf,),
        5,
        Sha256Hex("4" * 64),
        SealLink(1, Sha256Hex("5" * 64), Sha256Hex("6" * 64)),
        signer=Signer("ed25519", Sha256Hex("7" * 64), "8" * 64),
    )
    assert {seal: 1}[Seal.from_dict(seal.to_dict())] == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        seal.previous.sequence = 3  # type: ignore[misc, union-attr]


def test_mappings_inside_models_are_read_only() -> None:
    body = ClaimBody.from_dict(
        {
            "key": "k",
            "statement": "s",
            "source": {"id": "SRC-0001", "revision": 1, "blake3": "1" * 64},
            "quote": None,
            "attribution": [],
            "category": "other",
            "facts": {"killed": {"value": 3, "qualifier": "exact"}},
            "date": None,
            "places": [],
            "status": "reported",
            "note": None,
        }
    )
    with pytest.raises(TypeError):
        body.facts["killed"] = Fact(4, "exact")  # type: ignore[index]
    event = CustodyEvent(1, "t", "a", "created", None, {"list": [1, {"x": 2}]}, None)
    assert event.to_dict()["details"] == {"list": [1, {"x": 2}]}
    assert hash(event)
    with pytest.raises(TypeError):
        event.details["list"] = []  # type: ignore[index]


# -- every bad field is refused with the project's error, naming the field ---------------------


def _paths(doc: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every member and item of a JSON document."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _pointer(path: tuple[str | int, ...]) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in path)


def _parent(doc: Any, path: tuple[str | int, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


# Fields the schema requires of an attribution link in a record but the model reads as
# optional, because the same class also reads an analyst's claims file, where they may be
# left out. (An attachment's `role` is required everywhere.)
_LENIENT = {"role", "channel"}


def _lenient(path: tuple[str | int, ...]) -> bool:
    return path[-1] in _LENIENT and "attribution" in path


_DIGESTS = {"blake3", "sha256", "root", "fingerprint", "public_key", "prev"}


@pytest.mark.parametrize("kind", ["record", "seal", "custody-event"])
@PROPERTY
@given(data=st.data())
def test_a_missing_field_is_named(kind: str, data: st.DataObject) -> None:
    strategy, from_dict = KINDS[kind]
    doc = _to_dict(data.draw(strategy))
    schema = cast(SchemaName, doc["kind"] if kind == "record" else kind)
    members = [p for p in _paths(doc) if isinstance(p[-1], str)]
    path = data.draw(st.sampled_from(members))
    del _parent(doc, path)[path[-1]]
    if is_valid(schema, doc) or _lenient(path):
        # The model asks for no field the schema lets go (it may still refuse a value it
        # checks itself, such as a range without its maximum).
        problem: SchemaError | None = None
        try:
            from_dict(doc)
        except SchemaError as exc:
            problem = exc
        assert problem is None or not problem.message.startswith("missing field"), problem
    else:
        with pytest.raises(SchemaError) as caught:
            from_dict(doc)
        assert caught.value.pointer == _pointer(path)
        assert caught.value.message == f"missing field {path[-1]!r}"


@pytest.mark.parametrize("kind", ["record", "seal", "custody-event"])
@PROPERTY
@given(
    data=st.data(),
    bad=st.sampled_from(["A" * 64, "a" * 63, "a" * 65, "g" * 64, "", 7, None, ["a" * 64]]),
)
def test_a_bad_digest_is_refused_naming_the_field(
    kind: str, data: st.DataObject, bad: object
) -> None:
    strategy, from_dict = KINDS[kind]
    doc = _to_dict(data.draw(strategy))
    digests = [
        p
        for p in _paths(doc)
        if p[-1] in _DIGESTS
        and isinstance(_parent(doc, p)[p[-1]], str)
        and "details" not in p  # a custody event's details are free-form
    ]
    if not digests:
        return
    path = data.draw(st.sampled_from(digests))
    if bad is None and path[-1] in ("public_key", "prev"):
        bad = "0"  # null is what these say when there is none
    _parent(doc, path)[path[-1]] = bad
    with pytest.raises(SchemaError) as caught:
        from_dict(doc)
    assert caught.value.pointer == _pointer(path)
    assert "64 lower-case hex digits" in caught.value.message


@pytest.mark.parametrize(
    "build",
    [
        lambda: ObjectRef(Blake3Hex("x" * 64), Sha256Hex("1" * 64), 1, None),
        lambda: TextRef(Blake3Hex("1" * 64), Sha256Hex("1" * 63), 1),
        lambda: SealLeaf(RecordId("SRC-1"), 1, Blake3Hex("1" * 64), Sha256Hex("1" * 64)),
        lambda: SealLeaf(RecordId("SRC-0001"), 0, Blake3Hex("1" * 64), Sha256Hex("1" * 64)),
        lambda: SourceRef(RecordId("CLM-0001"), 1, Blake3Hex("1" * 64)),
        lambda: Supersedes(1, Blake3Hex("a" * 64).upper()),  # type: ignore[arg-type]
        lambda: Subject(RecordId("SRC-0001"), True, Blake3Hex("1" * 64)),
        lambda: SealLink(0, Sha256Hex("1" * 64), Sha256Hex("1" * 64)),
        lambda: Signer("ed25519", Sha256Hex("1" * 64), "not a key"),
        lambda: CustodyEvent(1, "t", "a", "edited", None, {}, None),  # type: ignore[arg-type]
    ],
    ids=[
        "object-blake3",
        "text-sha256-short",
        "leaf-id",
        "leaf-revision-0",
        "source-ref-to-a-claim",
        "supersedes-upper-case",
        "subject-revision-bool",
        "link-sequence-0",
        "signer-public-key",
        "custody-action",
    ],
)
def test_constructors_refuse_bad_values(build: Callable[[], object]) -> None:
    with pytest.raises(SchemaError) as caught:
        build()
    assert caught.value.pointer  # names the field


@pytest.mark.parametrize(
    ("doc", "pointer"),
    [
        ([], None),
        ({"kind": "claim", "body": []}, "/body"),
        ({"kind": "letter"}, "/kind"),
    ],
    ids=["not-an-object", "body-not-an-object", "unknown-kind"],
)
def test_from_dict_refuses_the_wrong_shape(doc: Any, pointer: str | None) -> None:
    with pytest.raises(SchemaError) as caught:
        Record.from_dict(doc)
    assert caught.value.pointer == pointer


def test_an_unknown_submitter_field_is_named() -> None:
    with pytest.raises(SchemaError) as caught:
        CaseMeta.from_dict({"id": "C", "title": "T", "ern_prefix": "E", "submitter": {"x": 1}})
    assert caught.value.pointer == "/submitter/x"


@pytest.mark.parametrize("kind", ["record", "seal", "custody-event"])
@PROPERTY
@given(data=st.data())
def test_a_value_of_the_wrong_type_is_refused_naming_the_field(
    kind: str, data: st.DataObject
) -> None:
    strategy, from_dict = KINDS[kind]
    doc = _to_dict(data.draw(strategy))
    scalars = [
        p
        for p in _paths(doc)
        if not isinstance(_parent(doc, p)[p[-1]], dict | list) and "details" not in p
    ]
    path = data.draw(st.sampled_from(scalars))
    _parent(doc, path)[path[-1]] = [["not", "this"]]
    with pytest.raises(SchemaError) as caught:
        from_dict(doc)
    # The field itself, or the list of pairs it is in (an HTTP header's name or value).
    assert caught.value.pointer
    assert _pointer(path).startswith(caught.value.pointer)
