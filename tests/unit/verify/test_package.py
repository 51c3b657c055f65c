"""``verify_package``: a bag folder or zip, checked as a bag and then as a case."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.export import export_case
from evidence.ingest.add import add_source
from evidence.report import Report
from evidence.verify import verify_path
from evidence.verify.options import VerifyOptions
from evidence.verify.package import ZipLimits, verify_bag, verify_package

OPTIONS = VerifyOptions()


@pytest.fixture
def bag(sealed_case: Path, tmp_path: Path, now: dt.datetime) -> Path:
    bag = export_case(Case.open(sealed_case), tmp_path / "bag", actor="tester", now=now).path
    for path in bag.rglob("*"):  # the tests play the forger
        path.chmod(0o755 if path.is_dir() else 0o644)
    return bag


def _retag(bag: Path) -> None:
    for algorithm in ("sha256", "sha512"):
        names = sorted(
            p.name for p in bag.iterdir() if p.is_file() and not p.name.startswith("tagmanifest-")
        )
        (bag / f"tagmanifest-{algorithm}.txt").write_text(
            "".join(
                f"{hashlib.new(algorithm, (bag / n).read_bytes()).hexdigest()}  {n}\n"
                for n in names
            ),
            encoding="utf-8",
        )


def _remanifest(bag: Path) -> None:
    """Rewrite the payload manifests for what data/ now holds, then the tag manifests."""
    files = sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file())
    for algorithm in ("sha256", "sha512"):
        (bag / f"manifest-{algorithm}.txt").write_text(
            "".join(
                f"{hashlib.new(algorithm, (bag / f).read_bytes()).hexdigest()}  {f}\n"
                for f in files
            ),
            encoding="utf-8",
        )
    size = sum((bag / f).stat().st_size for f in files)
    _set_info(bag, "Payload-Oxum", f"{size}.{len(files)}")


def _set_info(bag: Path, label: str, value: str) -> None:
    info = bag / "bag-info.txt"
    lines = [
        f"{label}: {value}" if line.startswith(f"{label}:") else line
        for line in info.read_text(encoding="utf-8").splitlines()
    ]
    info.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _retag(bag)


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def _object(bag: Path) -> Path:
    return max(
        (p for p in (bag / "data" / "objects").rglob("*") if p.is_file()),
        key=lambda p: p.stat().st_size,
    )


def _appended(name: str, text: str) -> Callable[[Path], None]:
    """Append a line to a tag file and retag (a forged manifest line)."""

    def change(bag: Path) -> None:
        _append(bag / name, text)
        _retag(bag)

    return change


def _first_line_twice(bag: Path) -> None:
    first = (bag / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines()[0]
    _appended("manifest-sha256.txt", first + "\n")(bag)


def _no_payload_manifest(bag: Path) -> None:
    for algorithm in ("sha256", "sha512"):
        (bag / f"manifest-{algorithm}.txt").unlink()


def _without_case_yaml(bag: Path) -> None:
    (bag / "data" / "case.yaml").unlink()
    _remanifest(bag)


def _record_edited(bag: Path) -> None:
    record = bag / "data" / "records" / "CLM-0002.1.json"
    record.write_bytes(record.read_bytes().replace(b"Kalibr", b"Kalibx"))
    _remanifest(bag)


TAMPERING: dict[str, tuple[Callable[[Path], object], set[tuple[str, str | None]]]] = {
    "claims-file-edited": (
        lambda b: _flip(b / "data/claims/SRC-0001.yaml"),
        {("bag-digest", "data/claims/SRC-0001.yaml")},
    ),
    "object-edited": (
        lambda b: _flip(_object(b)),
        {
            ("bag-digest", "object"),
            ("object-digest", "object"),
            ("source-object", "data/records/SRC-0001.1.json"),
        },
    ),
    "record-edited-manifests-redone": (
        _record_edited,
        {
            ("record-digest", "data/records/CLM-0002.1.json"),
            ("seal-leaf", "data/seals/0001.json"),
            ("seal-root", "data/seals/0001.json"),
        },
    ),
    "bag-info-edited": (
        lambda b: _append(b / "bag-info.txt", "Contact-Name: Someone else\n"),
        {("bag-tagmanifest", "bag-info.txt")},
    ),
    "tag-file-unlisted": (
        lambda b: (b / "notes.txt").write_text("an extra tag file\n"),
        {
            ("bag-tagmanifest", "tagmanifest-sha256.txt"),
            ("bag-tagmanifest", "tagmanifest-sha512.txt"),
        },
    ),
    "tag-file-listed-missing": (
        lambda b: (b / "bag-info.txt").unlink(),
        {
            ("bag-tagmanifest", "tagmanifest-sha256.txt"),
            ("bag-tagmanifest", "tagmanifest-sha512.txt"),
            ("package-info", "bag-info.txt"),
        },
    ),
    "bagit-txt-missing": (lambda b: (b / "bagit.txt").unlink(), {("package-form", "bagit.txt")}),
    "bagit-version-unknown": (
        lambda b: (b / "bagit.txt").write_text(
            "BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n"
        ),
        {("package-form", "bagit.txt")},
    ),
    "bagit-txt-bom": (
        lambda b: (b / "bagit.txt").write_bytes(b"\xef\xbb\xbf" + (b / "bagit.txt").read_bytes()),
        {("package-form", "bagit.txt"), ("bag-tagmanifest", "bagit.txt")},
    ),
    "fetch-txt": (
        lambda b: (b / "fetch.txt").write_text("https://example.org/x 1 data/x\n"),
        {
            ("package-form", "fetch.txt"),
            ("bag-tagmanifest", "tagmanifest-sha256.txt"),
            ("bag-tagmanifest", "tagmanifest-sha512.txt"),
        },
    ),
    "no-payload-manifest": (
        _no_payload_manifest,
        {
            ("bag-manifest", "manifest-*.txt"),
            ("bag-tagmanifest", "tagmanifest-sha256.txt"),
            ("bag-tagmanifest", "tagmanifest-sha512.txt"),
        },
    ),
    "manifest-line-malformed": (
        _appended("manifest-sha256.txt", "xyz data/a\n"),
        {("bag-manifest", "manifest-sha256.txt")},
    ),
    "manifest-unknown-algorithm": (
        _appended("manifest-crc32.txt", "00000000  data/case.yaml\n"),
        {("bag-manifest", "manifest-crc32.txt")},
    ),
    "manifest-line-twice": (_first_line_twice, {("bag-manifest", "manifest-sha256.txt")}),
    "manifest-names-tag-file": (
        _appended("manifest-sha256.txt", f"{'0' * 64}  bagit.txt\n"),
        {("bag-manifest", "manifest-sha256.txt")},
    ),
    "custody-head-wrong": (
        lambda b: _set_info(b, "Evidence-Custody-Seq", "3"),
        {("package-info", "bag-info.txt")},
    ),
    "seal-root-wrong": (
        lambda b: _set_info(b, "Evidence-Seal-Root", "0" * 64),
        {("package-info", "bag-info.txt")},
    ),
    "other-case-id": (
        lambda b: _set_info(b, "External-Identifier", "OTHER-CASE"),
        {("package-info", "bag-info.txt")},
    ),
    "data-lost-case-yaml": (_without_case_yaml, {("case-missing", "data/case.yaml")}),
    "symlink-in-data": (
        lambda b: (b / "data" / "link").symlink_to("/etc/hostname"),
        {("package-safety", "data/link"), ("package-case", "data/")},
    ),
    "fifo-in-data": (
        lambda b: os.mkfifo(b / "data" / "pipe"),
        {("package-safety", "data/pipe"), ("package-case", "data/")},
    ),
}


def _problems(report: Report, bag: Path) -> set[tuple[str, str | None]]:
    obj = _object(bag).relative_to(bag).as_posix() if (bag / "data" / "objects").is_dir() else ""
    return {(f.check, "object" if f.path == obj else f.path) for f in report.problems()}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_each_kind_of_tampering_is_found(bag: Path, tampering: str) -> None:
    change, expected = TAMPERING[tampering]
    change(bag)
    report = verify_package(bag, options=OPTIONS, progress=None)
    assert not report.ok
    found = _problems(report, bag)
    assert expected <= found
    # The bag layer names exactly what was done to the bag; the case layer may add the
    # consequences for the evidence (a record that changed no longer fits its seal).
    assert {f for f in found if f[0].startswith(("bag-", "package-"))} == {
        f for f in expected if f[0].startswith(("bag-", "package-"))
    }


def test_a_good_package_verifies_as_bag_and_as_case(bag: Path) -> None:
    report = verify_package(bag, options=OPTIONS, progress=None)
    assert report.ok, [str(f) for f in report.problems()]
    files = [p for p in (bag / "data").rglob("*") if p.is_file()]
    assert report.checked["payload files"] == len(files)
    # tag files: bagit.txt, bag-info.txt, evidence-verify.py and the two payload manifests
    assert report.checked["manifest lines"] == 2 * len(files) + 2 * 5
    assert report.checked["records"] == 17
    assert report.passed["bag-oxum"] == 1
    assert report.passed["package-info"] == 1
    assert report.passed["seal-root"] == 1


def test_the_bag_alone_can_be_checked(bag: Path) -> None:
    (bag / "data" / "case.yaml").unlink()
    _remanifest(bag)
    report = Report()
    verify_bag(bag, report, case=False)
    assert report.ok
    assert "records" not in report.checked


def test_progress_is_reported(bag: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    verify_package(bag, options=OPTIONS, progress=lambda *a: calls.append(a))
    package = [c for c in calls if c[0] == "package"]
    assert package
    assert package[-1][1] == package[-1][2] > 0


def _zip(bag: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w") as zf:
        for path in sorted(bag.rglob("*")):
            if path.is_file():
                zf.write(path, f"bag/{path.relative_to(bag).as_posix()}")
    return dest


def test_a_zip_verifies_and_its_temporary_folder_goes(
    bag: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    archive = _zip(bag, tmp_path / "bag.zip")
    report = verify_package(archive, options=OPTIONS, progress=None)
    assert report.ok, [str(f) for f in report.problems()]
    assert list(scratch.iterdir()) == []


def test_a_zip_with_the_bag_at_its_top_verifies(bag: Path, tmp_path: Path) -> None:
    archive = tmp_path / "flat.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(bag.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(bag).as_posix())
    assert verify_package(archive, options=OPTIONS, progress=None).ok


def _damage_stored_bytes(archive: Path, needle: bytes) -> None:
    data = bytearray(archive.read_bytes())
    at = data.find(needle)
    data[at] ^= 0x20
    archive.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("crc", "Bad CRC-32"),
        ("garbage", "not a readable zip"),
        ("no-bag", "no bagit.txt"),
        ("too-many-entries", "more than the bound of 5"),
    ],
    ids=["crc", "garbage", "no-bag", "too-many-entries"],
)
def test_broken_or_unbounded_zips(bag: Path, tmp_path: Path, what: str, expected: str) -> None:
    archive = _zip(bag, tmp_path / "bag.zip")
    limits = None
    if what == "crc":
        _damage_stored_bytes(archive, b"Demonstration Analyst")
    elif what == "garbage":
        archive.write_bytes(b"PK\x03\x04" + bytes(200))
    elif what == "no-bag":
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("a/readme.txt", "a zip, not a bag\n")
            zf.writestr("b/readme.txt", "a zip, not a bag\n")
    else:
        limits = ZipLimits(max_entries=5)
    report = verify_package(archive, options=OPTIONS, progress=None, limits=limits)
    assert not report.ok
    assert expected in "\n".join(f.message for f in report.problems())


def test_verify_path_dispatches_folders_and_zips_to_the_package_verifier(
    bag: Path, tmp_path: Path
) -> None:
    archive = _zip(bag, tmp_path / "renamed.bin")  # the magic number decides, not the name
    for target in (bag, archive):
        report = verify_path(target)
        assert report.ok
        assert report.checked["manifest lines"] > 0


def test_a_moved_bag_still_verifies(bag: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "renamed-bag"
    shutil.move(bag, moved)
    assert verify_package(moved, options=OPTIONS, progress=None).ok


def test_damaged_bytes_of_a_large_file_are_named_by_every_manifest(
    sealed_case: Path, tmp_path: Path, now: dt.datetime
) -> None:
    source = tmp_path / "exhibit.bin"
    source.write_bytes(os.urandom(9 << 20))  # large: SHA-256 and SHA-512 on two threads
    added = add_source(Case.open(sealed_case), source, actor="tester", now=now)
    stored = Case.open(sealed_case).objects.path(added.record.body.object.blake3)  # type: ignore[union-attr]
    bag = export_case(Case.open(sealed_case), tmp_path / "bag", actor="tester", now=now).path
    rel = f"data/{stored.relative_to(sealed_case).as_posix()}"
    copy = bag / rel
    copy.chmod(0o644)
    with copy.open("r+b") as fh:  # one byte, late in the file, same size
        fh.seek((9 << 20) - 5)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0x80]))
    report = Report()
    verify_bag(bag, report, case=False)
    failed = sorted((f.check, f.path, f.message.split(" ")[0]) for f in report.problems())
    assert failed == [
        ("bag-digest", rel, "manifest-sha256.txt"),
        ("bag-digest", rel, "manifest-sha512.txt"),
    ]
