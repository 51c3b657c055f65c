"""Verification of a dossier PDF: the case data it carries, and what its pages print.

A dossier (``evidence render``) embeds the case data of the seal it presents as PDF
embedded files (ISO 32000-1 §7.11.4), named by their path in a case folder:
``case.yaml``, ``custody.jsonl`` (up to the seal), ``seals/0001.json`` … with any
``.sig`` and ``.tsr`` files, ``records/<ID>.<revision>.json`` for every record revision
the seal covers, and ``objects/ab/<blake3>`` for the source objects (captured bytes,
attachments, normalised texts); the lists ``SHA256SUMS`` and ``B3SUMS`` of those files, in
the format ``sha256sum -c`` and ``b3sum --check`` read; and a manifest,
``evidence-dossier.json``, that lists every embedded file with its digests, the objects
left out (too large, or ``--no-embed-sources``), and on which pages the cover, the
exhibit register and the integrity annex are. See docs/decisions/0301-dossier-embedded-data.md.

:func:`verify_dossier` extracts those files into a temporary case folder and runs the same
checks as on a case folder (:func:`evidence.verify.case.verify_case`), so the report names
the same facts; then it checks the dossier itself:

- ``dossier-embedded``: the PDF carries case data; every name is a case path; every file
  matches the manifest (SHA-256 and size), and the manifest lists every file; the
  checksum lists name every file with its digest;
- ``dossier-seal``: the seal the manifest presents is the latest embedded seal;
- ``dossier-omitted`` (INFO): objects the dossier names but does not carry; the records
  still pin their digests, to be checked against the case folder or a package;
- ``dossier-pages``: the PDF is, byte for byte, what rendering its embedded data again
  gives (docs/decisions/0408): an edited page, an appended page, an annotation, an
  incremental update or bytes after ``%%EOF`` all fail. A dossier made by another
  renderer version is compared by the text and structure of each page instead, and the
  report says so;
- ``dossier-printed``: the seal root printed on the cover and in the integrity annex, the
  digests of every record revision printed in the integrity annex, and each exhibit's
  SHA-256 and BLAKE3 printed in the exhibit register are those of the embedded data (read
  back from the pages by PDF text extraction).

The embedded-file names, the checksum lists and the manifest are defined in
:mod:`evidence.formats.dossier`, which the renderer follows too.

pypdf reports the repairs it makes to read a damaged file through its ``pypdf`` logger.
This module leaves that logger as the application set it (the command line shows those
messages as warnings, ``evidence.cli``): what matters is in the report, since a PDF that
needed repairs is not the rendering of its embedded data (``dossier-pages`` fails).

Example:
    >>> # report = verify_dossier(Path("dossier.pdf"), options=VerifyOptions(), progress=None)
"""

from __future__ import annotations

import re
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evidence.canonical import loads_json
from evidence.digest import digest_bytes, is_hex64
from evidence.errors import EvidenceError, InputError
from evidence.formats.dossier import (
    DOSSIER_SCHEMA,
    MANIFEST_NAME,
    SUMS,
    checksum_list,
    is_case_path,
    materialise,
    printed_pages,
)
from evidence.progress import Progress
from evidence.report import Finding, Report
from evidence.verify.case import verify_case
from evidence.verify.options import VerifyOptions

__all__ = [
    "read_embedded_files",
    "verify_dossier",
]


# -- reading the PDF ----------------------------------------------------------------------


