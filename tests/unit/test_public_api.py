"""The public face of the library: what a script may import, pinned.

Each package's ``__init__`` and each public top-level module lists its public names in
``__all__``. :data:`FACES` repeats them here, so that adding, renaming or removing a
public name is a change to this file too: deliberate, and seen in review. The README's
library example imports only from these faces, and is run here as a user would run it.
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import evidence

REPO = Path(__file__).parents[2]
SEED = REPO / "tests" / "data" / "censor-net-2024-07-08-umerov-air-defence.txt"

FACES: dict[str, tuple[str, ...]] = {
    "evidence": ("__version__",),
    "evidence.case": (
        "CASE_META_ACTION",
        "Case",
        "CaseState",
        "RECORD_ACTIONS",
        "default_actor",
        "load_case_meta",
        "record_details",
        "tool_name",
    ),
    "evidence.check": ("check_case",),
    "evidence.claims": (
        "ClaimSpec",
        "CompiledClaim",
        "check_case_claims",
        "check_claims_file",
        "compile_case_claims",
        "consistent",
        "find_quote",
        "interval",
        "iter_case_claims",
        "load_claim_specs",
    ),
    "evidence.cli": ("cli", "main", "run"),
    "evidence.demo": ("DemoResult", "build_demo", "default_demo_dir"),
    "evidence.errors": (
        "CanonicalError",
        "CaseError",
        "EvidenceError",
        "InputError",
        "LockError",
        "QuoteError",
        "SchemaError",
        "UsageError",
        "VerificationFailed",
        "YamlError",
    ),
    "evidence.export": (
        "BAGIT_VERSION",
        "ExportResult",
        "ImportResult",
        "PayloadFile",
        "PayloadSummary",
        "ZIP_EPOCH",
        "export_case",
        "import_package",
        "package_schemas",
        "write_payload",
        "write_tag_files",
        "write_zip",
    ),
    "evidence.formats": ("bagit", "dossier"),
    "evidence.ingest": (
        "AddResult",
        "AttachSpec",
        "CaptureResult",
        "add_source",
        "add_sources",
        "capture_url",
    ),
    "evidence.integrity": (
        "ClaimsInvalid",
        "DisclosureResult",
        "InclusionProof",
        "SealResult",
        "SigningKey",
        "StampResult",
        "build_proof",
        "check_proof",
        "disclose",
        "generate_key_files",
        "load_private_key",
        "load_proof",
        "load_trusted_keys",
        "seal_case",
        "stamp_seal",
    ),
    "evidence.language": (
        "LexiconError",
        "blank",
        "fold_text",
        "furniture_spans",
        "is_furniture",
        "is_headline",
        "is_prose",
        "transliterate",
    ),
    "evidence.model": (
        "Action",
        "Attachment",
        "AttributionLink",
        "CLAIM_CATEGORIES",
        "CLAIM_SCHEMA",
        "CLAIM_STATUSES",
        "Capture",
        "CaseMeta",
        "ClaimBody",
        "ClaimCategory",
        "ClaimStatus",
        "CoSpeaker",
        "CustodyEvent",
        "Envelope",
        "Fact",
        "HttpResponse",
        "ObjectRef",
        "Quote",
        "Record",
        "RecordId",
        "RecordKind",
        "Redirect",
        "SEAL_SCHEMA",
        "SOURCE_SCHEMA",
        "Seal",
        "SealLeaf",
        "SealLink",
        "Signer",
        "SourceBody",
        "SourceRef",
        "Subject",
        "Submitter",
        "Supersedes",
        "TREE_ALG",
        "TextRef",
        "WarcRef",
        "format_record_id",
        "record_number",
    ),
    "evidence.render": (
        "Bundle",
        "MAX_EMBEDDED_BYTES",
        "MAX_OBJECT_BYTES",
        "RenderResult",
        "Template",
        "build_pdf",
        "collect_bundle",
        "default_output",
        "load_template",
        "render_dossier",
        "template_names",
    ),
    "evidence.progress": ("Progress",),
    "evidence.report": ("Finding", "Report", "Status"),
    "evidence.serve": ("ServeConfig", "Server", "create_app", "new_token", "run"),
    "evidence.standalone": ("VERIFIER_NAME", "verifier_bytes"),
    "evidence.suggest": (
        "Ledger",
        "SuggestResult",
        "Suggestion",
        "build_ledger",
        "render_ledger",
        "suggest_claims",
        "suggest_text",
        "summary_lines",
        "write_suggestions",
    ),
    "evidence.verify": (
        "Progress",
        "VerifyOptions",
        "log_verification",
        "require_valid",
        "verify_case",
        "verify_path",
    ),
}


def _packages() -> list[str]:
    names = ["evidence"]
    for info in pkgutil.walk_packages(evidence.__path__, prefix="evidence."):
        if info.ispkg and info.name not in ("evidence.schemas", "evidence.templates"):
            names.append(info.name)
    return sorted(names)


def test_every_package_has_a_face() -> None:
    """A package without a pinned ``__all__`` has no line between public and internal."""
    faceless = [name for name in _packages() if name not in FACES and name != "evidence.examples"]
    assert faceless == []


@pytest.mark.parametrize("name", sorted(FACES))
def test_the_public_names_are_pinned(name: str) -> None:
    module = importlib.import_module(name)
    assert tuple(sorted(module.__all__)) == FACES[name]


@pytest.mark.parametrize("name", sorted(FACES))
def test_every_public_name_is_there_and_public(name: str) -> None:
    module = importlib.import_module(name)
    for attribute in FACES[name]:
        assert attribute == "__version__" or not attribute.startswith("_"), attribute
        assert getattr(module, attribute) is not None, attribute


def test_a_lazy_face_says_what_it_does_not_have() -> None:
    import evidence.integrity

    with pytest.raises(AttributeError, match="no attribute 'seal_cases'"):
        _ = evidence.integrity.seal_cases
    assert "seal_case" in dir(evidence.integrity)


def readme_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## The same through the library", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's library example"
    return match.group(1)


def test_the_readme_example_imports_only_from_the_faces() -> None:
    tree = ast.parse(readme_example())
    imported = [
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]
    assert imported
    strays = [
        (module, name)
        for module, name in imported
        if module.startswith("evidence") and name not in FACES.get(module, ())
    ]
    assert strays == []
    assert not any(isinstance(node, ast.Import) for node in ast.walk(tree))


def test_the_readme_example_runs(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "article.txt")
    env = {**os.environ, "EVIDENCE_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", readme_example()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "SRC-0001 UKR-OKH-0001"
    assert re.fullmatch(r"[1-9][0-9]* claims suggested", lines[1]), lines[1]
    assert re.fullmatch(r"[0-9a-f]{64}", lines[2]), lines[2]
    assert re.fullmatch(r"(.*/)?okh/out/\S+\.pdf [1-9][0-9]* pages", lines[-1]), lines[-1]
    assert (tmp_path / "okh" / "seals" / "0001.json").is_file()
