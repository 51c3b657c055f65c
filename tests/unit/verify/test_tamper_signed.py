"""Tampering with a real signed, time-stamped case, checked the way the README says.

Each class takes a fresh copy of a case with two signed seals and three RFC 3161 tokens
from a real openssl TSA (fixture ``stamped_case``), changes it as an attacker would, runs
``evidence verify DIR --trusted-key signer.pub --tsa-ca tsa-root.pem --json`` and asserts
exit 1 and the check that names the change (docs/tamper-classes.md lists every class).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from evidence.canonical import canonical_bytes
from evidence.case import Case
from evidence.cli import main
from evidence.digest import digest_bytes
from evidence.integrity.seal import seal_case
from evidence.integrity.sign import SigningKey
from evidence.verify import VerifyOptions, verify_case
from tests.support.cases import build_case
from tests.support.fixtures import KeyFiles
from tests.support.tsa import TestTSA, make_ca

ACTOR = "tester"


@dataclass(frozen=True)
class Tamper:
    """One tamper class: what is done, the check that must name it, and where."""

    id: str
    tamper: Callable[[Path], object]
    check: str
    path: str | None = None
    trusted: bool = True
    """Run verify with --trusted-key and --tsa-ca (else with no trust anchor at all)."""


def verify_cli(
    root: Path,
    keys: KeyFiles,
    tsa: TestTSA,
    capsys: pytest.CaptureFixture[str],
    *,
    trusted: bool = True,
    extra: tuple[str, ...] = (),
) -> tuple[int, dict[str, Any]]:
    """Run the README's verify command; the exit code and the JSON report."""
    capsys.readouterr()
    args = ["verify", str(root), "--json", *extra]
    if trusted:
        args += ["--trusted-key", str(keys.public), "--tsa-ca", str(tsa.ca_pem)]
    code = main(args)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith("{") else {}


# -- tampering helpers --------------------------------------------------------------------


def _edit_claims_and_reseal(root: Path, *, key: SigningKey | None = None) -> None:
    claims = root / "claims" / "SRC-0001.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("More than 40", "More than 90", 1), encoding="utf-8")
    assert seal_case(Case.open(root), actor=ACTOR, key=key).seal is not None


def _rebuild_unsigned(root: Path) -> None:
    """The attacker rebuilds the whole case with the tool, without the key."""
    shutil.rmtree(root)
    build_case(root)


def _strip_attachments(root: Path) -> None:
    for path in (root / "seals").iterdir():
        if path.name.endswith((".sig", ".tsr", ".chain.pem")):
            path.unlink()


def _zero_signature(root: Path) -> None:
    (root / "seals" / "0002.json.sig").write_bytes(bytes(64))


def _swap_embedded_key(root: Path) -> None:
    """The seal's embedded key replaced by the attacker's (fingerprint kept), re-signed."""
    attacker = SigningKey.generate()
    path = root / "seals" / "0002.json"
    doc = json.loads(path.read_bytes())
    doc["signer"]["public_key"] = attacker.public.raw_hex()
    data = canonical_bytes(doc) + b"\n"
    path.write_bytes(data)
    (root / "seals" / "0002.json.sig").write_bytes(attacker.sign(data))


def _other_cert_pem(common: str) -> bytes:
    cert, _ = make_ca(common)
    return cert.public_bytes(Encoding.PEM)


def _swap_chain(name: str) -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        (root / "seals" / name).write_bytes(_other_cert_pem("a look-alike TSA"))

    return tamper


def _append_to_chain(root: Path) -> None:
    path = root / "seals" / "0002.json.1.chain.pem"
    path.write_bytes(path.read_bytes() + _other_cert_pem("an extra certificate"))


def _chain_of_other_token(root: Path) -> None:
    seals = root / "seals"
    shutil.copyfile(seals / "0001.json.1.chain.pem", seals / "0002.json.2.chain.pem")


def _an_object(root: Path) -> Path:
    return next(p for p in sorted((root / "objects").rglob("*")) if p.is_file())