def _reader(path: Path) -> Any:
    from pypdf import PdfReader

    try:
        return PdfReader(path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files: one clear line
        raise InputError(
            f"not a readable PDF ({type(exc).__name__}: {exc})", path=str(path)
        ) from exc


def read_embedded_files(path: Path) -> dict[str, list[bytes]]:
    """Every embedded file of a PDF, by name (a list: a name may occur more than once).

    Raises:
        InputError: the file is not a PDF that can be read.
    """
    reader = _reader(path)
    try:
        return {str(name): [bytes(d) for d in data] for name, data in reader.attachments.items()}
    except (Exception, zlib.error) as exc:  # a damaged name tree or stream
        raise InputError(
            f"cannot read the embedded files ({type(exc).__name__}: {exc})", path=str(path)
        ) from exc


def _page_texts(path: Path, pages: set[int]) -> dict[int, str]:
    """The extracted text of some pages, white space removed (digests wrap across lines)."""
    out: dict[int, str] = {}
    reader = _reader(path)
    total = len(reader.pages)
    for number in sorted(pages):
        if 1 <= number <= total:
            try:
                text = reader.pages[number - 1].extract_text()
            except Exception:  # an unreadable page prints nothing that can be checked
                text = ""
            out[number] = "".join(text.split())
    return out


# -- verification -------------------------------------------------------------------------


def verify_dossier(
    path: Path,
    *,
    options: VerifyOptions,
    progress: Progress | None,
) -> Report:
    """Verify a dossier PDF: its embedded case data, and what its pages print.

    Raises:
        InputError: the file is not a PDF that can be read (the command cannot run).
    """
    report = Report(subject=str(path))
    found = read_embedded_files(path)
    report.count("embedded files", sum(len(v) for v in found.values()))
    files: dict[str, bytes] = {}
    for name, versions in sorted(found.items()):
        if len(versions) > 1:
            report.add(
                "dossier-embedded",
                "FAIL",
                f"{len(versions)} embedded files are named {name!r}",
                path=name,
            )
        if name == MANIFEST_NAME or name in SUMS or is_case_path(name):
            files[name] = versions[0]
        else:
            report.add(
                "dossier-embedded",
                "FAIL",
                f"an embedded file {name!r} that is not part of a case folder",
                path=name,
            )
    if not any(is_case_path(name) for name in files):
        report.add(
            "dossier-embedded",
            "FAIL",
            "this PDF carries no embedded case data (was it rendered by `evidence "
            "render`, or were its attachments removed?)",
        )
        return report
    manifest = _manifest(report, files.pop(MANIFEST_NAME, None))
    sums = {name: files.pop(name) for name in SUMS if name in files}
    missing = [n for n in ("case.yaml", "custody.jsonl") if n not in files]
    seals = sorted(n for n in files if re.fullmatch(r"seals/[0-9]+\.json", n))
    if missing or not seals:
        what = ", ".join(missing + ([] if seals else ["seals/*.json"]))
        report.add("dossier-embedded", "FAIL", f"the embedded case data lacks {what}")
        return report
    omitted = _check_manifest_files(report, manifest, files)
    _check_sums(report, sums, files)
    with tempfile.TemporaryDirectory(prefix="evidence-dossier-") as tmp:
        materialise(files, Path(tmp))
        inner = verify_case(tmp, options=options, progress=progress, closed_world=False)
        if manifest:
            # The verdict the pages print is that of render's own check: default options.
            as_rendered = (
                inner if options == VerifyOptions() else verify_case(tmp, closed_world=False)
            )
            rendered_verdict = _as_rendered(as_rendered, omitted)
    _take_findings(report, inner, omitted)
    seal_doc = _latest_seal(files, seals)
    _check_seal(report, manifest, seal_doc, seals[-1])
    if seal_doc is not None:
        _check_printed(report, path, manifest, seal_doc, files)
        if manifest:
            _check_pages(report, path, files, manifest, rendered_verdict)
    return report


def _manifest(report: Report, data: bytes | None) -> dict[str, Any]:
    if data is None:
        report.add(
            "dossier-embedded",
            "FAIL",
            f"no {MANIFEST_NAME} among the embedded files",
            path=MANIFEST_NAME,
        )
        return {}
    try:
        doc = loads_json(data, path=MANIFEST_NAME)
    except EvidenceError as exc:
        report.add("dossier-embedded", "FAIL", exc.message, path=MANIFEST_NAME)
        return {}
    if not isinstance(doc, dict) or doc.get("schema") != DOSSIER_SCHEMA:
        report.add(
            "dossier-embedded",
            "FAIL",
            f"not a dossier manifest (expected schema {DOSSIER_SCHEMA!r})",
            path=MANIFEST_NAME,
        )
        return {}
    return doc


def _entries(manifest: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = manifest.get(key)
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, dict) and isinstance(e.get("name"), str)]


