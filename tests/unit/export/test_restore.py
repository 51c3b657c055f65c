"""``import_package``: a case comes back only from a package that verifies, and an
untrusted package can write nothing outside the target."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.errors import InputError, UsageError, VerificationFailed
from evidence.export import import_package
from evidence.verify import verify_case

ZipEntry = tuple[str | zipfile.ZipInfo, bytes]


# -- building hostile packages -------------------------------------------------------------


def retag_bag(bag: Path) -> None:
    """Recompute the tag manifests after a test edited a tag file (as a forger would)."""
    for algorithm in ("sha256", "sha512"):
        lines = []
        for name in sorted(
            p.name for p in bag.iterdir() if p.is_file() and not p.name.startswith("tagmanifest-")
        ):
            digest = hashlib.new(algorithm, (bag / name).read_bytes()).hexdigest()
            lines.append(f"{digest}  {name}\n")
        target = bag / f"tagmanifest-{algorithm}.txt"
        target.chmod(0o644)
        target.write_text("".join(lines), encoding="utf-8")


def set_info(bag: Path, label: str, value: str) -> None:
    """Change one bag-info.txt field and retag, so only the field's meaning is wrong."""
    info = bag / "bag-info.txt"
    info.chmod(0o644)
    lines = [
        f"{label}: {value}" if line.startswith(f"{label}:") else line
        for line in info.read_text(encoding="utf-8").splitlines()
    ]
    info.write_text("\n".join(lines) + "\n", encoding="utf-8")
    retag_bag(bag)


def zip_of(
    bag: Path, dest: Path, *, drop: Sequence[str] = (), add: Sequence[ZipEntry] = ()
) -> Path:
    """A zip of ``bag`` (under ``bag/``), without ``drop`` and with ``add`` appended."""
    with zipfile.ZipFile(dest, "w") as zf:
        for path in sorted(bag.rglob("*")):
            name = f"bag/{path.relative_to(bag).as_posix()}"
            if path.is_file() and name not in drop:
                zf.write(path, name)
        for info, data in add:
            zf.writestr(info, data)
    return dest


def entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def patch_central(archive: Path, name: str, offset: int, value: int, fmt: str) -> None:
    """Overwrite one field of ``name``'s central directory entry (PKWARE APPNOTE 4.3.12)."""
    data = bytearray(archive.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        size, extra, comment = struct.unpack_from("<HHH", data, pos + 28)
        if data[pos + 46 : pos + 46 + size].decode() == name:
            struct.pack_into(fmt, data, pos + offset, value)
            archive.write_bytes(bytes(data))
            return
        pos = data.find(b"PK\x01\x02", pos + 46 + size + extra + comment)
    raise AssertionError(f"{name} not in the central directory")


def bomb(bag: Path, dest: Path) -> Path:
    zip_of(bag, dest)
    info = zipfile.ZipInfo("bag/data/zeros.bin")
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(dest, "a") as zf, zf.open(info, "w") as sink:
        chunk = bytes(1 << 20)
        for _ in range(160):
            sink.write(chunk)
    return dest


def overlapping(bag: Path, dest: Path) -> Path:
    zip_of(bag, dest, add=[("bag/data/a.txt", b"first"), ("bag/data/b.txt", b"second")])
    with zipfile.ZipFile(dest) as zf:
        offset = zf.getinfo("bag/data/a.txt").header_offset
    patch_central(dest, "bag/data/b.txt", 42, offset, "<I")
    return dest


def encrypted(bag: Path, dest: Path) -> Path:
    zip_of(bag, dest, add=[("bag/data/secret.txt", b"not really encrypted")])
    patch_central(dest, "bag/data/secret.txt", 8, 0x1, "<H")
    return dest


def oxum_lies(bag: Path, dest: Path) -> Path:
    set_info(bag, "Payload-Oxum", "1.1")
    return zip_of(bag, dest)


ZIP_ATTACKS: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "dotdot": (lambda b, d: zip_of(b, d, add=[("bag/../evil.txt", b"x")]), "'..'"),
    "dotdot-deep": (lambda b, d: zip_of(b, d, add=[("bag/data/../../evil.txt", b"x")]), "'..'"),
    "absolute": (
        lambda b, d: zip_of(b, d, add=[("/tmp/evidence-evil.txt", b"x")]),
        "absolute path",
    ),
    "backslash": (
        lambda b, d: zip_of(b, d, add=[("bag/data\\..\\..\\evil.txt", b"x")]),
        "backslash",
    ),
    "symlink": (
        lambda b, d: zip_of(
            b, d, add=[(entry("bag/data/link", stat.S_IFLNK | 0o777), b"/etc/passwd")]
        ),
        "symbolic link",
    ),
    "device": (
        lambda b, d: zip_of(b, d, add=[(entry("bag/data/null", stat.S_IFCHR | 0o666), b"")]),
        "device file",
    ),
    "fifo": (
        lambda b, d: zip_of(b, d, add=[(entry("bag/data/pipe", stat.S_IFIFO | 0o666), b"")]),
        "FIFO",
    ),
    "case-fold": (
        lambda b, d: zip_of(b, d, add=[("bag/data/Notes.txt", b"1"), ("bag/data/notes.txt", b"2")]),
        "case folding",
    ),
    "unicode-normalisation": (
        lambda b, d: zip_of(
            b, d, add=[("bag/data/caf\u00e9.txt", b"1"), ("bag/data/cafe\u0301.txt", b"2")]
        ),
        "Unicode normalisation",
    ),
    "listed-twice": (
        lambda b, d: zip_of(b, d, add=[("bag/data/case.yaml", b"id: other\n")]),
        "listed twice",
    ),
    "zip-bomb": (bomb, "zip bomb"),
    "overlapping-entries": (overlapping, "overlaps"),
    "encrypted": (encrypted, "encrypted"),
    "manifest-lists-missing-file": (
        lambda b, d: zip_of(b, d, drop=["bag/data/custody.jsonl"]),
        "lists data/custody.jsonl, which is not in the package",
    ),
    "file-not-in-manifest": (
        lambda b, d: zip_of(b, d, add=[("bag/data/extra.txt", b"x")]),
        "does not list data/extra.txt",
    ),
    "payload-oxum-lies": (oxum_lies, "Payload-Oxum says 1.1"),
}


