"""The dossier's canvas: page decorations that need the page count, and embedded files.

"Page n of N", the page numbers of the table of contents, the PDF outline and the
manifest's page map are all known only when the last page is laid out. The canvas keeps
each finished page (reportlab's recipe for "page n of N") and, when the document is saved,
replays them in order, drawing the running header and footer and every deferred drawing
("late" operations registered during layout), then creates the real pages. The layout is
therefore done once: no second pass (reportlab's ``multiBuild``) is needed for the
contents.

This module is also the one place that adds PDF objects reportlab has no drawing call
for: the embedded files (ISO 32000-1 §7.11.4, an ``EmbeddedFiles`` name tree in the
catalog, each file a compressed ``EmbeddedFile`` stream with its size, MD5 checksum and
date). They are written in the same single pass as the pages, with reportlab's own PDF
object classes, so the file has one revision and a classic cross-reference table. See
docs/decisions/0303-embedding-with-reportlab.md.

Example:
    >>> # canvasmaker = functools.partial(DossierCanvas, header=..., footer=..., finish=...,
    >>> #                                 moment=...)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDate,
    PDFDictionary,
    PDFName,
    PDFStream,
    PDFStreamFilterZCompress,
    PDFString,
)
from reportlab.pdfgen.canvas import Canvas

from evidence._resources import resource

__all__ = ["Attachment", "DossierCanvas", "LateOp", "srgb_profile", "xmp_packet"]

LateOp = Callable[["DossierCanvas", int], None]
"""A deferred drawing: called with the canvas (on its page) and the total page count."""

_PRINT: Final = 4
"""The Print flag of an annotation's F entry."""
_NAME_SAFE: Final = frozenset(chr(c) for c in range(0x21, 0x7F)) - set("/%()<>[]{}#")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to embed: its name (a case path), bytes, MIME type and description."""

    name: str
    data: bytes
    media_type: str
    description: str


def srgb_profile() -> bytes:
    """The sRGB ICC profile shipped in the package (evidence/render/icc/README.md says
    where it comes from and its licence)."""
    return resource("render", "icc", "sRGB.icc").read_bytes()


def xmp_packet(
    *,
    title: str,
    author: str,
    subject: str,
    keywords: str,
    creator: str,
    producer: str,
    moment: _dt.datetime,
    language: str | None = None,
) -> bytes:
    """The XMP metadata of a PDF/A-3b dossier (ISO 19005-3 §6.6, ISO 16684-1): the PDF/A
    identification (part 3, conformance B) and Dublin Core, XMP and PDF properties equal
    to the document information dictionary's entries (ISO 19005-3 §6.6.2.3.1)."""
    stamp = moment.astimezone(_dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S")
    date = f"{stamp}+00:00"
    lang = escape(language or "x-default")

    def text(value: str) -> str:
        return escape(value)

    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{text(author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text(subject)}</rdf:li></rdf:Alt>
   </dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Keywords>{text(keywords)}</pdf:Keywords>
   <pdf:Producer>{text(producer)}</pdf:Producer>
   <xmp:CreatorTool>{text(creator)}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""
    return body.encode("utf-8")


def _text(value: Any) -> str:
    """A value of reportlab's document information, as text."""
    return str(value.s) if isinstance(value, PDFString) else str(value)


def _pdf_name(value: str) -> str:
    """A PDF name object (ISO 32000-1 §7.3.5): ``application/json`` → ``/application#2Fjson``."""
    return "/" + "".join(c if c in _NAME_SAFE else f"#{ord(c):02X}" for c in value)


def _timestamp(moment: _dt.datetime) -> TimeStamp:
    """reportlab's document time, set to ``moment`` (UTC) instead of the clock."""
    stamp = TimeStamp(invariant=True)
    utc = moment.astimezone(_dt.UTC)
    stamp.t = utc.timestamp()
    stamp.lt = time.gmtime(int(stamp.t))
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    stamp.tzname = "UTC"
    return stamp


class _FileStream(PDFStream):
    """An embedded file stream, with the end-of-line before ``endstream`` that readers
    expect (ISO 32000-1 §7.3.8.1; reportlab's own streams omit it)."""

    def format(self, document: Any) -> bytes:
        out: bytes = super().format(document)
        return out[: -len(b"endstream\n")] + b"\nendstream\n"


class _PlainStream(PDFStream):
    """An unfiltered stream (the XMP metadata, which PDF/A readers must be able to read
    without decoding): reportlab would write an empty ``/Filter`` array."""

    def format(self, document: Any) -> bytes:
        dictionary = PDFDictionary(dict(self.dictionary.dict))
        content: bytes = self.content
        dictionary["Length"] = len(content)
        head: bytes = dictionary.format(document)
        return head + b"\nstream\n" + content + b"\nendstream\n"


class DossierCanvas(Canvas):
    """A canvas that defers each page until the page count is known.

    Args:
        filename: where reportlab writes (a path or a binary file object).
        header: draws the running header: ``header(canvas, page, pages)``; it comes first
            in the page's content, so that text extraction and screen readers meet it first.
        footer: draws the running footer, last in the page's content.
        finish: called once after the last page, with the page count, before the file is
            written (it embeds the files).
        moment: the document's date (the PDF's CreationDate and ModDate).
        **kwargs: passed to reportlab's Canvas.
    """

    def __init__(
        self,
        filename: Any,
        *,
        header: Callable[[DossierCanvas, int, int], None],
        footer: Callable[[DossierCanvas, int, int], None],
        finish: Callable[[DossierCanvas, int], None],
        moment: _dt.datetime,
        **kwargs: Any,
    ) -> None:
        super().__init__(filename, **kwargs)
        self._pending: list[dict[str, Any]] = []
        self._late: dict[int, list[tuple[LateOp, int | None]]] = {}
        self.anchors: dict[str, int] = {}
        self._header = header
        self._footer = footer
        self._finish = finish
        self._moment = moment
        self._internal()._doc._timeStamp = _timestamp(moment)

    def _internal(self) -> Any:
        """This canvas, seen through reportlab's private attributes (not in its stubs)."""
        return self

    def late(self, op: LateOp, *, here: bool = False) -> None:
        """Run ``op`` on the current page once the page count is known.

        With ``here``, what ``op`` draws is put at the current point of the page's content
        (in the coordinates in force there: a flowable's own), so that it is read in order;
        otherwise it is drawn after the page's content, in page coordinates.
        """
        at = len(self._internal()._code) if here else None
        self._late.setdefault(self.getPageNumber(), []).append((op, at))

    def anchor(self, key: str, title: str, level: int, top: float) -> None:
        """Note that ``key`` starts on this page at height ``top``: for the contents, the
        outline (bookmarks) and the manifest's page map."""
        self.anchors.setdefault(key, self.getPageNumber())

        def mark(canv: DossierCanvas, _: int) -> None:
            canv.bookmarkPage(key, fit="XYZ", left=0, top=top, zoom=0)
            canv.addOutlineEntry(title, key, level=level, closed=level > 0)

        self.late(mark)

    def _addAnnotation(self, annotation: Any, name: str | None = None, addtopage: int = 1) -> None:
        """Every annotation is printed with the page (flag Print, ISO 32000-1 §12.5.3), as
        PDF/A requires (ISO 19005-3 §6.3.2)."""
        if isinstance(annotation, PDFDictionary):
            annotation["F"] = _PRINT
        else:
            annotation.otherkw = {**getattr(annotation, "otherkw", {}), "F": _PRINT}
        base: Any = Canvas  # reportlab's private method, not in its stubs
        base._addAnnotation(self, annotation, name, addtopage)

    def showPage(self) -> None:
        """Keep the finished page; it is written when the document is saved."""
        self._pending.append(dict(self.__dict__))
        self._internal()._startPage()

    def save(self) -> None:
        """Draw the running lines and deferred drawings on every page, then write."""
        pages = self._pending
        total = len(pages)
        for state in pages:
            self.__dict__.update(state)
            number = self.getPageNumber()
            code: list[str] = self._internal()._code
            ops = self._late.get(number, [])
            # Later insertion points first, so that earlier ones keep their place.
            for op, at in sorted(
                ops, key=lambda item: -1 if item[1] is None else item[1], reverse=True
            ):
                start = len(code)
                self.saveState()
                op(self, total)
                self.restoreState()
                if at is not None:
                    drawn = code[start:]
                    del code[start:]
                    code[at:at] = drawn
            start = len(code)
            self._header(self, number, total)
            drawn = code[start:]
            del code[start:]
            code[:0] = drawn  # the header goes to the front of the page's content
            self._footer(self, number, total)
            Canvas.showPage(self)
        self._pending = []
        self._finish(self, total)
        self._flate_pages()
        Canvas.save(self)

    def _flate_pages(self) -> None:
        """Each page's content as a Flate-compressed stream without reportlab's ASCII85
        layer over it (docs/decisions/0326-binary-page-streams.md): a quarter smaller, and
        not encoded again in pure Python."""
        for page in self._internal()._doc.Pages.pages:
            if page.compression and not page.Contents and page.stream:
                page.Contents = PDFStream(content=page.stream, filters=[PDFStreamFilterZCompress()])

    def embed(self, attachments: Sequence[Attachment]) -> None:
        """Embed files (ISO 32000-1 §7.11.4): an ``EmbeddedFiles`` name tree, sorted by name,
        each file compressed, with its size, MD5 checksum (as §7.11.4 asks) and date."""
        doc = self._internal()._doc
        entries: list[Any] = []
        for item in sorted(attachments, key=lambda a: a.name.encode("utf-8")):
            entries.extend((PDFString(item.name), doc.Reference(self._filespec(item))))
        doc.Catalog.Names = PDFDictionary(
            {"EmbeddedFiles": PDFDictionary({"Names": PDFArray(entries)})}
        )
        self._pdfa(entries[1::2])

    def _pdfa(self, specs: Sequence[Any]) -> None:
        """What makes the file PDF/A-3b (ISO 19005-3), besides embedded fonts and the
        ``AFRelationship`` of each file specification: PDF 1.7, XMP metadata that repeats
        the document information dictionary with the PDF/A identification, an sRGB output
        intent with its ICC profile, and the catalogue's ``AF`` array naming every
        associated file. See docs/pdfa.md for the rules and their tests."""
        doc = self._internal()._doc
        doc._pdfVersion = (1, 7)
        info = doc.info
        metadata = _PlainStream(
            PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
            xmp_packet(
                title=_text(info.title),
                author=_text(info.author),
                subject=_text(info.subject),
                keywords=_text(info.keywords),
                creator=_text(info.creator),
                producer=_text(info.producer),
                moment=self._moment,
                language=_text(getattr(doc.Catalog, "Lang", "") or ""),
            ),
        )
        profile = PDFStream(
            PDFDictionary({"N": 3}), srgb_profile(), filters=[PDFStreamFilterZCompress()]
        )
        intent = PDFDictionary(
            {
                "Type": PDFName("OutputIntent"),
                "S": PDFName("GTS_PDFA1"),
                "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
                "RegistryName": PDFString("http://www.color.org"),
                "Info": PDFString("sRGB IEC61966-2.1"),
                "DestOutputProfile": doc.Reference(profile),
            }
        )
        catalog = doc.Catalog
        catalog.__NoDefault__ = [*type(catalog).__NoDefault__, "OutputIntents", "AF"]
        catalog.Metadata = metadata
        catalog.OutputIntents = PDFArray([intent])
        catalog.AF = PDFArray(list(specs))

    def attach(self, item: Attachment, rect: tuple[float, float, float, float]) -> None:
        """Attach a file to the current page (ISO 32000-1 §12.5.6.15, a FileAttachment
        annotation shown as a paperclip at ``rect``), outside the ``EmbeddedFiles`` name
        tree, which holds the case data only. ``pdfdetach -saveall`` extracts it too."""
        doc = self._internal()._doc
        # PDF/A-3 (ISO 19005-3 §6.8): every embedded file is an associated file of the
        # document or of a part of it; this one belongs to its annotation (``AF``).
        spec = doc.Reference(self._filespec(item))
        annotation = PDFDictionary(
            {
                "Type": PDFName("Annot"),
                "Subtype": PDFName("FileAttachment"),
                "Rect": PDFArray(list(rect)),
                "FS": spec,
                "AF": PDFArray([spec]),
                "Contents": PDFString(item.description),
                "Name": PDFName("Paperclip"),
                "F": 4,
            }
        )
        self._internal()._addAnnotation(annotation)

    def _filespec(self, item: Attachment) -> Any:
        """A file specification with the file as a compressed embedded stream."""
        doc = self._internal()._doc
        params = PDFDictionary(
            {
                "Size": len(item.data),
                "CheckSum": PDFString(
                    hashlib.md5(item.data, usedforsecurity=False).digest(), enc="raw"
                ),
                "ModDate": PDFDate(ts=doc._timeStamp),
            }
        )
        stream = _FileStream(
            PDFDictionary(
                {
                    "Type": PDFName("EmbeddedFile"),
                    "Subtype": _pdf_name(item.media_type),
                    "Params": params,
                }
            ),
            item.data,
            filters=[PDFStreamFilterZCompress()],
        )
        spec = PDFDictionary(
            {
                "Type": PDFName("Filespec"),
                "F": PDFString(item.name),
                "UF": PDFString(item.name),
                "Desc": PDFString(item.description),
                "EF": PDFDictionary({"F": doc.Reference(stream)}),
                "AFRelationship": PDFName("Data"),
            }
        )
        return spec