def _check_manifest_files(
    report: Report, manifest: Mapping[str, Any], files: Mapping[str, bytes]
) -> dict[str, dict[str, Any]]:
    """Compare the files with the manifest; return the omitted objects by BLAKE3."""
    if not manifest:
        return {}
    listed = {e["name"]: e for e in _entries(manifest, "files")}
    for name, data in sorted(files.items()):
        entry = listed.pop(name, None)
        if entry is None:
            report.add("dossier-embedded", "FAIL", "embedded, but not in the manifest", path=name)
            continue
        pair = digest_bytes(data)
        if entry.get("sha256") != pair.sha256 or entry.get("size") != pair.size:
            report.add(
                "dossier-embedded",
                "FAIL",
                f"the manifest says sha256 {entry.get('sha256')} ({entry.get('size')} "
                f"bytes), the embedded file has {pair.sha256} ({pair.size} bytes)",
                path=name,
            )
        else:
            report.add("dossier-embedded", "PASS", name)
    for name in sorted(listed):
        report.add("dossier-embedded", "FAIL", "in the manifest, but not embedded", path=name)
    omitted: dict[str, dict[str, Any]] = {}
    for entry in _entries(manifest, "omitted"):
        digest = entry["name"].rsplit("/", 1)[-1]
        if is_case_path(entry["name"]) and entry["name"].startswith("objects/"):
            omitted[digest] = entry
    return omitted


def _check_sums(report: Report, sums: Mapping[str, bytes], files: Mapping[str, bytes]) -> None:
    """The embedded checksum lists must be exactly the lists of the embedded case files."""
    for name, algorithm in SUMS.items():
        if name not in sums:
            report.add("dossier-embedded", "FAIL", f"no {name} among the embedded files", path=name)
        elif sums[name] != checksum_list(files, algorithm):
            report.add(
                "dossier-embedded",
                "FAIL",
                f"{name} does not list the embedded case files with their "
                f"{algorithm.upper()} digests",
                path=name,
            )
        else:
            report.add("dossier-embedded", "PASS", name)


def _take_findings(report: Report, inner: Report, omitted: Mapping[str, Mapping[str, Any]]) -> None:
    """Copy the case folder's findings; an object the dossier leaves out on purpose is
    information, not a failure."""
    report.checked.update(inner.checked)
    report.passed.update(inner.passed)
    report.latest_seal = inner.latest_seal
    for finding in inner.findings:
        digest = _missing_object(finding)
        if digest is not None and digest in omitted:
            reason = omitted[digest].get("reason", "left out")
            report.add(
                "dossier-omitted",
                "INFO",
                f"object {digest} is not embedded in this dossier ({reason}); the "
                f"record pins its digests: check it against the case folder or a "
                f"package",
                path=f"objects/{digest[:2]}/{digest}",
                record=finding.record,
            )
            report.count("objects not embedded")
            continue
        report.findings.append(finding)


def _missing_object(finding: Finding) -> str | None:
    if not finding.check.startswith("source-") or finding.status != "FAIL":
        return None
    match = re.fullmatch(r"object ([0-9a-f]{64}) is missing", finding.message)
    return match.group(1) if match else None


def _latest_seal(files: Mapping[str, bytes], seals: list[str]) -> dict[str, Any] | None:
    try:
        doc = loads_json(files[seals[-1]], path=seals[-1])
    except EvidenceError:
        return None  # verify_case has reported it
    if not isinstance(doc, dict):
        return None
    tree = doc.get("tree")
    if not isinstance(tree, dict) or not is_hex64(tree.get("root")):
        return None
    return doc


def _check_seal(
    report: Report, manifest: Mapping[str, Any], seal_doc: Mapping[str, Any] | None, name: str
) -> None:
    if not manifest or seal_doc is None:
        return
    presented = manifest.get("seal")
    if not isinstance(presented, dict):
        report.add("dossier-seal", "FAIL", "the manifest names no seal", path=MANIFEST_NAME)
        return
    expected = {
        "sequence": seal_doc.get("sequence"),
        "root": seal_doc["tree"]["root"],
        "file": name,
    }
    for key, value in expected.items():
        if presented.get(key) != value:
            report.add(
                "dossier-seal",
                "FAIL",
                f"the dossier presents seal {key} {presented.get(key)}, the latest "
                f"embedded seal has {value}",
                path=MANIFEST_NAME,
            )
            return
    report.add("dossier-seal", "PASS", name)