def _object_linked_outside(root: Path) -> None:
    """An object replaced by a link to an identical copy outside the case."""
    path = _an_object(root)
    outside = root.parent / "outside-copy"
    shutil.copyfile(path, outside)
    path.unlink()
    path.symlink_to(outside)


def _folder_linked_outside(name: str) -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        outside = root.parent / f"outside-{name}"
        shutil.move(root / name, outside)
        (root / name).symlink_to(outside, target_is_directory=True)

    return tamper


def _file_linked(name: str) -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        outside = root.parent / f"outside-{name}"
        shutil.move(root / name, outside)
        (root / name).symlink_to(outside)

    return tamper


_STRAY = b"bytes no record names\n"


def _unreferenced_object(root: Path) -> None:
    name = digest_bytes(_STRAY).blake3
    (root / "objects" / name[:2]).mkdir(exist_ok=True)
    (root / "objects" / name[:2] / name).write_bytes(_STRAY)


def _write(rel: str, data: bytes = b"x\n") -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return tamper


def _copy_file(src: str, dest: str) -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        shutil.copyfile(root / src, root / dest)

    return tamper


def _link_in_out(root: Path) -> None:
    (root / "out").mkdir(exist_ok=True)
    (root / "out" / "x.pdf").symlink_to("/etc/hostname")


def _edit_case_yaml(old: str, new: str) -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        path = root / "case.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text, text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return tamper


def _drop_custody_head(root: Path) -> None:
    path = root / "custody.jsonl"
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[2:]))


_STRAY_NAME = digest_bytes(_STRAY).blake3
_FIRST_OBJECT = "objects/0f/0fc5f8ce0cc685f50cc48a12c811515580357c8302ccff3551a000de2b9e7582"


