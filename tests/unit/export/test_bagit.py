"""The RFC 8493 writer: payload, manifests, tag files, names that may not go in."""

from __future__ import annotations

import hashlib
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.errors import InputError
from evidence.export.bagit import PayloadFile, write_payload, write_tag_files
from evidence.formats.bagit import (
    bag_size,
    decode_manifest_path,
    encode_manifest_path,
    name_collisions,
    parse_tags,
    unsafe_name,
)

Validate = Callable[[Path], subprocess.CompletedProcess[str]]

NOTE = "Field note written by the team: the shelter on Lesi Ukrainky street was open.\n"


def _small_bag(root: Path, tmp_path: Path) -> tuple[Path, list[PayloadFile]]:
    big = tmp_path / "exhibit.bin"
    big.write_bytes(bytes(range(256)) * 40_000)  # 10 MB: the threaded path
    files = [
        PayloadFile("notes/field-note.txt", NOTE.encode()),
        PayloadFile("objects/ab/exhibit.bin", big),
        PayloadFile("café/Überblick.txt", "Überblick\n".encode()),
    ]
    summary = write_payload(root, files)
    write_tag_files(root, [("External-Identifier", "T-1"), ("Payload-Oxum", summary.oxum)])
    return root, files


def test_manifests_give_both_digests_of_every_file(tmp_path: Path) -> None:
    root, files = _small_bag(tmp_path / "bag", tmp_path)
    for algorithm in ("sha256", "sha512"):
        lines = (root / f"manifest-{algorithm}.txt").read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(files)
        for line in lines:
            digest, path = line.split("  ", 1)
            assert hashlib.new(algorithm, (root / path).read_bytes()).hexdigest() == digest
        assert lines == sorted(lines, key=lambda line: line.split("  ", 1)[1])


def test_tag_files_are_rfc_8493(tmp_path: Path) -> None:
    root, _ = _small_bag(tmp_path / "bag", tmp_path)
    assert (root / "bagit.txt").read_bytes() == (
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    )
    listed = (root / "tagmanifest-sha256.txt").read_text(encoding="utf-8").splitlines()
    assert [line.split("  ")[1] for line in listed] == [
        "bag-info.txt",
        "bagit.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
    ]
    oxum = (root / "bag-info.txt").read_text(encoding="utf-8").splitlines()[1]
    size = sum(p.stat().st_size for p in (root / "data").rglob("*") if p.is_file())
    assert oxum == f"Payload-Oxum: {size}.3"


def test_the_reference_validator_accepts_the_bag(tmp_path: Path, bagit_validate: Validate) -> None:
    root, _ = _small_bag(tmp_path / "bag", tmp_path)
    result = bagit_validate(root)
    assert result.returncode == 0, result.stderr


def test_bag_info_values_stay_on_one_line(tmp_path: Path) -> None:
    write_payload(tmp_path / "bag", [PayloadFile("a.txt", b"a")])
    write_tag_files(tmp_path / "bag", [("External-Description", "two\nlines\tand  tabs")])
    tags, problems = parse_tags((tmp_path / "bag" / "bag-info.txt").read_bytes())
    assert (tags, problems) == ([("External-Description", "two lines and tabs")], [])