def _check_printed(
    report: Report,
    path: Path,
    manifest: Mapping[str, Any],
    seal_doc: Mapping[str, Any],
    files: Mapping[str, bytes],
) -> None:
    """Read the pages back and look for the digests of the embedded data on them."""
    if not manifest:
        return
    spans = printed_pages(manifest)
    wanted: set[int] = set()
    for span in (spans.cover, spans.register, spans.integrity):
        if span is not None:
            wanted.update(range(span[0], span[1] + 1))
    texts = _page_texts(path, wanted)
    report.count("pages read", len(texts))

    def text_of(span: tuple[int, int] | None) -> str | None:
        if span is None:
            return None
        return "".join(texts.get(n, "") for n in range(span[0], span[1] + 1))

    root = seal_doc["tree"]["root"]
    cover, integrity, register = (
        text_of(spans.cover),
        text_of(spans.integrity),
        text_of(spans.register),
    )
    for label, text in (("cover", cover), ("integrity annex", integrity)):
        if text is None:
            report.add(
                "dossier-printed",
                "FAIL",
                f"the manifest does not say where the {label} is",
                path=MANIFEST_NAME,
            )
        elif root not in text:
            report.add(
                "dossier-printed",
                "FAIL",
                f"the {label} does not print the embedded seal's root {root}",
            )
        else:
            report.add("dossier-printed", "PASS", label)
    if integrity is not None:
        absent = [
            f"{leaf.get('id')}.{leaf.get('revision')}"
            for leaf in seal_doc.get("leaves", [])
            if isinstance(leaf, dict)
            and (
                str(leaf.get("sha256")) not in integrity or str(leaf.get("blake3")) not in integrity
            )
        ]
        _printed_result(
            report, absent, "the integrity annex does not print the digests of record revision(s)"
        )
    if register is None:
        report.add(
            "dossier-printed",
            "FAIL",
            "the manifest does not say where the exhibit register is",
            path=MANIFEST_NAME,
        )
        return
    absent = []
    for name, data in sorted(files.items()):
        if not name.startswith("records/SRC-"):
            continue
        obj = _source_object(data, name)
        if obj is not None and (obj[0] not in register or obj[1] not in register):
            absent.append(name.removeprefix("records/").removesuffix(".json"))
    _printed_result(
        report,
        absent,
        "the exhibit register does not print the SHA-256 and BLAKE3 of the object(s) of",
    )


def _printed_result(report: Report, absent: list[str], what: str) -> None:
    if absent:
        more = f" and {len(absent) - 5} more" if len(absent) > 5 else ""
        report.add("dossier-printed", "FAIL", f"{what} {', '.join(absent[:5])}{more}")
    else:
        report.add("dossier-printed", "PASS", what)


def _source_object(data: bytes, name: str) -> tuple[str, str] | None:
    from evidence.store import record_slice

    record = record_slice(data)
    if record is None:
        return None
    try:
        doc = loads_json(record, path=name)
    except EvidenceError:
        return None
    body = doc.get("body") if isinstance(doc, dict) else None
    obj = body.get("object") if isinstance(body, dict) else None
    if not isinstance(obj, dict):
        return None
    return str(obj.get("sha256")), str(obj.get("blake3"))


# -- every page, by rendering the embedded data again (docs/decisions/0408) ------------------


def _as_rendered(inner: Report, omitted: Mapping[str, Mapping[str, Any]]) -> Report:
    """The report render had: it linked the objects a dossier leaves out, so they were
    read and counted, and their records' references checked."""
    out = Report(subject=inner.subject)
    out.checked.update(inner.checked)
    out.passed.update(inner.passed)
    for finding in inner.findings:
        digest = _missing_object(finding)
        if digest is None or digest not in omitted:
            out.findings.append(finding)
    if omitted:
        out.checked["objects"] += len(omitted)
    return out


