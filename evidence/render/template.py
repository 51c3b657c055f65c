"""Dossier templates: the dress of a dossier, as data (``templates/*.yaml``).

A template says how the pages look (size, margins, type sizes, colours, running header
and footer), how the cover is laid out (``icc``, ``un`` or ``letter``), how sections,
subsections, annexes and paragraphs are numbered, which sections and annexes there are, in
which order and under which titles, and the fixed wording (introduction, declaration,
closing, the cover letter). The code decides what each kind of section holds; the
template only orders, names and words them. Templates are validated against
``schemas/template.schema.json`` (``urn:evidence:schema:template:1``), and every
``{placeholder}`` they use must be one the renderer fills.

Three ship with the package: ``icc-otp``, ``un-report`` and ``transmittal``. A path to a
YAML file of the same form can be given instead of a name.

Example:
    >>> load_template("icc-otp").numbering.sections
    'roman'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from evidence._fs import read_bytes
from evidence._resources import resource
from evidence._yaml import load_yaml
from evidence.errors import InputError, UsageError
from evidence.render.markup import placeholders
from evidence.schema import validate

__all__ = [
    "PLACEHOLDERS",
    "Annex",
    "Running",
    "Section",
    "Template",
    "load_template",
    "template_names",
]

SectionKind = Literal[
    "contents",
    "introduction",
    "summary",
    "methodology",
    "facts",
    "claims",
    "legal",
    "requests",
    "declaration",
]
AnnexKind = Literal["register", "sources", "custody", "integrity", "custody-forms", "hashes"]
ANNEX_KINDS: Final = ("register", "sources", "custody", "integrity", "custody-forms", "hashes")

PLACEHOLDERS: Final = frozenset(
    {
        "title",
        "reference",
        "case_id",
        "organisation",
        "submitter",
        "role",
        "addressee",
        "situation",
        "date",
        "date_numeric",
        "date_long",
        "sealed_at",
        "seal",
        "root",
        "sources",
        "claims",
        "records",
        "classification",
        "language",
        "document_type",
        *(f"annex_{kind}" for kind in ANNEX_KINDS),
    }
)
"""Every placeholder a template may use outside the running lines."""
RUNNING_PLACEHOLDERS: Final = PLACEHOLDERS | {"page", "pages"}

_MM: Final = 72 / 25.4
_PAGE_SIZES: Final = {"A4": (595.2756, 841.8898), "letter": (612.0, 792.0)}


@dataclass(frozen=True, slots=True)
class Running:
    """A running header or footer: three slots, on the cover or not, with a rule or not."""

    left: str = ""
    centre: str = ""
    right: str = ""
    first_page: bool = True
    rule: bool = False

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Running:
        return cls(
            d.get("left", ""),
            d.get("centre", ""),
            d.get("right", ""),
            d.get("first_page", True),
            d.get("rule", False),
        )


@dataclass(frozen=True, slots=True)
class Section:
    """A body section: what it holds (``kind``) and its title in this dress."""

    kind: SectionKind
    title: str


@dataclass(frozen=True, slots=True)
class Annex:
    """An annex: what it holds (``kind``) and its title in this dress."""

    kind: AnnexKind
    title: str


@dataclass(frozen=True, slots=True)
class Numbering:
    """Numbering schemes: ``roman``, ``alpha`` or ``arabic``; paragraphs numbered or not."""

    sections: str
    annexes: str
    subsections: str
    paragraphs: bool


@dataclass(frozen=True, slots=True)
class TypeSizes:
    """Type sizes in points; ``leading`` is a multiple of the body size."""

    body: float
    leading: float
    footnote: float
    table: float
    mono: float
    heading: float
    title: float


@dataclass(frozen=True, slots=True)
class Template:
    """A dossier template (see the module docstring)."""

    name: str
    label: str
    page_size: tuple[float, float]
    margins: tuple[float, float, float, float]  # top, right, bottom, left, in points
    body_indent: float
    type: TypeSizes
    colours: Mapping[str, str]
    header: Running
    footer: Running
    numbering: Numbering
    heading_case: str
    heading_align: str
    annex_label: str
    annex_new_page: bool
    cover_kind: str
    document_type: str
    default_addressee: str | None
    qr_size: float
    text: Mapping[str, Any]
    sections: tuple[Section, ...]
    annexes: tuple[Annex, ...]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Template:
        margins = d["page"]["margins_mm"]
        colours = {
            "accent": "#000000",
            "rule": "#000000",
            "highlight": "#ffec8b",
            "shade": "#ececec",
            **d.get("colours", {}),
        }
        numbering = d["numbering"]
        return cls(
            name=d["name"],
            label=d["label"],
            page_size=_PAGE_SIZES[d["page"]["size"]],
            margins=(
                margins["top"] * _MM,
                margins["right"] * _MM,
                margins["bottom"] * _MM,
                margins["left"] * _MM,
            ),
            body_indent=d["page"].get("body_indent_mm", 0) * _MM,
            type=TypeSizes(**d["type"]),
            colours=colours,
            header=Running.from_dict(d["running"]["header"]),
            footer=Running.from_dict(d["running"]["footer"]),
            numbering=Numbering(
                numbering["sections"],
                numbering["annexes"],
                numbering.get("subsections", "alpha"),
                numbering["paragraphs"],
            ),
            heading_case=d["headings"]["case"],
            heading_align=d["headings"]["align"],
            annex_label=d["headings"]["annex_label"],
            annex_new_page=d["headings"].get("annex_new_page", True),
            cover_kind=d["cover"]["kind"],
            document_type=d["cover"]["document_type"],
            default_addressee=d["cover"].get("addressee"),
            qr_size=d["cover"].get("qr_size_mm", 25) * _MM,
            text=dict(d["text"]),
            sections=tuple(Section(s["kind"], s["title"]) for s in d["sections"]),
            annexes=tuple(Annex(a["kind"], a["title"]) for a in d["annexes"]),
        )

    def annex(self, kind: str) -> Annex | None:
        """The template's annex of a kind, if it has one."""
        return next((a for a in self.annexes if a.kind == kind), None)