CLASSES: list[Tamper] = [
    # 1. trust: the latest seal signed by a trusted key, every seal after a signed one signed
    Tamper("unsigned-reseal", _edit_claims_and_reseal, "seal-trust", "seals/0003.json"),
    Tamper(
        "unsigned-reseal-not-stamped", _edit_claims_and_reseal, "timestamp-trust", "seals/0003.json"
    ),
    Tamper(
        "unsigned-reseal-without-anchors",
        _edit_claims_and_reseal,
        "seal-trust",
        "seals/0003.json",
        trusted=False,
    ),
    Tamper(
        "reseal-by-another-key",
        lambda r: _edit_claims_and_reseal(r, key=SigningKey.generate()),
        "seal-signer",
        "seals/0003.json.sig",
    ),
    Tamper(
        "reseal-by-another-key-latest",
        lambda r: _edit_claims_and_reseal(r, key=SigningKey.generate()),
        "seal-trust",
        "seals/0003.json",
    ),
    Tamper("rebuilt-unsigned", _rebuild_unsigned, "seal-trust", "seals/0001.json"),
    Tamper("rebuilt-unstamped", _rebuild_unsigned, "timestamp-trust", "seals/0001.json"),
    Tamper("every-sig-and-token-stripped", _strip_attachments, "seal-signature", "seals/0002.json"),
    Tamper("every-token-stripped", _strip_attachments, "timestamp-trust", "seals/0002.json"),
    # 2. the signature is always checked against the key the seal embeds
    Tamper(
        "signature-zero-bytes",
        _zero_signature,
        "seal-signature",
        "seals/0002.json.sig",
        trusted=False,
    ),
    Tamper(
        "signature-zero-bytes-logged",
        _zero_signature,
        "signature-logged",
        "seals/0002.json.sig",
        trusted=False,
    ),
    Tamper(
        "embedded-key-swapped", _swap_embedded_key, "seal-signer", "seals/0002.json", trusted=False
    ),
    # 6. the stored certificate chain is the one the token names
    Tamper(
        "chain-swapped",
        _swap_chain("0002.json.1.chain.pem"),
        "timestamp-chain",
        "seals/0002.json.1.chain.pem",
    ),
    Tamper(
        "chain-swapped-refetched-token",
        _swap_chain("0002.json.2.chain.pem"),
        "timestamp-chain",
        "seals/0002.json.2.chain.pem",
    ),
    Tamper(
        "chain-extra-certificate",
        _append_to_chain,
        "timestamp-chain",
        "seals/0002.json.1.chain.pem",
    ),
    Tamper(
        "chain-of-another-token",
        _chain_of_other_token,
        "timestamp-chain",
        "seals/0002.json.2.chain.pem",
    ),
    # 5. the case folder is a closed world
    Tamper(
        "object-linked-to-identical-copy", _object_linked_outside, "case-symlink", _FIRST_OBJECT
    ),
    Tamper("objects-folder-linked", _folder_linked_outside("objects"), "case-symlink", "objects"),
    Tamper("seals-folder-linked", _folder_linked_outside("seals"), "case-symlink", "seals"),
    Tamper("records-folder-linked", _folder_linked_outside("records"), "case-symlink", "records"),
    Tamper("case-yaml-linked", _file_linked("case.yaml"), "case-symlink", "case.yaml"),
    Tamper("custody-linked", _file_linked("custody.jsonl"), "case-symlink", "custody.jsonl"),
    Tamper("link-in-out", _link_in_out, "case-symlink", "out/x.pdf"),
    Tamper(
        "unreferenced-object",
        _unreferenced_object,
        "object-unreferenced",
        f"objects/{_STRAY_NAME[:2]}/{_STRAY_NAME}",
    ),
    Tamper(
        "seal-backup-of-a-seal-that-is-gone",
        _copy_file("seals/0002.json", "seals/0003.json.bak"),
        "case-unknown-file",
        "seals/0003.json.bak",
    ),
    Tamper(
        "seal-backup-beside-its-seal",
        _copy_file("seals/0002.json", "seals/0002.json.bak"),
        "seal-attachment",
        "seals/0002.json.bak",
    ),
    Tamper("file-in-case-root", _write("notes.txt"), "case-unknown-file", "notes.txt"),
    Tamper("folder-in-case-root", _write("drafts/a.txt"), "case-unknown-file", "drafts"),
    Tamper(
        "folder-in-records",
        _write("records/old/CLM-0001.1.json"),
        "case-unknown-file",
        "records/old",
    ),
    Tamper("folder-in-seals", _write("seals/old/0001.json"), "case-unknown-file", "seals/old"),
    Tamper(
        "file-in-objects-top", _write("objects/index.txt"), "case-unknown-file", "objects/index.txt"
    ),
    Tamper(
        "non-yaml-in-claims",
        _write("claims/SRC-0001.yaml.orig"),
        "case-unknown-file",
        "claims/SRC-0001.yaml.orig",
    ),
    Tamper(
        "leftover-record-temp",
        _write("records/.CLM-0001.1.json.4242-1.tmp"),
        "case-leftover",
        "records/.CLM-0001.1.json.4242-1.tmp",
    ),
    Tamper(
        "leftover-incoming-object",
        _write("objects/.incoming-4242"),
        "case-leftover",
        "objects/.incoming-4242",
    ),
    Tamper(
        "leftover-seal-temp",
        _write("seals/.0003.json.4242-1.tmp"),
        "case-leftover",
        "seals/.0003.json.4242-1.tmp",
    ),
    Tamper(  # the marker of a seal killed before its log named its records (0040)
        "leftover-seal-marker",
        _write(".unlogged-records.4242-1.tmp"),
        "case-leftover",
        ".unlogged-records.4242-1.tmp",
    ),
    # 9. the custody log and case.yaml belong to a sealed case
    Tamper(
        "custody-deleted", lambda r: (r / "custody.jsonl").unlink(), "case-missing", "custody.jsonl"
    ),
    Tamper("custody-emptied", _write("custody.jsonl", b""), "custody-log", "custody.jsonl"),
    Tamper("custody-head-lines-dropped", _drop_custody_head, "custody-log", "custody.jsonl"),
    Tamper("case-yaml-deleted", lambda r: (r / "case.yaml").unlink(), "case-missing", "case.yaml"),
    Tamper("records-deleted", lambda r: shutil.rmtree(r / "records"), "case-missing", "records"),
    Tamper("objects-deleted", lambda r: shutil.rmtree(r / "objects"), "case-missing", "objects"),
    # 3. case.yaml is sealed: an edit after the seal is a finding
    Tamper(
        "case-title-edited",
        _edit_case_yaml("title: Integrity test case", "title: Another case"),
        "case-meta",
        "case.yaml",
    ),
    Tamper(
        "case-summary-edited",
        _edit_case_yaml("A narrative summary", "A different summary"),
        "case-meta",
        "case.yaml",
    ),
    Tamper(
        "case-classification-edited",
        _edit_case_yaml("classification: public", "classification: restricted"),
        "case-meta",
        "case.yaml",
    ),
    Tamper(
        "case-submitter-added",
        lambda r: (r / "case.yaml").write_text(
            (r / "case.yaml")
            .read_text("utf-8")
            .replace("submitter: {}", "submitter: {organisation: Someone Else}"),
            "utf-8",
        ),
        "case-meta",
        "case.yaml",
    ),
]


