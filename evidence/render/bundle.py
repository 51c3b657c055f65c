"""What a dossier carries: the case data of the seal it presents, as embedded files.

The dossier of seal N embeds (named by their path in a case folder, so that extracting
them gives a case folder that ``evidence verify`` checks like any other):

- ``case.yaml``;
- ``seals/0001.json`` … ``seals/000N.json``, the whole chain, with the signatures
  (``.sig``) and time-stamp tokens (``.N.tsr``, ``.N.chain.pem``, ``.N.root.pem``) the
  embedded custody log records;
- ``records/<ID>.<revision>.json`` for every record revision seal N covers;
- ``custody.jsonl``: a prefix of the log, so that its hash chain still checks: up to seal
  N's ``sealed`` event, or up to the last ``signed`` or ``timestamped`` event after it
  that comes before any new record. Rendering again gives the same bytes unless the
  seal was signed or time-stamped in between (and then the new dossier carries that);
- ``objects/…``: the normalised text of every source (the pages print it in full and the
  quotes are checked against it), and the captured bytes and attachments of every
  source up to :data:`MAX_OBJECT_BYTES` each and :data:`MAX_EMBEDDED_BYTES` in all,
  unless the caller leaves them out (``--no-embed-sources``). What is left out is listed
  in the manifest with its digests and the reason.

Claims files (``claims/*.yaml``) are not embedded: they are the analyst's working files,
not sealed, and may have changed since the seal; the claim records carry everything they
said. See docs/decisions/0301-dossier-embedded-data.md; the names, checksum lists and
manifest follow :mod:`evidence.formats.dossier`, which the verifier reads with.

Example:
    >>> # bundle = collect_bundle(Case.open("my-case"))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from evidence._fs import read_bytes
from evidence._resources import code_digest
from evidence.case import CASE_FILE, RECORD_ACTIONS, Case
from evidence.digest import digest_bytes
from evidence.errors import CaseError
from evidence.formats import dossier as fmt
from evidence.formats.dossier import (
    MANIFEST_NAME,
    Omitted,
    PresentedSeal,
    PrintedPages,
    is_case_path,
)
from evidence.model import Record, Seal, SourceBody
from evidence.render.fonts import fonts_digest
from evidence.store import parse_record_file

__all__ = [
    "MAX_EMBEDDED_BYTES",
    "MAX_OBJECT_BYTES",
    "Bundle",
    "Omitted",
    "collect_bundle",
    "manifest_bytes",
    "renderer_versions",
]

MAX_OBJECT_BYTES: Final = 16 * 1024 * 1024
"""A captured object larger than this is named, not embedded."""
MAX_EMBEDDED_BYTES: Final = 64 * 1024 * 1024
"""Captured objects are embedded until their sizes add up to this."""

_AFTER_SEAL: Final = frozenset({"signed", "timestamped"})


@dataclass
class Bundle:
    """The case data a dossier embeds, by case path, and what it leaves out."""

    seal: Seal
    seal_name: str
    files: dict[str, bytes] = field(default_factory=dict)
    omitted: list[Omitted] = field(default_factory=list)
    sources: dict[str, Record] = field(default_factory=dict)  # "SRC-0001.1" -> record

    def seal_extras(self, kind: str) -> list[str]:
        """Names of the ``.sig`` (kind ``sig``) or ``.tsr`` files of the presented seal."""
        prefix = f"{self.seal_name}."
        return sorted(n for n in self.files if n.startswith(prefix) and n.endswith(f".{kind}"))

    def media_type(self, name: str) -> str:
        """The MIME type an embedded file is declared with."""
        if name.endswith((".json", ".jsonl")):
            return "application/json" if name.endswith(".json") else "application/jsonl"
        if name.endswith(".yaml"):
            return "application/yaml"
        if name.endswith(".tsr"):
            return "application/timestamp-reply"
        if name.endswith(".pem"):
            return "application/x-pem-file"
        if name.startswith("objects/"):
            for record in self.sources.values():
                body = record.body
                if isinstance(body, SourceBody):
                    if body.text is not None and name.endswith(body.text.blake3):
                        return "text/plain"
                    if name.endswith(body.object.blake3):
                        return body.media_type
                    for item in body.attachments:
                        if name.endswith(item.object.blake3):
                            return item.media_type
        return "application/octet-stream"

    def description(self, name: str) -> str:
        """A short description shown by PDF viewers next to the file."""
        if name == CASE_FILE:
            return "case metadata (case.yaml)"
        if name == "custody.jsonl":
            return "chain-of-custody log up to the seal (hash-chained JSON lines)"
        if name == MANIFEST_NAME:
            return "what this dossier embeds and where its pages print the digests"
        if name.startswith("seals/"):
            return (
                "seal signature (Ed25519)"
                if name.endswith(".sig")
                else "RFC 3161 time-stamp token"
                if name.endswith(".tsr")
                else "root given with --tsa-ca at stamp time (not a trust decision)"
                if name.endswith(".root.pem")
                else "certificates sent by the time-stamping authority"
                if name.endswith(".pem")
                else "seal: Merkle root (RFC 9162) over the records"
            )
        if name.startswith("records/"):
            return "evidence record (RFC 8785 JSON with its digests)"
        for record in self.sources.values():
            body = record.body
            if isinstance(body, SourceBody):
                if body.text is not None and name.endswith(body.text.blake3):
                    return f"normalised text of {record.id}"
                if name.endswith(body.object.blake3):
                    return f"captured bytes of {record.id}"
                for item in body.attachments:
                    if name.endswith(item.object.blake3):
                        return f"{item.role} of {record.id}"
        return "case file"


def _object_name(blake3_hex: str) -> str:
    return f"objects/{blake3_hex[:2]}/{blake3_hex}"


@dataclass(frozen=True, slots=True)
class _Prefix:
    """The part of the custody log a dossier carries, and the seal files its events name."""

    data: bytes
    extras: tuple[str, ...]


def _custody_prefix(case: Case, sequence: int) -> _Prefix:
    """The custody log up to seal ``sequence``'s ``sealed`` event, extended to the last
    ``signed`` or ``timestamped`` event before the next record event."""
    lines: list[bytes] = []
    end = -1
    extras: list[str] = []
    pending: list[str] = []
    for line in case.custody.lines():
        data: dict[str, Any] = line.data if isinstance(line.data, dict) else {}
        action = data.get("action")
        found = data.get("details")
        details: dict[str, Any] = found if isinstance(found, dict) else {}
        if end >= 0 and action in RECORD_ACTIONS:
            break
        lines.append(line.raw)
        if end < 0:
            if action == "sealed" and details.get("sequence") == sequence:
                end = len(lines)
                extras.extend(pending)
            elif action in _AFTER_SEAL:
                pending.extend(_named_files(details))
            continue
        if action in _AFTER_SEAL:
            end = len(lines)
            extras.extend(_named_files(details))
    if end < 0:
        raise CaseError(
            f"the custody log has no `sealed` event for seal {sequence:04d}",
            path="custody.jsonl",
            hint="Run `evidence verify` on the case.",
        )
    return _Prefix(b"".join(raw + b"\n" for raw in lines[:end]), tuple(extras))


def _named_files(details: dict[str, Any]) -> list[str]:
    """The seal files (signature, token, chain, stored root) a signing or time-stamping
    event names."""
    return [
        str(details[k])
        for k in ("file", "chain", "root")
        if isinstance(details.get(k), str) and str(details[k]).startswith("seals/")
    ]


def collect_bundle(
    case: Case,
    *,
    embed_sources: bool = True,
    max_object_bytes: int = MAX_OBJECT_BYTES,
    max_embedded_bytes: int = MAX_EMBEDDED_BYTES,
) -> Bundle:
    """Read the case data of the latest seal, as the dossier will embed it.

    Raises:
        CaseError: the case has no seal yet, or its files do not match the seal.
    """
    latest = case.latest_seal()
    if latest is None:
        raise CaseError(
            "the case has no seal yet, so there is nothing to render",
            path=str(case.root),
            hint="Run `evidence seal` first.",
        )
    seal, _ = latest
    bundle = Bundle(seal=seal, seal_name=f"seals/{seal.filename}")
    files = bundle.files
    files[CASE_FILE] = read_bytes(case.root / CASE_FILE, what="case.yaml")
    prefix = _custody_prefix(case, seal.sequence)
    files["custody.jsonl"] = prefix.data
    for number in range(1, seal.sequence + 1):
        name = f"seals/{number:04d}.json"
        files[name] = read_bytes(case.root / name, what="seal")
    for name in prefix.extras:
        if is_case_path(name) and (case.root / name).is_file():
            files[name] = read_bytes(case.root / name, what="seal file")
    budget = max_embedded_bytes
    for leaf in seal.leaves:
        name = f"records/{leaf.id}.{leaf.revision}.json"
        data = case.records.read(leaf.id, leaf.revision)
        files[name] = data
        if not leaf.id.startswith("SRC-"):
            continue
        record = _parse(data, name)
        body = record.body
        if not isinstance(body, SourceBody):
            raise CaseError(f"{name} is not a source record", hint="Run `evidence verify`.")
        bundle.sources[f"{leaf.id}.{leaf.revision}"] = record
        if body.text is not None:
            files[_object_name(body.text.blake3)] = case.objects.read(body.text.blake3)
        for ref in (body.object, *(item.object for item in body.attachments)):
            obj_name = _object_name(ref.blake3)
            if obj_name in files or any(o.name == obj_name for o in bundle.omitted):
                continue
            reason = None
            if not embed_sources:
                reason = "left out on request (--no-embed-sources)"
            elif ref.size > max_object_bytes:
                reason = f"larger than {_mib(max_object_bytes)}"
            elif ref.size > budget:
                reason = f"the embedded objects reached {_mib(max_embedded_bytes)}"
            if reason is None:
                files[obj_name] = case.objects.read(ref.blake3)
                budget -= ref.size
            else:
                bundle.omitted.append(Omitted(obj_name, ref.sha256, ref.blake3, ref.size, reason))
    for name in files:
        assert is_case_path(name), name
    return bundle


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


def _parse(data: bytes, name: str) -> Record:
    # Not checked against the seal's digest here: the dossier's verification decides
    # (a case whose sealed data does not verify is refused with its report, exit 1).
    return parse_record_file(data, name=name).record


def renderer_versions(tool: str) -> dict[str, str]:
    """What made the pages: the tool, the PDF library, the fonts (the SHA-256 over the
    font files' digests) and the code (:func:`evidence._resources.code_digest`, which
    changes with any edit where the version number may not, docs/decisions/0328).
    ``verify`` re-renders a dossier from its embedded data and compares bytes when these
    are its own, and page texts when they are not."""
    import reportlab

    return {
        "tool": tool,
        "reportlab": str(reportlab.Version),
        "fonts": fonts_digest(),
        "code": code_digest(),
    }


def manifest_bytes(
    bundle: Bundle, *, template: str, tool: str, pages: PrintedPages, total_pages: int
) -> bytes:
    """The manifest (``evidence-dossier.json``) of this bundle, in the format of
    :func:`evidence.formats.dossier.manifest_bytes`."""
    return fmt.manifest_bytes(
        case_id=bundle.seal.case_id,
        template=template,
        tool=tool,
        renderer=renderer_versions(tool),
        seal=PresentedSeal(
            sequence=bundle.seal.sequence,
            file=bundle.seal_name,
            root=bundle.seal.root,
            sha256=digest_bytes(bundle.files[bundle.seal_name]).sha256,
        ),
        files=bundle.files,
        omitted=bundle.omitted,
        pages=pages,
        total_pages=total_pages,
    )
