"""case.yaml: the case's metadata, written by people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from evidence.errors import SchemaError
from evidence.model._fields import object_of, optional_text, text_field, texts_field

__all__ = ["CaseMeta", "Submitter"]


@dataclass(frozen=True, slots=True)
class Submitter:
    """Who submits the case."""

    organisation: str | None = None
    name: str | None = None
    role: str | None = None
    email: str | None = None
    address: str | None = None
    phone: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Submitter:
        d = object_of(d, "a submitter")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise SchemaError(
                f"unknown field {unknown[0]!r} (expected {', '.join(sorted(known))})",
                pointer=f"/{unknown[0]}",
            )
        return cls(**{name: optional_text(d, name) for name in sorted(known)})


@dataclass(frozen=True, slots=True)
class CaseMeta:
    """case.yaml: the case's metadata, written by people."""

    id: str
    title: str
    ern_prefix: str
    situation: str | None = None
    template: str = "icc-otp"
    classification: str = "public"
    language: str = "en"
    reference: str | None = None
    created: str | None = None
    submitter: Submitter = field(default_factory=Submitter)
    addressee: str | None = None
    summary: str | None = None
    legal_characterisation: str | None = None
    requests: tuple[str, ...] = ()
    declaration: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CaseMeta:
        d = object_of(d, "the case metadata")
        submitter = d.get("submitter", {})
        try:
            who = Submitter.from_dict(submitter)
        except SchemaError as exc:
            exc.pointer = f"/submitter{exc.pointer or ''}"
            raise
        return cls(
            id=text_field(d, "id"),
            title=text_field(d, "title"),
            ern_prefix=text_field(d, "ern_prefix"),
            situation=optional_text(d, "situation"),
            template=text_field(d, "template", "icc-otp"),
            classification=text_field(d, "classification", "public"),
            language=text_field(d, "language", "en"),
            reference=optional_text(d, "reference"),
            created=optional_text(d, "created"),
            submitter=who,
            addressee=optional_text(d, "addressee"),
            summary=optional_text(d, "summary"),
            legal_characterisation=optional_text(d, "legal_characterisation"),
            requests=texts_field(d, "requests", ()),
            declaration=optional_text(d, "declaration"),
        )

    def ern(self, number: int) -> str:
        """The exhibit number of the ``number``-th record id of the case (1-based)."""
        return f"{self.ern_prefix}-{number:04d}"
