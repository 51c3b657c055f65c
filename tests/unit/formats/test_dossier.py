"""The dossier's attachment format (``evidence.formats.dossier``): names, checksum lists,
the manifest, and the case folder they extract to. Both the renderer and the verifier
take it from here."""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.digest import digest_bytes
from evidence.errors import InputError
from evidence.formats import dossier as fmt
from evidence.formats.dossier import (
    MANIFEST_NAME,
    SUMS,
    Omitted,
    PresentedSeal,
    PrintedPages,
    checksum_list,
    is_case_path,
    manifest_bytes,
    materialise,
    printed_pages,
)

OBJECT = "objects/ab/ab" + "0" * 62
FILES = {
    "case.yaml": b"id: T\n",
    "custody.jsonl": b"{}\n",
    "seals/0001.json": b'{"sequence": 1}',
    "records/CLM-0001.1.json": b"{}",
    OBJECT: b"text\n",
}


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("case.yaml", True),
        ("custody.jsonl", True),
        ("seals/0001.json", True),
        ("seals/0001.json.sig", True),
        ("seals/0001.json.2.tsr", True),
        ("seals/0001.json.2.chain.pem", True),
        ("seals/0001.json.2.root.pem", True),
        ("records/SRC-0001.1.json", True),
        ("records/CLM-0012.3.json", True),
        (OBJECT, True),
        ("objects/ab/cd" + "0" * 62, False),
        ("records/CLM-0001.0.json", False),
        ("claims/a.yaml", False),
        (MANIFEST_NAME, False),
        ("SHA256SUMS", False),
        ("../case.yaml", False),
        ("/etc/passwd", False),
        ("seals/0001.json\n", False),  # a regex's $ alone would accept it
        ("records/CLM-0001.1.json\n", False),
    ],
    ids=lambda v: str(v)[:24],
)
def test_case_paths(name: str, ok: bool) -> None:
    assert is_case_path(name) is ok


def test_checksum_lists_are_what_the_stock_tools_read() -> None:
    listed = checksum_list(FILES, "sha256").decode("ascii").splitlines()
    assert listed == [
        f"{hashlib.sha256(FILES[name]).hexdigest()}  {name}" for name in sorted(FILES)
    ]
    blake = checksum_list(FILES, "blake3").decode("ascii").splitlines()
    assert [line.split("  ")[0] for line in blake] == [
        digest_bytes(FILES[name]).blake3 for name in sorted(FILES)
    ]
    assert set(SUMS.values()) == {"sha256", "blake3"}


def _manifest(pages: PrintedPages) -> dict[str, object]:
    data = manifest_bytes(
        case_id="T",
        template="icc-otp",
        tool="evidence 1",
        renderer={"tool": "evidence 1", "reportlab": "5", "fonts": "f"},
        seal=PresentedSeal(sequence=1, file="seals/0001.json", root="0" * 64, sha256="1" * 64),
        files=FILES,
        omitted=[Omitted("objects/cd/cd" + "1" * 62, "2" * 64, "cd" + "1" * 62, 9, "too large")],
        pages=pages,
        total_pages=7,
    )
    assert data.endswith(b"}\n")
    doc = json.loads(data)
    assert isinstance(doc, dict)
    return doc


def test_the_manifest_lists_every_file_with_its_digests() -> None:
    doc = _manifest(PrintedPages(cover=(1, 1), register=(3, 4), integrity=(5, 7)))
    assert doc["schema"] == fmt.DOSSIER_SCHEMA
    files = doc["files"]
    assert isinstance(files, list)
    assert [f["name"] for f in files] == sorted(FILES)
    for entry in files:
        pair = digest_bytes(FILES[entry["name"]])
        assert (entry["sha256"], entry["blake3"], entry["size"]) == (
            pair.sha256,
            pair.blake3,
            pair.size,
        )
    assert doc["omitted"] == [
        {
            "name": "objects/cd/cd" + "1" * 62,
            "sha256": "2" * 64,
            "blake3": "cd" + "1" * 62,
            "size": 9,
            "reason": "too large",
        }
    ]
    assert doc["seal"] == {
        "sequence": 1,
        "file": "seals/0001.json",
        "root": "0" * 64,
        "sha256": "1" * 64,
    }


spans = st.one_of(
    st.none(),
    st.tuples(st.integers(1, 500), st.integers(0, 500)).map(lambda t: (t[0], t[0] + t[1])),
)


@given(cover=spans, register=spans, integrity=spans)
def test_page_spans_round_trip(
    cover: tuple[int, int] | None,
    register: tuple[int, int] | None,
    integrity: tuple[int, int] | None,
) -> None:
    pages = PrintedPages(cover, register, integrity)
    assert printed_pages(_manifest(pages)) == pages


@pytest.mark.parametrize(
    "value",
    [[0, 1], [2, 1], [1], [1, 2, 3], ["1", "2"], "1-2", None, [1.0, 2.0]],
    ids=["page-0", "reversed", "one", "three", "strings", "text", "null", "floats"],
)
def test_a_span_that_is_not_two_ordered_pages_is_none(value: object) -> None:
    assert printed_pages({"pages": {"cover": value}}).cover is None
    assert printed_pages({"pages": "x"}) == PrintedPages(None, None, None)


def test_materialise_writes_a_case_folder(tmp_path: Path) -> None:
    outside = tmp_path / "kept.bin"
    outside.write_bytes(b"big")
    linked = "objects/cd/cd" + "1" * 62
    materialise(FILES, tmp_path / "case", {linked: outside})
    for name, data in FILES.items():
        assert (tmp_path / "case" / name).read_bytes() == data
    assert (tmp_path / "case" / linked).is_symlink()
    assert {p.name for p in (tmp_path / "case").iterdir()} >= {"claims", "records", "seals"}


@pytest.mark.parametrize("name", ["../x", "records/../../x.json", "/tmp/x", "notes.txt"])
def test_materialise_refuses_a_name_outside_a_case(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="not a path of a case folder"):
        materialise({**FILES, name: b"x"}, tmp_path / "case")
    assert not (tmp_path / "case").exists()  # nothing written before the names are checked


def test_the_format_module_imports_only_the_core() -> None:
    """A neutral home: nothing of the writers or the verifier (docs/decisions/0316)."""
    allowed = {"evidence.errors", "evidence.digest", "evidence._fs", "evidence.canonical"}
    for path in Path(fmt.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("evidence") and not name.startswith("evidence.formats"):
                    assert name in allowed, f"{path.name} imports {name}"
