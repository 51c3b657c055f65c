"""PDF/A-3b, checked rule by rule with pikepdf against what the renderer writes (no reference
validator such as veraPDF can be installed here; docs/pdfa.md lists these rules). Each
rule is also run on a copy of a dossier tampered to break it, so that no rule passes
vacuously."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from tests.unit.render.conftest import TEMPLATES

Rule = Callable[[pikepdf.Pdf, bytes], str | None]

_X = {
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}


def _xmp_date(info_date: str) -> str:
    """``D:20261129101203+00'00'`` as ``2026-11-29T10:12:03+00:00``."""
    m = re.fullmatch(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)([+-]\d\d)'(\d\d)'", info_date)
    assert m, info_date
    y, mo, d, h, mi, s, tz, tzm = m.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}{tz}:{tzm}"


def rule_header(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """ISO 19005-3 §6.1.2: a %PDF-1.n header, then a comment of four bytes above 127."""
    if not re.match(rb"%PDF-1\.[0-7]\r?\n%[\x80-\xff]{4}", raw):
        return "header"
    return None


def rule_no_encryption(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """§6.1.3: no Encrypt entry in the trailer; an ID is present."""
    if "/Encrypt" in pdf.trailer:
        return "encrypted"
    if "/ID" not in pdf.trailer:
        return "no ID"
    return None


def rule_xmp_identification(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """§6.6.4: XMP in the catalogue, unfiltered, with pdfaid:part 3, conformance B."""
    stream = pdf.Root.get("/Metadata")
    if stream is None:
        return "no metadata"
    if stream.get("/Filter") is not None:
        return "metadata filtered"
    meta = pdf.open_metadata()
    if meta.get(f"{{{_X['pdfaid']}}}part") != "3":
        return "part"
    if meta.get(f"{{{_X['pdfaid']}}}conformance") != "B":
        return "conformance"
    return None


def rule_xmp_matches_info(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """§6.6.2.3.1: the Info entries and their XMP equivalents are equal."""
    meta = pdf.open_metadata()
    info = pdf.docinfo
    pairs = [
        ("/Title", "dc", "title"),
        ("/Subject", "dc", "description"),
        ("/Keywords", "pdf", "Keywords"),
        ("/Producer", "pdf", "Producer"),
        ("/Creator", "xmp", "CreatorTool"),
    ]
    for key, ns, name in pairs:
        if str(info.get(key, "")) != str(meta.get(f"{{{_X[ns]}}}{name}", "")):
            return key
    if [str(info.get("/Author", ""))] != list(meta.get(f"{{{_X['dc']}}}creator", [])):
        return "/Author"
    for key, name in (("/CreationDate", "CreateDate"), ("/ModDate", "ModifyDate")):
        if _xmp_date(str(info[key])) != meta.get(f"{{{_X['xmp']}}}{name}"):
            return key
    return None


def rule_output_intent(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """§6.2.4.3: a GTS_PDFA1 output intent with an RGB ICC profile (N 3)."""
    intents = pdf.Root.get("/OutputIntents")
    if not intents:
        return "no output intent"
    intent = intents[0]
    if intent.get("/S") != "/GTS_PDFA1":
        return "subtype"
    profile = intent.get("/DestOutputProfile")
    if profile is None or int(profile.get("/N", 0)) != 3:
        return "profile"
    data = profile.read_bytes()
    if data[12:16] != b"mntr" or data[16:20] != b"RGB " or data[0] > 4 > 0:
        return "not an RGB display profile"
    return None


def rule_associated_files(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """§6.8: every embedded file is an associated file (/AF of the catalogue) with an
    AFRelationship, a MIME type and a modification date."""
    names = pdf.Root.Names.EmbeddedFiles.Names
    specs = [names[i + 1] for i in range(0, len(names), 2)]
    af = pdf.Root.get("/AF")
    if af is None:
        return "no /AF"
    if sorted(s.objgen for s in af) != sorted(s.objgen for s in specs):
        return "/AF differs from the embedded files"
    for spec in specs:
        if "/AFRelationship" not in spec or "/UF" not in spec or "/F" not in spec:
            return f"file spec {spec.get('/F')}"
        stream = spec.EF.F
        if "/Subtype" not in stream or "/ModDate" not in stream.get("/Params", {}):
            return f"embedded file {spec.get('/F')}"
    return None


def rule_fonts_embedded(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """§6.2.11.4: every font's program is embedded."""
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or not any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                return str(font.get("/BaseFont"))
    return None


