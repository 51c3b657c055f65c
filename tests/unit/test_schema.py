"""JSON Schemas (draft 2020-12): shipped with ids, cross-referenced, errors a person can act on."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence._resources import resource
from evidence._yaml import load_yaml
from evidence.errors import SchemaError
from evidence.schema import is_valid, issues, schema_document, validate
from evidence.store import record_slice

SCHEMA_FILES = sorted(
    p.name for p in resource("schemas").iterdir() if p.name.endswith(".schema.json")
)
CORE_NAMES = ["case", "claim", "claims-file", "custody-event", "defs", "record", "seal", "source"]


@pytest.fixture(scope="session")
def demo_template(request: pytest.FixtureRequest) -> Path:
    """The sealed example built once per session (conftest's ``_demo_template``): read only."""
    return Path(request.getfixturevalue("_demo_template"))


def test_core_schemas_ship_in_the_package() -> None:
    names = {n.removesuffix(".schema.json") for n in SCHEMA_FILES}
    assert set(CORE_NAMES) <= names


@pytest.mark.parametrize("filename", SCHEMA_FILES)
def test_each_schema_is_draft_2020_12_with_an_id(filename: str) -> None:
    doc = json.loads(resource("schemas", filename).read_bytes())
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"].startswith("urn:evidence:schema:")
    jsonschema.Draft202012Validator.check_schema(doc)
    assert schema_document(filename.removesuffix(".schema.json")) == doc


def test_ids_are_unique() -> None:
    ids = [json.loads(resource("schemas", f).read_bytes())["$id"] for f in SCHEMA_FILES]
    assert len(ids) == len(set(ids))


def test_unknown_schema_name_is_an_evidence_error() -> None:
    with pytest.raises(SchemaError, match="no schema named"):
        schema_document("no-such-thing")


# -- real documents of the sealed example, and the two engines agreeing on them ------------


def _record_docs(case_dir: Path) -> list[dict[str, Any]]:
    docs = []
    for path in sorted((case_dir / "records").glob("*.json")):
        data = path.read_bytes()
        slice_ = record_slice(data)
        assert slice_ is not None
        envelope = json.loads(data)
        assert json.loads(slice_) == envelope["record"]
        docs.append(envelope)
    return docs


def test_real_documents_are_valid(demo_template: Path) -> None:
    for envelope in _record_docs(demo_template):
        assert is_valid("record", envelope), envelope["record"]["id"]
        kind = envelope["record"]["kind"]
        assert is_valid(kind, envelope["record"])
        assert issues("record", envelope) == []
    seal = json.loads((demo_template / "seals" / "0001.json").read_bytes())
    assert is_valid("seal", seal)
    for line in (demo_template / "custody.jsonl").read_bytes().splitlines():
        assert is_valid("custody-event", json.loads(line))
    claims = load_yaml((demo_template / "claims" / "SRC-0001.yaml").read_bytes(), path="c")
    assert is_valid("claims-file", claims.data)


_JUNK = st.sampled_from(
    [None, True, 0, -1, 1.5, "", "x", "SRC-0001", "a" * 64, [], {}, [1], {"a": 1}]
)


@st.composite
def _mutations(draw: st.DrawFn, doc: Any) -> Any:
    """``doc`` with one random change: a member removed, replaced or added."""
    doc = copy.deepcopy(doc)
    node = doc
    while True:
        children = (
            list(node.items())
            if isinstance(node, dict)
            else list(enumerate(node))
            if isinstance(node, list)
            else []
        )
        containers = [(k, v) for k, v in children if isinstance(v, (dict, list)) and v]
        if not containers or draw(st.integers(0, 3)) == 0:
            break
        key, node = draw(st.sampled_from(containers))
    action = draw(st.sampled_from(["remove", "replace", "add"]))
    if isinstance(node, dict) and node:
        key = draw(st.sampled_from(sorted(node)))
        if action == "remove":
            del node[key]
        elif action == "replace":
            node[key] = draw(_JUNK)
        else:
            node[draw(st.sampled_from(["extra", "x-note", "Key"]))] = draw(_JUNK)
    elif isinstance(node, list) and node:
        index = draw(st.integers(0, len(node) - 1))
        if action == "remove":
            del node[index]
        else:
            node[index] = draw(_JUNK)
    return doc


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_both_engines_agree_on_mutated_documents(demo_template: Path, data: st.DataObject) -> None:
    docs = _record_docs(demo_template)
    envelope = data.draw(st.sampled_from(docs))
    mutated = data.draw(_mutations(envelope))
    found = issues("record", mutated)
    assert is_valid("record", mutated) == (not found), found


# -- what a person reads when a file they wrote is wrong ------------------------------------

CASE_OK = b"id: UKR-OKH-2024\ntitle: A case\nern_prefix: UKR-OKH\n"

CASE_BAD = [
    (b"title: A case\nern_prefix: UKR-OKH\n", "/id", 1, "missing required field 'id'"),
    (CASE_OK + b"ern_prefix2: X\n", "/ern_prefix2", 4, "unknown field 'ern_prefix2'"),
    (
        b"id: UKR-OKH-2024\ntitle: A case\nern_prefix: ukr okh\n",
        "/ern_prefix",
        3,
        "expected upper-case letters and digits",
    ),
    (CASE_OK + b"template: court\n", "/template", 4, "expected one of: icc-otp"),
    (CASE_OK + b"classification: secret\n", "/classification", 4, "expected one of: public"),
    (CASE_OK + b"requests: do something\n", "/requests", 4, "expected array"),
    (
        CASE_OK + b"submitter:\n  name: A\n  phone: 12345\n",
        "/submitter/phone",
        6,
        "expected string, found a number 12345",
    ),
    (CASE_OK + b"language: English (UK)\n", "/language", 4, "BCP 47"),
    (b"id: ''\ntitle: A case\nern_prefix: UKR\n", "/id", 1, "expected the case id"),
]


@pytest.mark.parametrize(
    ("text", "pointer", "line", "message"),
    CASE_BAD,
    ids=[
        "missing-id",
        "unknown-field",
        "bad-prefix",
        "bad-template",
        "bad-classification",
        "wrong-type",
        "nested-type",
        "bad-language",
        "empty-id",
    ],
)
def test_case_yaml_errors_name_file_line_pointer_and_expectation(
    text: bytes, pointer: str, line: int, message: str
) -> None:
    doc = load_yaml(text, path="case.yaml")
    with pytest.raises(SchemaError) as info:
        validate("case", doc.data, path="case.yaml", doc=doc)
    error = info.value
    assert (error.path, error.line, error.pointer) == ("case.yaml", line, pointer)
    assert message in error.message
    assert str(error).startswith(f"case.yaml:{line}: {pointer}: ")


def test_valid_case_yaml_passes() -> None:
    doc = load_yaml(CASE_OK, path="case.yaml")
    validate("case", doc.data, path="case.yaml", doc=doc)


def test_validate_counts_the_other_problems() -> None:
    doc = load_yaml(b"title: 5\nern_prefix: x\ncolour: red\n", path="case.yaml")
    with pytest.raises(SchemaError, match=r"\(and 3 more problems\)"):
        validate("case", doc.data, path="case.yaml", doc=doc)


def test_issues_are_not_repeated() -> None:
    """One problem, one issue: a document missing eight fields is not eight problems of
    eight fields each."""
    found = issues("seal", {})
    assert len(found) == len(set(found)), found


def test_issues_without_a_yaml_document_have_no_line() -> None:
    found = issues("custody-event", {"seq": 0})
    assert found
    assert all(issue.line is None for issue in found)
    assert any(issue.pointer == "/seq" and "at least 1" in issue.message for issue in found)


def test_validation_never_mutates_the_document() -> None:
    doc = {"seq": "1", "extra": [1, 2]}
    before = copy.deepcopy(doc)
    with pytest.raises(SchemaError):
        validate("custody-event", doc, path="custody.jsonl")
    assert doc == before