def template_names() -> list[str]:
    """The names of the templates that ship with the package."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in resource("templates").iterdir()
        if entry.name.endswith(".yaml")
    )


def load_template(name_or_path: str | os.PathLike[str]) -> Template:
    """Load, validate and check a template by name (shipped) or by path to a YAML file.

    Raises:
        UsageError: no template of that name.
        InputError: the file is not a valid template (file, line, field and what was
            expected), or it uses a placeholder the renderer does not know.
    """
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or os.sep in text:
        path = Path(text)
        data = read_bytes(path, what="template")
        shown = str(path)
    else:
        if text not in template_names():
            raise UsageError(
                f"no template named {text!r}; expected one of: "
                f"{', '.join(template_names())} (or a path to a .yaml file)"
            )
        data = resource("templates", f"{text}.yaml").read_bytes()
        shown = f"templates/{text}.yaml"
    doc = load_yaml(data, path=shown)
    validate("template", doc.data, path=shown, doc=doc)
    _check_placeholders(doc.data, shown, doc.line_of)
    return Template.from_dict(doc.data)


def _strings(value: Any, pointer: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(pointer, value)]
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in _strings(sub, f"{pointer}/{key}")]
    if isinstance(value, list):
        return [item for i, sub in enumerate(value) for item in _strings(sub, f"{pointer}/{i}")]
    return []


def _check_placeholders(data: Mapping[str, Any], shown: str, line_of: Any) -> None:
    for pointer, value in _strings(data, ""):
        allowed: frozenset[str] = PLACEHOLDERS
        if pointer.startswith("/running/"):
            allowed = RUNNING_PLACEHOLDERS
        elif pointer == "/headings/annex_label":
            allowed = frozenset({"number"})
        try:
            names = placeholders(value)
        except InputError as exc:
            raise InputError(
                exc.message, path=shown, line=line_of(pointer), pointer=pointer
            ) from exc
        for name in names:
            if name not in allowed:
                raise InputError(
                    f"unknown placeholder {{{name}}}; expected one of: "
                    f"{', '.join(sorted(allowed))}",
                    path=shown,
                    line=line_of(pointer),
                    pointer=pointer,
                )
