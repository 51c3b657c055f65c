"""``evidence render``: the dossier of a case's latest seal, as one PDF file.

Rendering reads the case data of the latest seal (:mod:`evidence.render.bundle`), verifies
exactly those bytes with :func:`evidence.verify.verify_case` (the dossier prints that
verdict and refuses to present data that does not verify), lays out the pages in the
template's dress, embeds the case data in the PDF, writes the file atomically (by default
``<case>/out/<case-id>-seal-<NNNN>-<template>.pdf``) and appends a ``rendered`` event to
the custody log. It never writes into ``objects/``, ``records/`` or ``seals/``.

The same seal, template and tool version give a byte-identical PDF: the dossier's date is
the seal's, the PDF's creation date is the seal time, the embedded custody log stops at
the seal, and nothing reads the clock or the environment.

Example:
    >>> # result = render_dossier(Case.open("my-case"), template="icc-otp")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import gc
import io
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from reportlab.platypus import Flowable
from reportlab.platypus.doctemplate import LayoutError

from evidence._fs import replace_file
from evidence._time import parse_time
from evidence._yaml import load_yaml
from evidence.canonical import loads_json
from evidence.case import CASE_FILE, Case, default_actor, parse_case_meta, tool_name
from evidence.conventions import institution_number
from evidence.digest import digest_bytes
from evidence.errors import InputError, UsageError, VerificationFailed
from evidence.formats.dossier import MANIFEST_NAME, SUMS, PrintedPages, checksum_list, materialise
from evidence.integrity.custody import NewEvent
from evidence.model import CaseMeta, Seal
from evidence.progress import Progress
from evidence.render.annexes import ANNEX_BUILDERS
from evidence.render.bundle import (
    MAX_EMBEDDED_BYTES,
    MAX_OBJECT_BYTES,
    Bundle,
    Omitted,
    collect_bundle,
    manifest_bytes,
)
from evidence.render.canvas import Attachment, DossierCanvas
from evidence.render.content import DossierContent, Verdict, build_content, verdict_of
from evidence.render.context import Writer, placeholder_values
from evidence.render.coverage import Unprintable, find_unprintable, summary
from evidence.render.covers import COVER_BUILDERS, COVER_END
from evidence.render.flowables import keep_headings
from evidence.render.integrity import build_integrity
from evidence.render.pages import DocumentInfo, DossierDocument, running_lines
from evidence.render.sections import SECTION_BUILDERS
from evidence.render.styles import Styles
from evidence.render.template import Template, load_template
from evidence.report import Report
from evidence.store import parse_record_file
from evidence.verify.case import verify_case

__all__ = [
    "RenderResult",
    "build_pdf",
    "compose_story",
    "default_output",
    "render_dossier",
    "render_embedded",
]

_PROTECTED = ("objects", "records", "seals", "claims")


@dataclass(frozen=True)
class RenderResult:
    """What a render did: where the PDF is, its digest and size, and what it holds."""

    path: Path
    template: str
    seal: Seal
    pages: int
    sha256: str
    size: int
    embedded: int
    omitted: tuple[Omitted, ...]
    unsealed: int
    verdict: Verdict
    unprintable: tuple[Unprintable, ...] = ()


def default_output(case: Case, seal: Seal, template: str) -> Path:
    """``<case>/out/<case-id>-seal-<NNNN>-<template>.pdf``."""
    return case.out_dir / f"{case.meta.id}-seal-{seal.sequence:04d}-{template}.pdf"


def _check_output(case: Case, output: Path) -> None:
    """Refuse to write where evidence lives, or into a folder that does not exist."""
    target = output.resolve()
    root = case.root.resolve()
    for name in _PROTECTED:
        if target.is_relative_to(root / name):
            raise UsageError(
                f"{output}: a dossier is never written into {name}/ of a case "
                "(evidence is never rewritten there)",
                hint="Write it to out/ (the default) or elsewhere.",
            )
    if target in (root / CASE_FILE, root / "custody.jsonl"):
        raise UsageError(f"{output}: would overwrite a file of the case")
    if output.suffix.lower() != ".pdf":
        raise UsageError(f"{output}: the dossier is a PDF; give a file name ending in .pdf")
    if output.exists() and output.is_dir():
        raise UsageError(f"{output}: is a folder; give a file name ending in .pdf")
    if not output.parent.is_dir():
        raise UsageError(f"{output.parent}: no such folder")


def _verify_bundle(case: Case, bundle: Bundle, progress: Progress | None) -> Report:
    """Verify the exact bytes the dossier will carry (objects left out are linked, so the
    verdict covers them too)."""
    links = {o.name: case.objects.path(o.blake3) for o in bundle.omitted}
    size = sum(len(data) for data in bundle.files.values())
    scratch = scratch_dir(size)
    with tempfile.TemporaryDirectory(prefix="evidence-render-", dir=scratch) as tmp:
        materialise(bundle.files, Path(tmp), links)
        return verify_case(tmp, progress=progress, closed_world=False)


MEMORY_DIR: Final = Path("/dev/shm")  # noqa: S108 - only a mkdtemp folder (0700) goes there
"""A memory file system most Linux systems mount: the case data verified before a render
is written there when it has room (docs/decisions/0325-verify-in-memory.md)."""


def scratch_dir(size: int, memory: Path = MEMORY_DIR) -> str | None:
    """Where to write ``size`` bytes of files that live for one render: ``memory`` when it
    is a writable folder with room for them four times over and 64 MiB more (the files of
    a 1,000-claim case cost the system half a second to create on a disk file system, and
    nothing in memory); None (the system's temporary folder) otherwise."""
    try:
        if not (memory.is_dir() and os.access(memory, os.W_OK | os.X_OK)):
            return None
        stats = os.statvfs(memory)
    except OSError:
        return None
    free = stats.f_bavail * stats.f_frsize
    return str(memory) if free >= 4 * size + 64 * 2**20 else None


def _meta(bundle: Bundle) -> CaseMeta:
    return parse_case_meta(load_yaml(bundle.files[CASE_FILE], path=CASE_FILE))


def _info(template: Template, content: DossierContent) -> DocumentInfo:
    v = placeholder_values(template, content, ())
    seal = content.seal
    return DocumentInfo(
        title=f"{template.document_type}: {content.meta.title}",
        author=v["organisation"],
        subject=(
            f"{template.label}. Case {seal.case_id}, seal {seal.sequence:04d} of "
            f"{seal.sealed_at}, Merkle root {seal.root}"
        ),
        keywords=(
            "evidence dossier",
            seal.case_id,
            f"seal {seal.sequence:04d}",
            f"root {seal.root}",
            template.name,
            v["reference"],
        ),
        creator=f"{content.tool} (template {template.name})",
        language=content.meta.language,
    )


def _refuse_institution_numbers(meta: CaseMeta) -> None:
    """A submitter never prints a number the institution assigns (see conventions.py)."""
    for name in ("reference", "title"):
        value = getattr(meta, name)
        reason = institution_number(value) if value else None
        if reason is not None:
            raise InputError(
                f"/{name}: holds {reason}; a submitter never prints a number "
                "the institution assigns",
                path=CASE_FILE,
                hint="Give your own reference in case.yaml (the institution "
                "assigns its number on receipt) and seal again.",
            )


def _span(anchors: dict[str, int], key: str, total: int) -> tuple[int, int] | None:
    start = anchors.get(key)
    if start is None:
        return None
    later = sorted(p for k, p in anchors.items() if k.startswith("annex-") and p > start)
    return start, (later[0] if later else total)


def compose_story(writer: Writer) -> list[Flowable]:
    """The dossier's flowables: cover, sections and annexes in the template's order."""
    template = writer.template
    story = list(COVER_BUILDERS[template.cover_kind](writer))
    for part in writer.sections:
        story.extend(SECTION_BUILDERS[part.kind](writer, part))
    for index, part in enumerate(writer.annexes):
        story.extend(writer.annex_heading(part, first=index == 0))
        builder = build_integrity if part.kind == "integrity" else ANNEX_BUILDERS[part.kind]
        story.extend(builder(writer, part))
    keep_headings(story)
    return story


def build_pdf(
    content: DossierContent, template: Template, bundle: Bundle, progress: Progress | None = None
) -> tuple[bytes, int]:
    """Lay out and write the dossier; return the PDF's bytes and its page count."""
    styles = Styles.for_template(template)
    buffer = io.BytesIO()
    doc = DossierDocument(buffer, template, styles, info=_info(template, content))
    writer = Writer.start(template, styles, content, doc.area)
    story = compose_story(writer)
    pages: dict[str, int] = {}

    def finish(canv: DossierCanvas, total: int) -> None:
        anchors = canv.anchors
        cover = (1, anchors.get(COVER_END, 1))
        printed = PrintedPages(
            cover=cover,
            register=_span(anchors, "annex-register", total),
            integrity=_span(anchors, "annex-integrity", total),
        )
        manifest = manifest_bytes(
            bundle, template=template.name, tool=content.tool, pages=printed, total_pages=total
        )
        files = [
            Attachment(name, data, bundle.media_type(name), bundle.description(name))
            for name, data in bundle.files.items()
        ]
        files.append(
            Attachment(
                MANIFEST_NAME, manifest, "application/json", bundle.description(MANIFEST_NAME)
            )
        )
        for name, algorithm in SUMS.items():
            tool = "sha256sum -c" if algorithm == "sha256" else "b3sum --check"
            files.append(
                Attachment(
                    name,
                    checksum_list(bundle.files, algorithm),
                    "text/plain",
                    f"{algorithm.upper()} of every case file embedded here, for {tool}",
                )
            )
        canv.embed(files)
        canv.showOutline()
        pages["total"] = total

    if progress is not None:
        count = len(story)

        def on_progress(kind: str, value: int) -> None:
            if kind == "PROGRESS":
                progress("layout", min(value, count), count)

        doc.setProgressCallBack(on_progress)
    running = running_lines(template, styles, writer.values)
    canvasmaker = functools.partial(
        DossierCanvas,
        header=running.header,
        footer=running.footer,
        finish=finish,
        moment=parse_time(content.seal.sealed_at),
    )
    try:
        doc.build(story, canvasmaker=canvasmaker)
    except LayoutError as exc:  # a last resort: texts are shortened where they must fit
        raise InputError(
            f"the dossier cannot be laid out: {exc}",
            hint="A text of the case is too large for a page; please report this with the case.",
        ) from exc
    return buffer.getvalue(), pages["total"]


_COLLECTIONS_LOCK: Final = threading.Lock()
_collections_held = 0  # renders under way that raised the collector's thresholds
_saved_thresholds: tuple[int, int, int] = (0, 0, 0)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Let Python's cyclic garbage collector run less often while a dossier is made.

    Laying out a dossier allocates millions of short-lived objects (reportlab's fragments
    and lines); with the default thresholds the collector's runs cost a tenth of the
    render. The thresholds are raised (never lowered) for the duration and restored after
    the last render under way in the process ends (docs/decisions/0327-fewer-collections.md).
    """
    global _collections_held, _saved_thresholds
    with _COLLECTIONS_LOCK:
        if _collections_held == 0:
            _saved_thresholds = gc.get_threshold()
            first, second, third = _saved_thresholds
            gc.set_threshold(max(first, 20_000), max(second, 20), max(third, 100))
        _collections_held += 1
    try:
        yield
    finally:
        with _COLLECTIONS_LOCK:
            _collections_held -= 1
            if _collections_held == 0:
                gc.set_threshold(*_saved_thresholds)


def render_embedded(
    files: Mapping[str, bytes], manifest: Mapping[str, Any], report: Report
) -> bytes:
    """Render a dossier again from the case data it embeds; the PDF's bytes.

    The renderer is deterministic (docs/decisions/0302), so a dossier made by this tool
    version from these files is byte-identical to what this returns: ``verify`` compares
    the two to prove every page (docs/decisions/0408).

    Args:
        files: the embedded case files by case path (no manifest, no checksum lists).
        manifest: the embedded manifest (template, tool, seal, objects left out).
        report: the verification of those files whose verdict the pages print, as
            :func:`render_dossier` made it (objects left out counted as checked).

    Raises:
        EvidenceError: the data cannot be rendered (unknown template, unreadable seal).
    """
    seal_name = str(manifest["seal"]["file"])
    seal = Seal.from_dict(loads_json(files[seal_name], path=seal_name))
    bundle = Bundle(seal=seal, seal_name=seal_name, files=dict(files))
    for item in manifest.get("omitted") or []:
        bundle.omitted.append(
            Omitted(item["name"], item["sha256"], item["blake3"], item["size"], item["reason"])
        )
    for leaf in seal.leaves:
        if leaf.id.startswith("SRC-"):
            name = f"records/{leaf.id}.{leaf.revision}.json"
            bundle.sources[f"{leaf.id}.{leaf.revision}"] = parse_record_file(
                files[name], name=name
            ).record
    spec = load_template(str(manifest["template"]))
    content = build_content(bundle, _meta(bundle), verdict_of(report), tool=str(manifest["tool"]))
    with fewer_collections():
        pdf, _ = build_pdf(content, spec, bundle)
    return pdf


def render_dossier(
    case: Case,
    *,
    template: str | os.PathLike[str] | None = None,
    output: Path | None = None,
    embed_sources: bool = True,
    max_object_bytes: int = MAX_OBJECT_BYTES,
    max_embedded_bytes: int = MAX_EMBEDDED_BYTES,
    actor: str | None = None,
    now: _dt.datetime | None = None,
    progress: Progress | None = None,
    strict: bool = False,
) -> RenderResult:
    """Render the dossier of the case's latest seal.

    Args:
        case: the open case.
        template: a template name or a path to a template file (default: case.yaml's).
        output: where to write the PDF (default: :func:`default_output`).
        embed_sources: embed the captured bytes of the sources (``--no-embed-sources``
            leaves them out; their normalised texts are always embedded).
        max_object_bytes: captured objects larger than this are left out.
        max_embedded_bytes: captured objects are embedded until they add up to this.
        actor: who renders (for the custody log).
        now: the time of the custody event (the PDF itself has the seal's time).
        progress: called with (stage, done, total) during long work.
        strict: refuse to render when a character of the case has no glyph in the shipped
            fonts (by default it is printed as a ``‹U+XXXX›`` marker and listed in the
            integrity annex and in :attr:`RenderResult.unprintable`).

    Raises:
        CaseError: the case has no seal, or its files do not match it.
        UsageError: an unknown template or an output path that cannot be used.
        VerificationFailed: the case data of the seal does not verify (nothing written).
        InputError: ``strict`` and a character no shipped font covers (nothing written).
        LockError: another process is writing to the case.
    """
    spec = load_template(template or case.meta.template)
    with case.lock(), fewer_collections():
        bundle = collect_bundle(
            case,
            embed_sources=embed_sources,
            max_object_bytes=max_object_bytes,
            max_embedded_bytes=max_embedded_bytes,
        )
        seal = bundle.seal
        target = output or default_output(case, seal, spec.name)
        if output is None:
            target.parent.mkdir(exist_ok=True)
        _check_output(case, target)
        report = _verify_bundle(case, bundle, progress)
        if not report.ok:
            error = VerificationFailed(report)
            error.hint = (
                f"The case data of seal {seal.sequence:04d} does not verify, so no "
                "dossier was written. Run `evidence verify` on the case."
            )
            if any(f.check == "case-meta" for f in report.problems()):
                error.hint = (
                    "case.yaml changed since the seal, and a dossier presents only "
                    "sealed metadata: run `evidence seal` first, then render."
                )
            raise error
        meta = _meta(bundle)
        _refuse_institution_numbers(meta)
        content = build_content(bundle, meta, verdict_of(report), tool=tool_name())
        unprintable = find_unprintable(content)
        if strict and unprintable:
            raise InputError(
                f"{case.root}: {summary(unprintable)}",
                hint="No dossier was written (--strict). The README lists the "
                "scripts the dossier prints and how to add a font.",
            )
        pdf, pages = build_pdf(content, spec, bundle, progress)
        replace_file(target, pdf)
        pair = digest_bytes(pdf)
        unsealed = max(0, len(case.state().entries) - seal.size)
        case.custody.append(
            [
                NewEvent(
                    "rendered",
                    None,
                    {
                        "template": spec.name,
                        "seal": seal.sequence,
                        "file": target.name,
                        "sha256": pair.sha256,
                        "pages": pages,
                    },
                )
            ],
            actor=default_actor(actor),
            now=now,
        )
    return RenderResult(
        target,
        spec.name,
        seal,
        pages,
        pair.sha256,
        pair.size,
        len(bundle.files) + 1 + len(SUMS),
        tuple(bundle.omitted),
        unsealed,
        content.verdict,
        unprintable,
    )
