"""``export_case``: the example case as a package, what it carries, what it refuses."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from evidence.case import Case
from evidence.errors import CaseError, InputError, LockError, UsageError
from evidence.export import export_case, package_schemas
from evidence.formats.bagit import parse_tags
from evidence.ingest.add import add_source
from evidence.integrity.custody import line_digest
from evidence.verify.options import VerifyOptions
from evidence.verify.package import verify_package

Validate = Callable[[Path], subprocess.CompletedProcess[str]]


def _info(bag: Path) -> dict[str, str]:
    tags, problems = parse_tags((bag / "bag-info.txt").read_bytes())
    assert problems == []
    return dict(tags)


def _custody(case_dir: Path) -> list[bytes]:
    return (case_dir / "custody.jsonl").read_bytes().splitlines()


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _dossier(path: Path, text: str) -> None:
    page = canvas.Canvas(str(path))
    page.drawString(72, 720, text)
    page.save()


def test_the_bag_holds_the_case_and_validates(
    bag: Path, sealed_case: Path, bagit_validate: Validate
) -> None:
    result = bagit_validate(bag)
    assert result.returncode == 0, result.stderr
    carried = _files(bag / "data")
    case_files = {
        f for f in _files(sealed_case) if not f.startswith(("out/", ".")) and "/." not in f
    }
    assert case_files <= carried
    assert {
        f"schemas/{n}.schema.json"
        for n in (
            "case",
            "claims-file",
            "record",
            "source",
            "claim",
            "seal",
            "custody-event",
            "defs",
        )
    } <= carried
    dossiers = {
        f
        for f in _files(sealed_case)
        if f.startswith("out/UKR-OKH-2024-seal-0001-") and f.endswith(".pdf")
    }
    assert carried - case_files == {p.path for p in package_schemas()} | dossiers
    assert sorted(p.name for p in bag.iterdir()) == [
        "bag-info.txt",
        "bagit.txt",
        "data",
        "evidence-verify.py",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
    ]


def test_the_bag_carries_the_custody_log_as_it_was(bag: Path, sealed_case: Path) -> None:
    before = _custody(bag / "data")
    after = _custody(sealed_case)
    assert after[:-1] == before
    assert (bag / "data" / "custody.jsonl").read_bytes() == b"\n".join(before) + b"\n"


def test_bag_info_names_case_contact_seal_and_custody_head(
    bag: Path, sealed_case: Path, now: dt.datetime
) -> None:
    info = _info(bag)
    seal_bytes = (sealed_case / "seals" / "0001.json").read_bytes()
    seal = json.loads(seal_bytes)
    carried = _custody(bag / "data")
    payload = [p for p in (bag / "data").rglob("*") if p.is_file()]
    assert info == {
        "Source-Organization": "Example Documentation Project (demonstration only)",
        "Contact-Name": "Demonstration Analyst",
        "Contact-Email": "analyst@example.org",
        "External-Identifier": "UKR-OKH-2024",
        "External-Description": (
            "Missile attack on Ukraine of 8 July 2024 and the strike on "
            "the Okhmatdyt children's hospital in Kyiv"
        ),
        "Internal-Sender-Identifier": "EVD-DEMO-2024-001",
        "Bagging-Date": "2026-11-29",
        "Payload-Oxum": f"{sum(p.stat().st_size for p in payload)}.{len(payload)}",
        "Bag-Size": info["Bag-Size"],
        "Bag-Software-Agent": "evidence 0.1.0",
        "Evidence-Exported-At": "2026-11-29T10:12:03.123456Z",
        "Evidence-Seal-Sequence": "1",
        "Evidence-Seal-Root": seal["tree"]["root"],
        "Evidence-Seal-SHA256": hashlib.sha256(seal_bytes).hexdigest(),
        "Evidence-Custody-Seq": str(len(carried)),
        "Evidence-Custody-SHA256": line_digest(carried[-1]),
    }


def test_export_logs_an_exported_event(bag: Path, sealed_case: Path) -> None:
    event = json.loads(_custody(sealed_case)[-1])
    info = _info(bag)
    pinned = hashlib.sha256((bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    assert event["action"] == "exported"
    assert event["subject"] is None
    assert event["actor"] == "tester"
    assert event["details"] == {
        "package": "bag",
        "format": "bagit",
        "bagit_version": "1.0",
        "payload_oxum": info["Payload-Oxum"],
        "tagmanifest_sha256": pinned,
        "custody": {
            "seq": int(info["Evidence-Custody-Seq"]),
            "sha256": info["Evidence-Custody-SHA256"],
        },
        "seal": {"sequence": 1, "root": info["Evidence-Seal-Root"]},
    }
    assert event["prev"] == info["Evidence-Custody-SHA256"]


def test_export_never_writes_into_the_case_beyond_its_event(
    sealed_case: Path, tmp_path: Path
) -> None:
    before = {
        f: (sealed_case / f).read_bytes() for f in _files(sealed_case) if f != "custody.jsonl"
    }
    export_case(Case.open(sealed_case), tmp_path / "pkg", actor="tester")
    after = {f: (sealed_case / f).read_bytes() for f in _files(sealed_case) if f != "custody.jsonl"}
    assert after == before


def test_the_latest_seals_dossiers_go_in_and_no_others(sealed_case: Path, tmp_path: Path) -> None:
    out = sealed_case / "out"
    out.mkdir(exist_ok=True)
    if not (out / "UKR-OKH-2024-seal-0001-icc-otp.pdf").exists():
        _dossier(out / "UKR-OKH-2024-seal-0001-icc-otp.pdf", "Dossier of seal 1 (icc-otp)")
    _dossier(out / "UKR-OKH-2024-seal-0000-icc-otp.pdf", "Not the latest seal")
    _dossier(out / "OTHER-CASE-seal-0001-icc-otp.pdf", "Not this case")
    _dossier(out / "draft.pdf", "Not a dossier")
    (out / "UKR-OKH-2024-seal-0001-notes.txt").write_text("not a PDF\n")
    latest = sorted(
        f"out/{p.name}"
        for p in out.iterdir()
        if p.name.startswith("UKR-OKH-2024-seal-0001-") and p.suffix == ".pdf"
    )
    result = export_case(Case.open(sealed_case), tmp_path / "pkg", actor="tester")
    assert "out/UKR-OKH-2024-seal-0001-icc-otp.pdf" in latest
    assert list(result.dossiers) == latest
    assert sorted(f for f in _files(result.path / "data") if f.startswith("out/")) == latest
    for name in latest:
        assert (result.path / "data" / name).read_bytes() == (sealed_case / name).read_bytes()


def test_every_file_of_seals_goes_in(
    sealed_case: Path, tmp_path: Path, bagit_validate: Validate
) -> None:
    seals = sealed_case / "seals"
    (seals / "0001.json.sig").write_bytes(bytes(range(64)))
    (seals / "0001.json.1.tsr").write_bytes(b"0\x82\x01\x00 token bytes written by the team")
    (seals / "chains").mkdir()
    (seals / "chains" / "tsa-1.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (seals / ".0002.json.0123.tmp").write_text("{}")  # a writer's temporary file
    result = export_case(Case.open(sealed_case), tmp_path / "pkg", actor="tester")
    assert {f for f in _files(result.path / "data") if f.startswith("seals/")} == {
        "seals/0001.json",
        "seals/0001.json.sig",
        "seals/0001.json.1.tsr",
        "seals/chains/tsa-1.pem",
    }
    assert bagit_validate(result.path).returncode == 0


def test_an_unsealed_case_exports_and_says_so(
    new_case: Case, tmp_path: Path, seed_article: Path
) -> None:
    add_source(new_case, seed_article, actor="tester")
    result = export_case(new_case, tmp_path / "pkg", actor="tester")
    assert (result.seal, result.unsealed) == (None, 1)
    assert not any(k.startswith("Evidence-Seal") for k in _info(result.path))


def test_a_package_may_go_into_the_case_out_folder(sealed_case: Path) -> None:
    case = Case.open(sealed_case)
    (sealed_case / "out").mkdir(exist_ok=True)
    first = export_case(case, sealed_case / "out" / "pkg-1", actor="tester")
    second = export_case(case, sealed_case / "out" / "pkg-2", actor="tester")
    assert first.path.is_dir()
    assert not any(f.startswith("out/pkg-") for f in _files(second.path / "data"))


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("exists", "exists already"),
        ("no-parent", "does not exist"),
        ("records", "inside the case folder"),
        ("case-root", "inside the case folder"),
    ],
    ids=["exists", "no-parent", "in-records", "in-case-root"],
)
def test_bad_destinations_are_refused(
    sealed_case: Path, tmp_path: Path, where: str, message: str
) -> None:
    out = {
        "exists": tmp_path / "taken",
        "no-parent": tmp_path / "missing" / "pkg",
        "records": sealed_case / "records" / "pkg",
        "case-root": sealed_case / "pkg",
    }[where]
    (tmp_path / "taken").mkdir()
    before = _custody(sealed_case)
    with pytest.raises(UsageError, match=message):
        export_case(Case.open(sealed_case), out, actor="tester")
    assert _custody(sealed_case) == before


def _no_leftovers(folder: Path) -> None:
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("problem", ["symlink", "fifo", "percent-name", "folded-names"])
def test_a_case_that_cannot_be_packaged_leaves_nothing(
    sealed_case: Path, tmp_path: Path, problem: str
) -> None:
    claims = sealed_case / "claims"
    if problem == "symlink":
        (claims / "linked.yaml").symlink_to("/etc/hostname")
    elif problem == "fifo":
        os.mkfifo(claims / "pipe.yaml")
    elif problem == "percent-name":
        (claims / "50%.yaml").write_text("claims: []\n")
    else:
        (claims / "Notes.txt").write_text("one\n")
        (claims / "notes.txt").write_text("two\n")
    before = _custody(sealed_case)
    out = tmp_path / "exports"
    out.mkdir()
    with pytest.raises((CaseError, InputError)) as caught:
        export_case(Case.open(sealed_case), out / "pkg", actor="tester")
    assert caught.value.path is not None
    assert caught.value.path.startswith("claims/")
    assert list(out.iterdir()) == []
    assert _custody(sealed_case) == before


def test_a_locked_case_is_not_exported(sealed_case: Path, tmp_path: Path) -> None:
    case = Case.open(sealed_case)
    with case.lock(), pytest.raises(LockError):
        export_case(Case.open(sealed_case), tmp_path / "pkg", actor="tester")
    assert not (tmp_path / "pkg").exists()
    _no_leftovers(tmp_path)


def test_payload_files_are_read_only(bag: Path) -> None:
    modes = {p.stat().st_mode & 0o777 for p in (bag / "data").rglob("*") if p.is_file()}
    assert modes == {0o444}


def _sha256_manifest(bag: Path) -> dict[str, str]:
    pairs = [line.split("  ", 1) for line in (bag / "manifest-sha256.txt").read_text().splitlines()]
    return {path: digest for digest, path in pairs}


def _exhibit_case(sealed_case: Path, tmp_path: Path, now: dt.datetime) -> tuple[Case, Path]:
    exhibit = tmp_path / "exhibit.bin"
    exhibit.write_bytes(os.urandom(9 << 20))  # above the size that reuses the record's SHA-256
    case = Case.open(sealed_case)
    added = add_source(case, exhibit, actor="tester", now=now)
    ref = added.record.body.object  # type: ignore[union-attr]
    return case, case.objects.path(ref.blake3)


def test_a_large_object_gets_its_records_sha256_after_its_blake3_is_checked(
    sealed_case: Path, tmp_path: Path, now: dt.datetime, bagit_validate: Validate
) -> None:
    case, stored = _exhibit_case(sealed_case, tmp_path, now)
    bag = export_case(case, tmp_path / "bag", actor="tester", now=now).path
    rel = f"data/{stored.relative_to(sealed_case).as_posix()}"
    lines = _sha256_manifest(bag)
    assert lines[rel] == hashlib.sha256(stored.read_bytes()).hexdigest()
    result = bagit_validate(bag)
    assert result.returncode == 0, result.stderr


def test_a_damaged_large_object_is_described_as_it_is_not_as_its_record_says(
    sealed_case: Path, tmp_path: Path, now: dt.datetime, bagit_validate: Validate
) -> None:
    case, stored = _exhibit_case(sealed_case, tmp_path, now)
    stored.chmod(0o644)
    damaged = bytearray(stored.read_bytes())
    damaged[5 << 20] ^= 0xFF
    stored.write_bytes(bytes(damaged))
    bag = export_case(case, tmp_path / "bag", actor="tester", now=now).path
    rel = f"data/{stored.relative_to(sealed_case).as_posix()}"
    lines = _sha256_manifest(bag)
    assert lines[rel] == hashlib.sha256(bytes(damaged)).hexdigest()
    assert bagit_validate(bag).returncode == 0  # the bag holds what it lists ...
    report = verify_package(bag, options=VerifyOptions(), progress=None)
    assert not report.ok  # ... and the case inside tells the object is not what it was
