"""Verification of a BagIt package (RFC 8493), as a folder or a zip, from an untrusted hand.

A package is checked in two layers, and the report names the layer of each finding:

1. the bag (RFC 8493 §3, "valid bag"): ``package-form`` (bagit.txt, data/), ``package-safety``
   (no ``..``, absolute paths, symbolic links, device files, names equal after case folding
   or Unicode normalisation; a zip's bounded expansion), ``bag-manifest`` (every line of every
   payload manifest parses), ``bag-complete`` (every manifest lists every payload file, and
   nothing else), ``bag-oxum`` (Payload-Oxum), ``bag-digest`` (every manifest line against
   the file's bytes) and ``bag-tagmanifest`` (the tag files);
2. the case in ``data/``: ``package-info`` (bag-info.txt names this case, its latest seal and
   the custody head the package carries), then the full case verification
   (:func:`evidence.verify.case.verify_case`), whose findings are reported under ``data/``.

A zip is first checked from its central directory alone (names, file types, sizes,
overlapping entries, expansion against :class:`ZipLimits`), and only then extracted into
a private temporary folder, file by file, never following a link. Nothing is ever written
outside that folder. The case verification runs on a second thread while the manifests
are checked, so both cores work: hashlib and BLAKE3 release the GIL.

The format (safe names, tag files, manifests, the one-pass multi-digest) is
:mod:`evidence.formats.bagit`, which the package writer (:mod:`evidence.export`) follows
too; safe reading of folders and zips is :mod:`evidence.verify._bag`.

Example::

    report = verify_package(Path("case-bag.zip"), options=VerifyOptions(), progress=None)
    print(report.ok)
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import re
import tempfile
import threading
from pathlib import Path

from evidence.canonical import loads_json
from evidence.case import load_case_meta
from evidence.errors import EvidenceError
from evidence.formats.bagit import (
    HEX_LENGTH,
    INFO_CUSTODY_SEQ,
    INFO_CUSTODY_SHA256,
    INFO_SEAL_ROOT,
    INFO_SEAL_SEQUENCE,
    INFO_SEAL_SHA256,
    READ_VERSIONS,
    hash_files,
    manifest_kind,
    parse_manifest,
    parse_tags,
    payload_oxum,
    tag_value,
)
from evidence.integrity.custody import line_digest
from evidence.progress import Progress
from evidence.report import Report
from evidence.verify._bag import BagTree, ZipLimits, copy_bag, extract_zip, nofollow, scan_tree
from evidence.verify.case import verify_case
from evidence.verify.options import VerifyOptions

__all__ = ["ZipLimits", "copy_bag", "extract_zip", "verify_bag", "verify_package"]

_OXUM = re.compile(r"[0-9]+\.[0-9]+")


# -- the bag ---------------------------------------------------------------------------------


def _read_tag(bag: BagTree, name: str, report: Report) -> bytes | None:
    try:
        with open(bag.root / name, "rb", opener=nofollow) as fh:
            return fh.read()
    except OSError as exc:
        report.add("package-form", "ERROR", f"cannot read: {exc.strerror}", path=name)
        return None


def _check_form(bag: BagTree, report: Report) -> bool:
    """bagit.txt and data/ (RFC 8493 §2.1.1, §2.1.2)."""
    if "bagit.txt" not in bag.files:
        report.add("package-form", "FAIL", "no bagit.txt: not a BagIt package", path="bagit.txt")
        return False
    data = _read_tag(bag, "bagit.txt", report)
    if data is None:
        return False
    tags, problems = parse_tags(data)
    labels = [label for label, _ in tags]
    for line, message in problems:
        report.add("package-form", "FAIL", message, path="bagit.txt", line=line)
    version = tag_value(tags, "BagIt-Version")
    encoding = (tag_value(tags, "Tag-File-Character-Encoding") or "").upper()
    if labels != ["BagIt-Version", "Tag-File-Character-Encoding"]:
        report.add(
            "package-form",
            "FAIL",
            "expected exactly 'BagIt-Version: M.N' and 'Tag-File-Character-Encoding: UTF-8'",
            path="bagit.txt",
        )
        return False
    if version not in READ_VERSIONS:
        report.add(
            "package-form",
            "FAIL",
            f"BagIt-Version {version}; this tool reads {' and '.join(READ_VERSIONS)}",
            path="bagit.txt",
        )
        return False
    if encoding not in ("UTF-8", "UTF8"):
        report.add(
            "package-form",
            "FAIL",
            f"tag files in {encoding}; this tool reads UTF-8",
            path="bagit.txt",
        )
        return False
    if not (bag.root / "data").is_dir() or (bag.root / "data").is_symlink():
        report.add("package-form", "FAIL", "no data/ folder (the payload)", path="data/")
        return False
    if "fetch.txt" in bag.files:
        report.add(
            "package-form",
            "FAIL",
            "fetch.txt: a package must hold its files, not fetch them",
            path="fetch.txt",
        )
    info = _read_tag(bag, "bag-info.txt", report) if "bag-info.txt" in bag.files else b""
    if info is not None:
        bag.tags, problems = parse_tags(info)
        for line, message in problems:
            report.add("bag-info", "FAIL", message, path="bag-info.txt", line=line)
    return True


def _read_manifest(
    bag: BagTree, name: str, algorithm: str, tag: bool, report: Report
) -> dict[str, str]:
    data = _read_tag(bag, name, report)
    try:
        text = (data or b"").decode("utf-8")
    except UnicodeDecodeError:
        report.add("bag-manifest", "FAIL", "not valid UTF-8", path=name)
        return {}
    entries, problems = parse_manifest(text, algorithm, tag=tag)
    for problem in problems:
        check = "package-safety" if problem.unsafe else "bag-manifest"
        report.add(check, "FAIL", problem.message, path=name, line=problem.line)
        bag.safe = bag.safe and not problem.unsafe
    return entries


def _check_manifests(bag: BagTree, report: Report) -> dict[str, dict[str, str]]:
    """Read every manifest; check completeness; return the tag manifests."""
    tag_manifests: dict[str, dict[str, str]] = {}
    for name in sorted(n for n in bag.files if "/" not in n):
        kind = manifest_kind(name)
        if kind is None:
            continue
        tag, algorithm = kind
        if algorithm not in HEX_LENGTH:
            report.add("bag-manifest", "FAIL", f"unknown algorithm {algorithm!r}", path=name)
            continue
        entries = _read_manifest(bag, name, algorithm, tag, report)
        (tag_manifests if tag else bag.manifests)[algorithm] = entries
    if not bag.manifests:
        report.add(
            "bag-manifest",
            "FAIL",
            "no payload manifest (manifest-<algorithm>.txt)",
            path="manifest-*.txt",
        )
    payload = bag.payload
    for algorithm, entries in sorted(bag.manifests.items()):
        name = f"manifest-{algorithm}.txt"
        for rel in sorted(entries.keys() - payload.keys()):
            report.add(
                "bag-complete", "FAIL", f"lists {rel}, which is not in the package", path=name
            )
        for rel in sorted(payload.keys() - entries.keys()):
            report.add(
                "bag-complete", "FAIL", f"does not list {rel}, which is in the package", path=name
            )
    report.count("payload files", len(payload))
    return tag_manifests


def _check_oxum(bag: BagTree, report: Report) -> None:
    """Payload-Oxum: '<octets>.<streams>' of the payload (RFC 8493 §2.2.2)."""
    oxum = tag_value(bag.tags, "Payload-Oxum")
    payload = bag.payload
    actual = payload_oxum(sum(payload.values()), len(payload))
    if oxum is None:
        report.add("bag-oxum", "INFO", "bag-info.txt gives no Payload-Oxum", path="bag-info.txt")
    elif not _OXUM.fullmatch(oxum):
        report.add(
            "bag-oxum",
            "FAIL",
            f"Payload-Oxum {oxum!r} is not '<octets>.<files>'",
            path="bag-info.txt",
        )
    elif oxum != actual:
        report.add(
            "bag-oxum",
            "FAIL",
            f"Payload-Oxum says {oxum} (bytes.files), the payload is {actual}",
            path="bag-info.txt",
        )
    else:
        report.add("bag-oxum", "PASS", actual)


def _check_digests(
    bag: BagTree,
    tag_manifests: dict[str, dict[str, str]],
    report: Report,
    progress: Progress | None,
) -> None:
    """Every line of every manifest against the bytes of its file, each file read once."""
    wanted: dict[str, dict[str, str]] = {}
    for algorithm, entries in [*bag.manifests.items(), *tag_manifests.items()]:
        for rel, digest in entries.items():
            if rel in bag.files:
                wanted.setdefault(rel, {})[algorithm] = digest
    for algorithm, entries in sorted(tag_manifests.items()):
        name = f"tagmanifest-{algorithm}.txt"
        for rel in sorted(entries.keys() - bag.files.keys()):
            report.add(
                "bag-tagmanifest", "FAIL", f"lists {rel}, which is not in the package", path=name
            )
        tag_files = {rel for rel in bag.files if not rel.startswith("data/")}
        for rel in sorted(tag_files - entries.keys() - set(_tag_manifest_names(bag))):
            report.add("bag-tagmanifest", "FAIL", f"does not list the tag file {rel}", path=name)
    rels = sorted(wanted)
    tick = (lambda done, total: progress("package", done, total)) if progress else None
    results = hash_files(
        [bag.root / rel for rel in rels],
        sorted({a for d in wanted.values() for a in d}),
        progress=tick,
    )
    for rel, result in zip(rels, results, strict=True):
        check = "bag-digest" if rel.startswith("data/") else "bag-tagmanifest"
        if isinstance(result, OSError):
            report.add(check, "ERROR", f"cannot read: {result.strerror or result}", path=rel)
            continue
        for algorithm, expected in sorted(wanted[rel].items()):
            report.count("manifest lines")
            found = result.hexdigests[algorithm]
            if found != expected:
                prefix = "" if check == "bag-digest" else "tag"
                report.add(
                    check,
                    "FAIL",
                    f"{prefix}manifest-{algorithm}.txt says {expected}, the file has {found}",
                    path=rel,
                )
            else:
                report.add(check, "PASS", rel)


def _tag_manifest_names(bag: BagTree) -> list[str]:
    return [n for n in bag.files if "/" not in n and n.startswith("tagmanifest-")]


# -- the case inside -------------------------------------------------------------------------


def _check_info(bag: BagTree, report: Report) -> None:
    """bag-info.txt against data/: this case, its latest seal, the custody head carried."""
    data = bag.root / "data"
    try:
        case_id: str | None = load_case_meta(data / "case.yaml").id
    except EvidenceError:
        case_id = None  # the case verification reports case.yaml
    named = tag_value(bag.tags, "External-Identifier")
    if case_id is not None and named != case_id:
        report.add(
            "package-info",
            "FAIL",
            f"External-Identifier is {named!r}, data/case.yaml is case {case_id!r}",
            path="bag-info.txt",
        )
    seals = sorted(rel for rel in bag.files if re.fullmatch(r"data/seals/[0-9]{4,}\.json", rel))
    expected: dict[str, str] = {}
    if seals:
        try:
            raw = (bag.root / seals[-1]).read_bytes()
            seal = loads_json(raw, path=seals[-1])
            expected = {
                INFO_SEAL_SEQUENCE: str(seal["sequence"]),
                INFO_SEAL_ROOT: str(seal["tree"]["root"]),
                INFO_SEAL_SHA256: hashlib.sha256(raw).hexdigest(),
            }
        except (OSError, EvidenceError, KeyError, TypeError) as exc:
            report.add(
                "package-info", "ERROR", f"cannot read the latest seal: {exc}", path=seals[-1]
            )
    for label in (INFO_SEAL_SEQUENCE, INFO_SEAL_ROOT, INFO_SEAL_SHA256):
        if tag_value(bag.tags, label) != expected.get(label):
            report.add(
                "package-info",
                "FAIL",
                f"{label} is {tag_value(bag.tags, label)}, "
                f"the latest seal in data/seals gives {expected.get(label)}",
                path="bag-info.txt",
            )
    _check_custody_head(bag, report)


def _check_custody_head(bag: BagTree, report: Report) -> None:
    seq, digest = tag_value(bag.tags, INFO_CUSTODY_SEQ), tag_value(bag.tags, INFO_CUSTODY_SHA256)
    last: tuple[int, bytes] | None = None
    try:
        with open(bag.root / "data" / "custody.jsonl", "rb", opener=nofollow) as fh:
            for number, raw in enumerate(fh, start=1):
                last = (number, raw.rstrip(b"\n"))
    except OSError:
        return  # the case verification reports a missing log
    if last is None:
        return
    carried = (str(last[0]), line_digest(last[1]))
    if (seq, digest) != carried:
        report.add(
            "package-info",
            "FAIL",
            f"bag-info.txt says the package carries custody "
            f"event {seq} ({digest}); data/custody.jsonl ends with event {carried[0]} "
            f"({carried[1]})",
            path="bag-info.txt",
        )
    else:
        report.add("package-info", "PASS", "custody head")


def _case_report(data: Path, options: VerifyOptions, progress: Progress | None) -> Report:
    """verify_case on data/, its findings placed under data/."""
    report = Report()
    try:
        inner = verify_case(data, options=options, progress=progress)
    except EvidenceError as exc:
        report.add(
            "package-case", "FAIL", f"data/ is not a case folder: {exc.message}", path="data/"
        )
        return report
    inner.findings = [
        dataclasses.replace(f, path=f"data/{f.path}" if f.path else "data/") for f in inner.findings
    ]
    report.extend(inner)
    return report


def _serialised(progress: Progress | None) -> Progress | None:
    if progress is None:
        return None
    lock = threading.Lock()

    def call(stage: str, done: int, total: int) -> None:
        with lock:
            progress(stage, done, total)

    return call


def verify_bag(
    root: Path,
    report: Report,
    *,
    options: VerifyOptions | None = None,
    progress: Progress | None = None,
    case: bool = True,
) -> None:
    """Check a bag folder into ``report``: the bag, then (``case=True``) the case in data/.

    The case verification runs on a second thread while the manifests are checked; it is
    skipped when the bag is unsafe (a link could lead it outside the package).
    """
    bag = scan_tree(root, report)
    if not _check_form(bag, report):
        return
    tag_manifests = _check_manifests(bag, report)
    _check_oxum(bag, report)
    if not bag.safe:
        report.add(
            "package-case",
            "ERROR",
            "the case was not verified: the package is unsafe",
            path="data/",
        )
        return
    shared = _serialised(progress)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        inner = (
            pool.submit(_case_report, root / "data", options or VerifyOptions(), shared)
            if case
            else None
        )
        _check_digests(bag, tag_manifests, report, shared)
        if inner is not None:
            _check_info(bag, report)
            report.extend(inner.result())


def verify_package(
    path: Path,
    *,
    options: VerifyOptions,
    progress: Progress | None,
    limits: ZipLimits | None = None,
) -> Report:
    """Verify a BagIt package, a folder or a zip: the bag, then the case it carries.

    A zip is checked and extracted into a temporary folder that is removed afterwards.

    Raises:
        InputError: the path cannot be read at all.
    """
    report = Report(subject=str(path))
    if path.is_dir():
        verify_bag(path, report, options=options, progress=progress)
        return report
    with tempfile.TemporaryDirectory(prefix="evidence-package-") as tmp:
        root = extract_zip(path, Path(tmp), report, limits=limits)
        if root is not None:
            verify_bag(root, report, options=options, progress=progress)
    return report