@pytest.mark.parametrize("case", CLASSES, ids=[c.id for c in CLASSES])
def test_tampering_is_named(
    stamped_case: Path,
    keys: KeyFiles,
    tsa: TestTSA,
    capsys: pytest.CaptureFixture[str],
    case: Tamper,
) -> None:
    case.tamper(stamped_case)
    code, report = verify_cli(stamped_case, keys, tsa, capsys, trusted=case.trusted)
    assert code == 1, report
    found = {
        (f["check"], f["path"]) for f in report["findings"] if f["status"] in ("FAIL", "ERROR")
    }
    assert (case.check, case.path) in found, sorted(found)


def test_the_untouched_stamped_case_verifies(
    stamped_case: Path, keys: KeyFiles, tsa: TestTSA, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = verify_cli(stamped_case, keys, tsa, capsys)
    assert code == 0, [f for f in report["findings"] if f["status"] != "INFO"]


def test_without_a_trusted_key_the_signer_is_reported_not_pinned(
    stamped_case: Path, keys: KeyFiles, tsa: TestTSA, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = verify_cli(stamped_case, keys, tsa, capsys, trusted=False)
    assert code == 0
    pinned = [f for f in report["findings"] if f["check"] == "seal-signer"]
    assert len(pinned) == 2
    assert all(f["status"] == "INFO" and "not pinned" in f["message"] for f in pinned)


def test_an_old_seal_without_its_public_key_still_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: KeyFiles
) -> None:
    """Seals made before decision 0405 carry no public key: still readable, checkable only
    against --trusted-key, and never a PASS without one."""
    monkeypatch.setattr(
        SigningKey, "signer", lambda self: {"alg": "ed25519", "fingerprint": self.fingerprint}
    )
    root = build_case(tmp_path / "old", key=keys.key).root
    assert "public_key" not in json.loads((root / "seals" / "0001.json").read_bytes())["signer"]
    plain = verify_case(root)
    assert plain.ok
    assert plain.passed["seal-signature"] == 0
    [info] = [f for f in plain.findings if f.check == "seal-signature"]
    assert info.status == "INFO"
    assert "only with --trusted-key" in info.message
    trusted = verify_case(root, options=VerifyOptions(trusted_keys=(keys.public,)))
    assert trusted.ok
    assert trusted.passed["seal-signature"] == 1
    (root / "seals" / "0001.json.sig").write_bytes(bytes(64))
    assert not verify_case(root, options=VerifyOptions(trusted_keys=(keys.public,))).ok


def test_the_signed_event_names_the_signature_digest(stamped_case: Path) -> None:
    import hashlib

    events = [
        json.loads(line) for line in (stamped_case / "custody.jsonl").read_bytes().splitlines()
    ]
    signed = [e["details"] for e in events if e["action"] == "signed"]
    stamped = [e["details"] for e in events if e["action"] == "timestamped"]
    for details in signed + stamped:
        assert (
            details["sha256"]
            == hashlib.sha256((stamped_case / details["file"]).read_bytes()).hexdigest()
        )
    for details in stamped:
        assert (
            details["chain_sha256"]
            == hashlib.sha256((stamped_case / details["chain"]).read_bytes()).hexdigest()
        )


# -- 7. a rollback is whole from inside; the report names the latest seal to pin -------------


def _rollback(root: Path) -> str:
    """Delete the last seal, its records and its custody lines consistently; return the
    root of the seal that was removed."""
    import hashlib

    removed = json.loads((root / "seals" / "0002.json").read_bytes())
    kept = {
        (leaf["id"], leaf["revision"])
        for leaf in json.loads((root / "seals" / "0001.json").read_bytes())["leaves"]
    }
    for path in (root / "seals").glob("0002.json*"):
        path.unlink()
    for path in (root / "records").iterdir():
        record_id, revision, _ = path.name.rsplit(".", 2)
        if (record_id, int(revision)) not in kept:
            path.unlink()
    out: list[bytes] = []
    prev = None
    for raw in (root / "custody.jsonl").read_bytes().splitlines():
        event = json.loads(raw)
        subject, details = event["subject"], event["details"] or {}
        if subject is not None and (subject["id"], subject["revision"]) not in kept:
            continue
        if details.get("sequence", details.get("seal")) == 2:
            continue
        event["seq"], event["prev"] = len(out) + 1, prev
        line = canonical_bytes(event)
        out.append(line)
        prev = hashlib.sha256(line).hexdigest()
    (root / "custody.jsonl").write_bytes(b"".join(line + b"\n" for line in out))
    return str(removed["tree"]["root"])


def test_a_rollback_shows_against_a_pin_from_outside(
    stamped_case: Path, keys: KeyFiles, tsa: TestTSA, capsys: pytest.CaptureFixture[str]
) -> None:
    code, before = verify_cli(stamped_case, keys, tsa, capsys)
    assert code == 0
    assert before["latest_seal"]["sequence"] == 2
    pinned_root = _rollback(stamped_case)
    assert pinned_root == before["latest_seal"]["root"]
    code, after = verify_cli(stamped_case, keys, tsa, capsys)
    assert code == 0, [f for f in after["findings"] if f["status"] in ("FAIL", "ERROR")]
    assert after["latest_seal"]["sequence"] == 1  # unavoidable from inside, but visible
    for pin in (("--min-seal", "2"), ("--expect-root", pinned_root)):
        code, report = verify_cli(stamped_case, keys, tsa, capsys, extra=pin)
        assert code == 1, pin
        assert ("seal-pin", "seals/0001.json") in {
            (f["check"], f["path"]) for f in report["findings"] if f["status"] == "FAIL"
        }
    code, report = verify_cli(
        stamped_case,
        keys,
        tsa,
        capsys,
        extra=("--min-seal", "1", "--expect-root", after["latest_seal"]["root"]),
    )
    assert code == 0


def test_the_text_report_names_the_latest_seal(
    stamped_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(stamped_case)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("latest seal 0002 (seals/0002.json): root ")
    assert "custody head" in lines[-2]


def test_the_tamper_table_lists_every_class() -> None:
    """docs/tamper-classes.md names each class of this file with the check that names it."""
    table = (Path(__file__).parents[3] / "docs" / "tamper-classes.md").read_text("utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) >= 100
    for case in CLASSES:
        assert f"| `{case.id}` | `{case.check}` |" in table, case.id


def test_render_refuses_unsealed_metadata_and_check_shows_it_pending(stamped_case: Path) -> None:
    """Issue 10, item 3: a dossier presents only sealed metadata."""
    from evidence.check import check_case
    from evidence.errors import VerificationFailed
    from evidence.render import render_dossier

    _edit_case_yaml("title: Integrity test case", "title: Another case")(stamped_case)
    pending = [f for f in check_case(stamped_case).findings if f.check == "case-yaml"]
    assert [f.status for f in pending] == ["INFO"]
    assert "pending" in pending[0].message
    with pytest.raises(VerificationFailed) as caught:
        render_dossier(Case.open(stamped_case), template="icc-otp", actor=ACTOR)
    assert "run `evidence seal` first" in (caught.value.hint or "")
    assert not (stamped_case / "out").exists() or not any((stamped_case / "out").iterdir())
    assert seal_case(Case.open(stamped_case), actor=ACTOR).seal is not None
    report = verify_case(stamped_case)
    assert report.passed["case-meta"] == 1
    assert "case-meta" not in {f.check for f in report.problems()}