def test_a_bad_label_is_refused(tmp_path: Path) -> None:
    write_payload(tmp_path / "bag", [PayloadFile("a.txt", b"a")])
    with pytest.raises(InputError, match="letters, digits"):
        write_tag_files(tmp_path / "bag", [("Bad Label:", "x")])


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../escape.txt", "'..'"),
        ("claims/../../escape.txt", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("claims\\evil.yaml", "backslash"),
        ("claims//double.yaml", "empty or '.'"),
        ("claims/./here.yaml", "empty or '.'"),
        ("claims/line\nbreak.yaml", "control character"),
        ("claims/bell\x07.yaml", "control character"),
        ("claims/" + "x" * 256, "longer than 255"),
        ("claims/\udcff.yaml", "not valid UTF-8"),
        ("claims/50%.yaml", "'%'"),
    ],
    ids=[
        "dotdot",
        "dotdot-deep",
        "absolute",
        "drive-letter",
        "backslash",
        "empty-part",
        "dot-part",
        "newline",
        "control",
        "too-long",
        "not-utf8",
        "percent",
    ],
)
def test_names_that_cannot_go_into_a_package(tmp_path: Path, path: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        write_payload(tmp_path / "bag", [PayloadFile(path, b"x")])
    assert not (tmp_path / "bag").exists()


@pytest.mark.parametrize(
    "pair",
    [
        ("claims/Notes.yaml", "claims/notes.yaml"),
        ("claims/caf\u00e9.yaml", "claims/cafe\u0301.yaml"),
        ("Claims/a.yaml", "claims/b.yaml"),
        ("claims/STRASSE.yaml", "claims/straße.yaml"),
    ],
    ids=["case", "nfc-nfd", "folder-case", "casefold-eszett"],
)
def test_names_equal_after_folding_are_refused(tmp_path: Path, pair: tuple[str, str]) -> None:
    with pytest.raises(InputError, match="case folding or Unicode normalisation"):
        write_payload(tmp_path / "bag", [PayloadFile(p, b"x") for p in pair])


@pytest.mark.parametrize(
    ("octets", "shown"),
    [
        (0, "0 bytes"),
        (999, "999 bytes"),
        (74_923, "74.9 KB"),
        (1_073_741_824, "1.1 GB"),
        (3 * 10**12, "3.0 TB"),
    ],
    ids=["zero", "bytes", "kb", "gib", "tb"],
)
def test_bag_size(octets: int, shown: str) -> None:
    assert bag_size(octets) == shown


@pytest.mark.parametrize(
    ("data", "tags", "problems"),
    [
        (b"A: 1\nB: two\n", [("A", "1"), ("B", "two")], []),
        (b"A: long\n  folded value\n", [("A", "long folded value")], []),
        (b"A: 1\r\nB: 2\r\n", [("A", "1"), ("B", "2")], []),
        (b"\xef\xbb\xbfA: 1\n", [("A", "1")], [1]),
        (b"no colon here\n", [], [1]),
        (b" folded first\n", [], [1]),
        (b"A: \xff\n", [], [1]),
    ],
    ids=["plain", "folded", "crlf", "bom", "no-colon", "fold-first", "not-utf8"],
)
def test_parse_tags(data: bytes, tags: list[tuple[str, str]], problems: list[int]) -> None:
    found, issues = parse_tags(data)
    assert found == tags
    assert [line for line, _ in issues] == problems


@given(st.text())
def test_manifest_paths_round_trip(path: str) -> None:
    encoded = encode_manifest_path(path)
    assert "\n" not in encoded
    assert "\r" not in encoded
    assert decode_manifest_path(encoded) == path


@given(
    st.lists(
        st.sampled_from(["a", "b", "..", ".", "", "A", "é", "e\u0301", "/x"]),
        min_size=1,
        max_size=6,
    )
)
def test_a_path_passed_as_safe_never_leaves_its_folder(parts: list[str]) -> None:
    path = "/".join(parts)
    if unsafe_name(path) is None:
        depth = 0
        for part in path.split("/"):
            depth += -1 if part == ".." else 1
            assert depth > 0


@given(st.lists(st.text(alphabet="aAeé\u0301/", min_size=1, max_size=5), max_size=6))
def test_collisions_are_exactly_names_equal_after_folding(paths: list[str]) -> None:
    def fold(p: str) -> str:
        return unicodedata.normalize("NFC", unicodedata.normalize("NFC", p).casefold())

    found = name_collisions(paths)
    for first, second in found:
        assert first != second
        assert fold(first) == fold(second)
    distinct = set(paths)
    if len({fold(p) for p in distinct}) < len(distinct):
        assert found
