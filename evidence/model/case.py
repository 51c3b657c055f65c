"""case.yaml: the case's metadata, written by people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
        return cls(
            id=d["id"],
            title=d["title"],
            ern_prefix=d["ern_prefix"],
            situation=d.get("situation"),
            template=d.get("template", "icc-otp"),
            classification=d.get("classification", "public"),
            language=d.get("language", "en"),
            reference=d.get("reference"),
            created=d.get("created"),
            submitter=Submitter(**d.get("submitter", {})),
            addressee=d.get("addressee"),
            summary=d.get("summary"),
            legal_characterisation=d.get("legal_characterisation"),
            requests=tuple(d.get("requests", ())),
            declaration=d.get("declaration"),
        )

    def ern(self, number: int) -> str:
        """The exhibit number of the ``number``-th record id of the case (1-based)."""
        return f"{self.ern_prefix}-{number:04d}"