def _messages(report_error: VerificationFailed) -> str:
    return "\n".join(str(f) for f in report_error.report.problems())


def _nothing_left(parent: Path, dest: Path) -> None:
    assert not dest.exists()
    assert [p.name for p in parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("attack", sorted(ZIP_ATTACKS))
def test_a_hostile_zip_is_refused_and_writes_nothing(
    bag: Path, tmp_path: Path, attack: str
) -> None:
    build, expected = ZIP_ATTACKS[attack]
    archive = build(bag, tmp_path / "hostile.zip")
    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(VerificationFailed) as caught:
        import_package(archive, target / "case", actor="tester")
    assert expected in _messages(caught.value)
    _nothing_left(target, target / "case")
    assert not list(tmp_path.rglob("evil.txt"))
    assert not Path("/tmp/evidence-evil.txt").exists()


def _symlink(data: Path) -> None:
    (data / "link").symlink_to("/etc/passwd")


def _fifo(data: Path) -> None:
    os.mkfifo(data / "pipe")


def _normalisation(data: Path) -> None:
    (data / "caf\u00e9.txt").write_text("1")
    (data / "cafe\u0301.txt").write_text("2")


def _manifest_line(line: str) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        manifest = data.parent / "manifest-sha256.txt"
        manifest.chmod(0o644)
        with manifest.open("a", encoding="utf-8") as fh:
            fh.write(line)
        retag_bag(data.parent)

    return edit


def _drop(data: Path) -> None:
    (data / "custody.jsonl").unlink()


def _extra(data: Path) -> None:
    (data / "extra.txt").write_text("not in any manifest\n")


FOLDER_ATTACKS: dict[str, tuple[Callable[[Path], None], str]] = {
    "symlink": (_symlink, "symbolic link"),
    "fifo": (_fifo, "FIFO"),
    "unicode-normalisation": (_normalisation, "Unicode normalisation"),
    "manifest-dotdot": (_manifest_line(f"{'0' * 64}  data/../../outside.txt\n"), "'..'"),
    "manifest-absolute": (_manifest_line(f"{'0' * 64}  /etc/passwd\n"), "absolute path"),
    "manifest-lists-missing-file": (_drop, "lists data/custody.jsonl, which is not in"),
    "file-not-in-manifest": (_extra, "does not list data/extra.txt"),
    "payload-oxum-lies": (
        lambda d: set_info(d.parent, "Payload-Oxum", "1.1"),
        "Payload-Oxum says 1.1",
    ),
}


@pytest.mark.parametrize("attack", sorted(FOLDER_ATTACKS))
def test_a_hostile_folder_is_refused_and_writes_nothing(
    bag: Path, tmp_path: Path, attack: str
) -> None:
    make, expected = FOLDER_ATTACKS[attack]
    (bag / "data").chmod(0o755)
    make(bag / "data")
    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(VerificationFailed) as caught:
        import_package(bag, target / "case", actor="tester")
    assert expected in _messages(caught.value)
    _nothing_left(target, target / "case")


def test_a_device_file_in_a_folder_is_refused(bag: Path, tmp_path: Path) -> None:
    try:
        os.mknod(bag / "data" / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device file needs CAP_MKNOD")
    with pytest.raises(VerificationFailed) as caught:
        import_package(bag, tmp_path / "case", actor="tester")
    assert "device file" in _messages(caught.value)
    _nothing_left(tmp_path, tmp_path / "case")


@pytest.mark.parametrize("form", ["folder", "zip"])
def test_import_restores_a_case_that_verifies(
    bag: Path, bag_zip: Path, sealed_case: Path, tmp_path: Path, form: str
) -> None:
    package = bag if form == "folder" else bag_zip
    result = import_package(package, tmp_path / "restored", actor="receiver")
    assert result.case_dir == tmp_path / "restored"
    assert result.case_id == "UKR-OKH-2024"
    assert result.report.ok
    assert verify_case(result.case_dir).ok
    for name in ("records", "objects", "seals"):
        assert (result.case_dir / name).is_dir()
    assert {p.stat().st_mode & 0o777 for p in (result.case_dir / "records").iterdir()} == {0o444}
    restored = (result.case_dir / "custody.jsonl").read_bytes().splitlines()
    exported = next(
        e
        for e in map(json.loads, (sealed_case / "custody.jsonl").read_bytes().splitlines())
        if e["action"] == "exported" and e["details"]["package"] == package.name
    )
    event = json.loads(restored[-1])
    assert event["action"] == "verified"
    assert event["actor"] == "receiver"
    assert event["details"]["imported"] is True
    assert event["details"]["format"] == ("bagit" if form == "folder" else "bagit-zip")
    # The receiving case names the same package digest the exporting case logged.
    assert event["details"]["tagmanifest_sha256"] == exported["details"]["tagmanifest_sha256"]
    assert event["details"]["custody"]["seq"] == len(restored) - 1
    _nothing_left(tmp_path, tmp_path / "nothing")


def test_import_into_an_empty_folder(bag: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = import_package(bag, tmp_path / "empty", actor="receiver")
    assert Case.open(result.case_dir).meta.id == "UKR-OKH-2024"


def test_a_tampered_record_with_recomputed_manifests_is_refused(bag: Path, tmp_path: Path) -> None:
    record = bag / "data" / "records" / "CLM-0001.1.json"
    record.chmod(0o644)
    record.write_bytes(record.read_bytes().replace(b"More than 40", b"More than 90"))
    for algorithm in ("sha256", "sha512"):
        manifest = bag / f"manifest-{algorithm}.txt"
        manifest.chmod(0o644)
        lines = [
            f"{hashlib.new(algorithm, record.read_bytes()).hexdigest()}  "
            f"data/records/CLM-0001.1.json"
            if line.endswith("CLM-0001.1.json")
            else line
            for line in manifest.read_text(encoding="utf-8").splitlines()
        ]
        manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    retag_bag(bag)
    with pytest.raises(VerificationFailed) as caught:
        import_package(bag, tmp_path / "case", actor="tester")
    problems = caught.value.report.problems()
    assert {f.check for f in problems} >= {"record-digest"}
    assert all(f.check not in ("bag-digest", "bag-complete") for f in problems)
    assert "data/records/CLM-0001.1.json" in {f.path for f in problems}
    _nothing_left(tmp_path, tmp_path / "case")


@pytest.mark.parametrize(
    ("where", "error", "message"),
    [
        ("not-empty", UsageError, "not an empty folder"),
        ("no-parent", UsageError, "does not exist"),
        ("inside-package", UsageError, "inside the package"),
    ],
    ids=["not-empty", "no-parent", "inside-package"],
)
def test_bad_destinations_are_refused(
    bag: Path, tmp_path: Path, where: str, error: type[Exception], message: str
) -> None:
    dest = {
        "not-empty": tmp_path / "full",
        "no-parent": tmp_path / "no" / "case",
        "inside-package": bag / "restored",
    }[where]
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine\n")
    with pytest.raises(error, match=message):
        import_package(bag, dest, actor="tester")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine\n"
    assert not (bag / "restored").exists()


@pytest.mark.parametrize("what", ["missing", "plain-folder"])
def test_what_is_not_a_package_cannot_be_imported(
    tmp_path: Path, sealed_case: Path, what: str
) -> None:
    source = tmp_path / "missing" if what == "missing" else sealed_case
    with pytest.raises(InputError):
        import_package(source, tmp_path / "case", actor="tester")
    assert not (tmp_path / "case").exists()


def test_a_copy_of_a_package_imports_twice(bag: Path, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(bag, twin)
    first = import_package(bag, tmp_path / "one", actor="tester")
    second = import_package(twin, tmp_path / "two", actor="tester")
    assert first.custody == second.custody
