"""The seal-chain checks, one set for every verifier of seals (whole or partial case).

For each seal file, in sequence order (:func:`read_seals`, :func:`check_chain`):

- ``seal-schema``: the file is RFC 8785 JSON that fits the seal schema;
- ``seal-chain``: the file ``NNNN.json`` holds sequence NNNN; the first seal names no
  previous seal; every later one names the one before by sequence, root and file SHA-256
  (ERROR when the previous seal could not be read: the link could not be checked);
- ``seal-case``: the seal is for this case;
- ``seal-consistency``: the tree only grew: the previous seal's leaves are the first of
  this one's, and an RFC 9162 §2.1.4 consistency proof (computed from the record files
  by the whole-case verifier, carried in disclosure.json by a partial case) leads from
  the previous root to this one;
- what is stored beside each seal and the trust rules across the chain
  (:mod:`evidence.verify.attachments`);
- ``seal-pin``: the chain reaches what the verifier pinned from outside
  (``--expect-root``: some seal has that root; ``--min-seal``: the latest seal is at least
  that sequence). A rollback (the last seal, its records and custody lines deleted
  consistently) leaves a case that is whole from inside; only a pin from outside can show
  it, which is why every report names the latest seal (``Report.latest_seal``).

Example:
    >>> report = Report()
    >>> check_pins(report, [(1, "ab" * 32)], VerifyOptions(min_seal=2), rel="seals/0001.json")
    >>> [f.check for f in report.problems()]
    ['seal-pin']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence._fs import read_bytes
from evidence.canonical import loads_json
from evidence.digest import digest_bytes
from evidence.errors import EvidenceError
from evidence.integrity.merkle import verify_consistency
from evidence.model import Seal, SealLink
from evidence.report import Report
from evidence.schema import is_valid, issues
from evidence.verify.attachments import (
    AttachmentResult,
    check_seal_attachments,
    check_seal_trust,
    files_beside,
)
from evidence.verify.options import VerifyOptions

__all__ = [
    "ConsistencyProof",
    "ReadSeal",
    "check_chain",
    "check_pins",
    "latest_seal_facts",
    "read_seals",
]

ConsistencyProof = Callable[[Seal, Seal], Sequence[bytes] | None]
"""(previous seal, seal) -> the RFC 9162 consistency proof between their trees, or None
when the verifier has none."""


@dataclass(frozen=True)
class ReadSeal:
    """A seal file as read once: where it is, its bytes, its content and its model."""

    path: Path
    rel: str
    data: bytes
    doc: dict[str, Any]
    seal: Seal


def read_seals(
    files: Sequence[Path], report: Report, *, rel: Callable[[Path], str]
) -> list[ReadSeal | None]:
    """Read each seal file (``seal-schema``); None for one that cannot be read."""
    out: list[ReadSeal | None] = []
    for path in files:
        name = rel(path)
        report.count("seals")
        try:
            data = read_bytes(path, what="seal")
            doc = loads_json(data, path=name)
        except EvidenceError as exc:
            report.add("seal-schema", "FAIL", exc.message, path=name)
            out.append(None)
            continue
        if not isinstance(doc, dict) or not is_valid("seal", doc):
            for issue in issues("seal", doc)[:3]:
                report.add("seal-schema", "FAIL", f"{issue.pointer}: {issue.message}", path=name)
            out.append(None)
            continue
        try:
            seal = Seal.from_dict(doc)
        except EvidenceError as exc:
            report.add("seal-schema", "FAIL", exc.message, path=name)
            out.append(None)
            continue
        out.append(ReadSeal(path, name, data, doc, seal))
    return out


def check_chain(
    report: Report,
    seals: Sequence[ReadSeal | None],
    *,
    case_id: str,
    options: VerifyOptions,
    custody_path: Path | None,
    proof: ConsistencyProof,
    names: Sequence[str],
) -> None:
    """The checks of every seal and of the chain they form (see the module docstring).

    Args:
        report: where findings go.
        seals: what :func:`read_seals` read, in file order.
        case_id: the case the seals must be for.
        options: trust anchors, requirements and pins.
        custody_path: the custody log that records signatures and tokens, if any.
        proof: gives the consistency proof between two seals' trees.
        names: the seal files as the report names them (for seals that could not be read).
    """
    previous: ReadSeal | None = None
    trust: list[tuple[str, AttachmentResult | None]] = []
    roots: list[tuple[int, str]] = []
    folders = {read.path.parent for read in seals if read is not None}
    beside = {folder: files_beside(folder) for folder in folders}  # one listing, not one a seal
    for index, (read, name) in enumerate(zip(seals, names, strict=True), start=1):
        if read is None:
            trust.append((name, None))
            previous = None
            continue
        seal, rel = read.seal, read.rel
        if seal.sequence != index or read.path.name != f"{index:04d}.json":
            report.add(
                "seal-chain",
                "FAIL",
                f"seal file {read.path.name} holds sequence {seal.sequence}, expected "
                f"{index:04d}.json",
                path=rel,
            )
        if seal.case_id != case_id:
            report.add(
                "seal-case",
                "FAIL",
                f"sealed for case {seal.case_id!r}, this case is {case_id!r}",
                path=rel,
            )
        _check_link(report, read, previous, index, proof)
        trust.append(
            (
                rel,
                check_seal_attachments(
                    report,
                    read.path,
                    read.data,
                    read.doc,
                    options,
                    rel=rel,
                    custody_path=custody_path,
                    beside=beside[read.path.parent].get(read.path.name, ()),
                ),
            )
        )
        roots.append((seal.sequence, seal.root))
        previous = read
    check_seal_trust(report, trust, options)
    check_pins(report, roots, options, rel=trust[-1][0] if trust else "seals/")
    last = seals[-1] if seals else None
    if last is not None:
        report.latest_seal = latest_seal_facts(last.doc, last.data, last.rel)


def _check_link(
    report: Report, read: ReadSeal, previous: ReadSeal | None, index: int, proof: ConsistencyProof
) -> None:
    seal, rel = read.seal, read.rel
    link = seal.previous
    if index == 1:
        if link is not None:
            report.add("seal-chain", "FAIL", "the first seal names a previous seal", path=rel)
        return
    if link is None:
        report.add("seal-chain", "FAIL", "names no previous seal", path=rel)
        return
    if previous is None:
        report.add(
            "seal-chain",
            "ERROR",
            "the previous seal could not be read, so the link to it cannot be checked",
            path=rel,
        )
        return
    before = previous.seal
    expected = SealLink(before.sequence, before.root, digest_bytes(previous.data).sha256)
    if link != expected:
        which = next(
            (k for k in ("sequence", "root", "sha256") if getattr(link, k) != getattr(expected, k)),
            "sequence",
        )
        report.add(
            "seal-chain",
            "FAIL",
            f"previous.{which} is {getattr(link, which)}, the previous seal file gives "
            f"{getattr(expected, which)}",
            path=rel,
        )
    else:
        report.add("seal-chain", "PASS", rel)
    if before.size == 0:
        return
    if before.size > seal.size or seal.leaves[: before.size] != before.leaves:
        report.add(
            "seal-consistency",
            "FAIL",
            f"the first {before.size} leaves differ from the previous seal's: the "
            "case did not only grow",
            path=rel,
        )
        return
    path = proof(before, seal)
    if path is None:
        report.add(
            "seal-consistency",
            "FAIL",
            f"no consistency proof from seal {before.sequence} to {seal.sequence}",
            path=rel,
        )
    elif verify_consistency(
        before.size, seal.size, bytes.fromhex(before.root), bytes.fromhex(seal.root), list(path)
    ):
        report.add("seal-consistency", "PASS", rel)
    else:
        report.add(
            "seal-consistency",
            "FAIL",
            f"no RFC 9162 consistency between seal {before.sequence} (size "
            f"{before.size}) and seal {seal.sequence} (size {seal.size})",
            path=rel,
        )


def latest_seal_facts(doc: Mapping[str, Any], data: bytes, rel: str) -> dict[str, Any]:
    """What a report says about the latest seal, for a recipient to pin."""
    return {
        "sequence": doc["sequence"],
        "file": rel,
        "root": doc["tree"]["root"],
        "size": doc["tree"]["size"],
        "sealed_at": doc["sealed_at"],
        "custody_head": {"seq": doc["custody"]["seq"], "sha256": doc["custody"]["sha256"]},
        "sha256": digest_bytes(data).sha256,
    }


def check_pins(
    report: Report, roots: Sequence[tuple[int, str]], options: VerifyOptions, *, rel: str
) -> None:
    """Check ``--expect-root`` and ``--min-seal`` against the seals read.

    Args:
        report: where findings go.
        roots: (sequence, root) of every seal that could be read, in order.
        options: the pins.
        rel: where to point a finding (the latest seal file, or ``seals/``).
    """
    if options.min_seal is not None:
        latest = roots[-1][0] if roots else 0
        if latest < options.min_seal:
            report.add(
                "seal-pin",
                "FAIL",
                f"the latest seal is {latest:04d}, but at least {options.min_seal:04d} "
                "was expected (--min-seal): seals were removed (a rollback) or this is "
                "an older copy",
                path=rel,
            )
        else:
            report.add("seal-pin", "PASS", rel)
    if options.expect_root is not None:
        wanted = options.expect_root.lower()
        found = [sequence for sequence, root in roots if root == wanted]
        if not found:
            report.add(
                "seal-pin",
                "FAIL",
                f"no seal has the expected root {wanted} (--expect-root): the case was "
                "rolled back behind it, or replaced",
                path=rel,
            )
        else:
            report.add("seal-pin", "PASS", rel)