def _check_pages(
    report: Report,
    path: Path,
    files: Mapping[str, bytes],
    manifest: Mapping[str, Any],
    verdict: Report,
) -> None:
    """``dossier-pages``: the PDF is exactly the rendering of its embedded data.

    The renderer is deterministic, so the same data, template and renderer give the same
    bytes: any edit to a page, an appended page, an annotation, an incremental update or
    bytes after ``%%EOF`` makes them differ. A dossier made by another renderer (tool,
    reportlab or font versions, recorded in the manifest) is compared page by page by its
    extracted text instead, and the report says so.
    """
    # Re-rendering is the check, so verify calls the renderer (lazily: render imports
    # verify for the formats it shares, never the other way round at import time).
    from evidence.case import tool_name
    from evidence.render.bundle import renderer_versions
    from evidence.render.dossier import render_embedded

    original = path.read_bytes()
    ours = renderer_versions(tool_name())
    theirs = manifest.get("renderer")
    try:
        again = render_embedded(files, manifest, verdict)
    except (EvidenceError, KeyError, TypeError, ValueError) as exc:
        message = exc.message if isinstance(exc, EvidenceError) else f"{type(exc).__name__}"
        report.add(
            "dossier-pages",
            "ERROR",
            f"the pages cannot be checked: the embedded data cannot be rendered again ({message})",
        )
        return
    report.count("dossier renderings compared")
    if original == again:
        report.add("dossier-pages", "PASS", "byte for byte")
        return
    if theirs == ours:
        problems = _differences(original, again)
    else:
        made_by = (
            ", ".join(f"{k} {v}" for k, v in sorted(theirs.items()))
            if isinstance(theirs, dict)
            else "a renderer that did not record itself"
        )
        report.add(
            "dossier-pages",
            "INFO",
            f"rendered by {made_by}; this verifier renders with "
            f"{', '.join(f'{k} {v}' for k, v in sorted(ours.items()))}: the pages were "
            "compared by their extracted text and structure, not byte for byte",
        )
        problems = _structure(original, again) + _text_differences(original, again)
    for problem in problems:
        report.add("dossier-pages", "FAIL", problem)
    if not problems:
        report.add("dossier-pages", "PASS", "page texts")


def _differences(original: bytes, again: bytes) -> list[str]:
    if original.startswith(again):
        return [
            f"{len(original) - len(again)} byte(s) after the end of the rendering (its "
            "%%EOF): appended data or an incremental update"
        ]
    found = _structure(original, again) + _text_differences(original, again)
    if not found:
        at = next(
            (i for i, (a, b) in enumerate(zip(original, again, strict=False)) if a != b),
            min(len(original), len(again)),
        )
        found.append(
            f"the PDF is not the rendering of its embedded data (they differ from "
            f"byte {at}: a changed content stream, image, font, outline or embedded "
            "file)"
        )
    return found


def _structure(original: bytes, again: bytes) -> list[str]:
    """Incremental updates, bytes after %%EOF, extra pages and annotations."""
    found: list[str] = []
    updates = original.count(b"%%EOF") - again.count(b"%%EOF")
    if updates > 0:
        found.append(
            f"{updates} incremental update(s) after the rendering (more %%EOF "
            "markers than the rendering has)"
        )
    tail = original[original.rfind(b"%%EOF") + 5 :] if b"%%EOF" in original else original
    if tail.strip():
        found.append(f"{len(tail.strip())} byte(s) after the last %%EOF")
    pages_a, annots_a = _layout(original)
    pages_b, annots_b = _layout(again)
    if pages_a != pages_b:
        found.append(f"the PDF has {pages_a} page(s); its embedded data renders to {pages_b}")
    for number, (a, b) in enumerate(zip(annots_a, annots_b, strict=False), start=1):
        if a != b:
            found.append(f"page {number} carries {a} annotation(s); the rendering has {b}")
    return found


def _layout(data: bytes) -> tuple[int, list[int]]:
    """Page count and annotations per page (0 pages for a PDF that cannot be read)."""
    import io

    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        annots = []
        for page in reader.pages:
            value = page.get("/Annots")
            annots.append(len(value.get_object()) if value is not None else 0)
        return len(annots), annots
    except Exception:  # a damaged PDF: the comparison of texts says more
        return 0, []


def _text_differences(original: bytes, again: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    found: list[str] = []
    try:
        left = [p.extract_text() for p in PdfReader(io.BytesIO(original)).pages]
        right = [p.extract_text() for p in PdfReader(io.BytesIO(again)).pages]
    except Exception as exc:  # fail closed: unreadable pages prove nothing
        return [f"the pages cannot be read to compare them ({type(exc).__name__})"]
    for number, (a, b) in enumerate(zip(left, right, strict=False), start=1):
        if " ".join(a.split()) != " ".join(b.split()):
            found.append(
                f"page {number} does not print what its embedded data renders to "
                f"({_first_change(a, b)})"
            )
    return found


def _first_change(printed: str, rendered: str) -> str:
    a, b = " ".join(printed.split()), " ".join(rendered.split())
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return (
        f"prints «{a[max(0, at - 20) : at + 30]}», the data gives «{b[max(0, at - 20) : at + 30]}»"
    )
