"""What a dossier embeds: the case data of its seal, as case paths."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from evidence.case import Case
from evidence.errors import CaseError
from evidence.formats.dossier import is_case_path
from evidence.ingest.add import add_source
from evidence.integrity.seal import seal_case
from evidence.integrity.sign import SigningKey
from evidence.render.bundle import collect_bundle
from tests.unit.render.cases import build_case


def _actions(custody: bytes) -> list[str]:
    return [json.loads(line)["action"] for line in custody.splitlines()]


def test_bundle_holds_the_seal_its_records_and_their_objects(sealed_case: Path) -> None:
    case = Case.open(sealed_case)
    bundle = collect_bundle(case)
    names = set(bundle.files)
    assert all(is_case_path(name) for name in names)
    assert {"case.yaml", "custody.jsonl", "seals/0001.json"} <= names
    leaves = {f"records/{leaf.id}.{leaf.revision}.json" for leaf in bundle.seal.leaves}
    assert leaves <= names
    objects = {n for n in names if n.startswith("objects/")}
    assert len(objects) == 2  # the captured article and its normalised text
    for name in objects:
        assert bundle.files[name] == (sealed_case / name).read_bytes()
    assert not bundle.omitted
    assert not any(n.startswith("claims/") for n in names)


def test_custody_log_stops_at_the_seal(sealed_case: Path, tmp_path: Path) -> None:
    """Later events (the demo's renders, a new source) are not carried: the prefix still
    chains, and rendering twice gives the same bytes."""
    case = Case.open(sealed_case)
    article = tmp_path / "later.txt"
    article.write_text("A later article that is not sealed yet.\n", encoding="utf-8")
    add_source(case, article, overrides={"title": "Later"}, actor="tester")
    bundle = collect_bundle(case)
    log = (sealed_case / "custody.jsonl").read_bytes()
    assert log.startswith(bundle.files["custody.jsonl"])
    assert _actions(bundle.files["custody.jsonl"])[-1] == "sealed"
    assert {"rendered", "collected"} <= set(_actions(log[len(bundle.files["custody.jsonl"]) :]))
    assert not any("SRC-0002" in name for name in bundle.files)


def test_signature_and_the_whole_seal_chain_are_carried(sealed_case: Path) -> None:
    case = Case.open(sealed_case)
    claims = case.claims_dir / "SRC-0001.yaml"
    doc = yaml.safe_load(claims.read_text(encoding="utf-8"))
    doc["claims"].append({**copy.deepcopy(doc["claims"][0]), "key": "again"})
    claims.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = seal_case(case, actor="tester", key=SigningKey.generate())
    assert result.seal is not None
    assert result.seal.sequence == 2
    bundle = collect_bundle(case)
    assert {"seals/0001.json", "seals/0002.json", "seals/0002.json.sig"} <= set(bundle.files)
    assert bundle.seal_extras("sig") == ["seals/0002.json.sig"]
    assert _actions(bundle.files["custody.jsonl"])[-2:] == ["sealed", "signed"]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"embed_sources": False}, "--no-embed-sources"),
        ({"max_object_bytes": 100}, "larger than"),
        ({"max_embedded_bytes": 100}, "reached"),
    ],
    ids=["no-embed-sources", "object-limit", "total-limit"],
)
def test_captured_bytes_can_be_left_out_but_texts_stay(
    sealed_case: Path, kwargs: dict[str, object], reason: str
) -> None:
    case = Case.open(sealed_case)
    bundle = collect_bundle(case, **kwargs)  # type: ignore[arg-type]
    assert len(bundle.omitted) == 1
    omitted = bundle.omitted[0]
    assert reason in omitted.reason
    assert omitted.name not in bundle.files
    source = next(iter(bundle.sources.values())).body
    assert source.text is not None  # type: ignore[union-attr]
    text = source.text.blake3  # type: ignore[union-attr]
    assert f"objects/{text[:2]}/{text}" in bundle.files


def test_no_seal_no_bundle(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "c", case_id="T", title="T", ern_prefix="T", actor="tester")
    with pytest.raises(CaseError, match="no seal yet") as info:
        collect_bundle(case)
    assert "evidence seal" in info.value.diagnostics()


def test_a_case_without_claims_still_bundles(tmp_path: Path) -> None:
    from tests.unit.render.cases import Source

    case = build_case(tmp_path / "c", [Source("a.txt", "Only a source.\n", {"title": "A"}, [])])
    bundle = collect_bundle(case)
    assert [leaf.id for leaf in bundle.seal.leaves] == ["SRC-0001"]