def rule_no_transparency(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """§6.2.10 (PDF/A-3 allows transparency, but the dossier uses none, so that it stays
    valid where a stricter profile is asked for): no soft masks, no constant alpha below 1,
    no transparency groups."""
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary):
            if obj.get("/SMask") not in (None, pikepdf.Name.None_):
                return "soft mask"
            for key in ("/CA", "/ca"):
                if key in obj and float(obj[key]) < 1:
                    return "alpha"
            group = obj.get("/Group")
            if isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency":
                return "transparency group"
    return None


def rule_annotations_print(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """§6.3.2: every annotation has the Print flag and is not hidden."""
    for page in pdf.pages:
        for annot in page.get("/Annots", []):
            flags = int(annot.get("/F", 0))
            if not flags & 4 or flags & (1 | 2 | 32):
                return "annotation flags"
    return None


def rule_no_forbidden_actions(pdf: pikepdf.Pdf, raw: bytes) -> str | None:
    """§6.5.1, §6.6.1: no JavaScript, no Launch or other forbidden actions."""
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary):
            if "/JS" in obj or "/JavaScript" in obj:
                return "JavaScript"
            if obj.get("/S") in (
                "/Launch",
                "/Sound",
                "/Movie",
                "/ResetForm",
                "/ImportData",
                "/JavaScript",
                "/Hide",
                "/SetOCGState",
                "/Rendition",
            ):
                return str(obj.get("/S"))
    return None


RULES: dict[str, Rule] = {
    "header": rule_header,
    "no-encryption": rule_no_encryption,
    "xmp-identification": rule_xmp_identification,
    "xmp-matches-info": rule_xmp_matches_info,
    "output-intent": rule_output_intent,
    "associated-files": rule_associated_files,
    "fonts-embedded": rule_fonts_embedded,
    "no-transparency": rule_no_transparency,
    "annotations-print": rule_annotations_print,
    "no-forbidden-actions": rule_no_forbidden_actions,
}


def _check(path: Path) -> dict[str, str | None]:
    raw = path.read_bytes()
    with pikepdf.open(path) as pdf:
        return {name: rule(pdf, raw) for name, rule in RULES.items()}


@pytest.mark.parametrize("dress", TEMPLATES)
def test_every_dress_keeps_every_rule(
    demo_pdfs: dict[str, Path], cyrillic_pdfs: dict[str, Path], dress: str
) -> None:
    for path in (demo_pdfs[dress], cyrillic_pdfs[dress]):
        failed = {k: v for k, v in _check(path).items() if v is not None}
        assert not failed, (path.name, failed)


def _tamper_info(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo["/Title"] = pikepdf.String("Another title")


def _tamper_metadata(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/Metadata"]


def _tamper_af(pdf: pikepdf.Pdf) -> None:
    del pdf.Root.AF[0]


def _tamper_intent(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/OutputIntents"]


def _tamper_annotation(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for annot in page.get("/Annots", []):
            annot["/F"] = 2
            return


def _tamper_alpha(pdf: pikepdf.Pdf) -> None:
    state = pdf.make_indirect(pikepdf.Dictionary({"/Type": pikepdf.Name.ExtGState, "/ca": 0.5}))
    pdf.pages[0].Resources["/ExtGState"] = pikepdf.Dictionary({"/GS9": state})


def _tamper_relationship(pdf: pikepdf.Pdf) -> None:
    del pdf.Root.Names.EmbeddedFiles.Names[1]["/AFRelationship"]


@pytest.mark.parametrize(
    ("rule", "tamper"),
    [
        ("xmp-matches-info", _tamper_info),
        ("xmp-identification", _tamper_metadata),
        ("associated-files", _tamper_af),
        ("associated-files", _tamper_relationship),
        ("output-intent", _tamper_intent),
        ("annotations-print", _tamper_annotation),
        ("no-transparency", _tamper_alpha),
    ],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_each_rule_catches_its_breach(
    demo_pdfs: dict[str, Path], tmp_path: Path, rule: str, tamper: Callable[[pikepdf.Pdf], None]
) -> None:
    source = demo_pdfs["icc-otp"]
    assert _check(source)[rule] is None
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(source) as pdf:
        tamper(pdf)
        pdf.save(broken)
    assert _check(broken)[rule] is not None, rule


def test_the_rules_table_names_every_rule() -> None:
    table = (Path(__file__).parents[3] / "docs" / "pdfa.md").read_text(encoding="utf-8")
    for name in RULES:
        assert f"`{name}`" in table, name
