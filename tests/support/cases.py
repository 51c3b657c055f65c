"""Sealed cases for the integrity tests, built with the library the way a user would.

The case holds the project's seed article and the example claims file (shipped with the
package), sealed at the real time (time-stamps come from a real clock, so the seals must
not claim a later time), optionally signed. :func:`add_claims` makes a further seal
possible by adding team-written claims that re-use the example's quotes under new keys.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from evidence._resources import resource
from evidence.case import Case
from evidence.ingest.add import add_source
from evidence.integrity.seal import SealResult, seal_case
from evidence.integrity.sign import SigningKey

__all__ = ["add_claims", "build_case", "copy_case", "writable"]

ACTOR = "tester"
EXAMPLE = ("examples", "okhmatdyt")
ARTICLE = "censor-net-2024-07-08-umerov-air-defence.txt"


def build_case(
    root: Path, *, key: SigningKey | None = None, now: dt.datetime | None = None
) -> Case:
    """A case with the seed article and the example claims, sealed (and signed with key)."""
    case = Case.init(
        root,
        case_id="TEST-INTEGRITY",
        title="Integrity test case",
        ern_prefix="TST-INT",
        actor=ACTOR,
        now=now,
        extra={"summary": "A narrative summary that a disclosure must not copy."},
    )
    staging = root.parent / f".{root.name}-article"
    staging.mkdir(exist_ok=True)
    article = staging / ARTICLE
    article.write_bytes(resource(*EXAMPLE, ARTICLE).read_bytes())
    add_source(
        case,
        article,
        overrides={
            "title": "Umerov on air defence, 8 July 2024",
            "publisher": "Censor.NET",
            "published": "2024-07-08",
            "language": "en",
        },
        actor=ACTOR,
        now=now,
    )
    shutil.rmtree(staging)
    (case.claims_dir / "SRC-0001.yaml").write_bytes(
        resource(*EXAMPLE, "claims", "SRC-0001.yaml").read_bytes()
    )
    result = seal_case(case, actor=ACTOR, now=now, key=key)
    assert result.seal is not None
    return case


def add_claims(
    case: Case, tag: str, *, key: SigningKey | None = None, now: dt.datetime | None = None
) -> SealResult:
    """Add the example's claims again under new keys (``<tag>-…``) and seal once more."""
    text = (case.claims_dir / "SRC-0001.yaml").read_text(encoding="utf-8")
    (case.claims_dir / f"{tag}.yaml").write_text(
        text.replace("- key: ", f"- key: {tag}-"), encoding="utf-8"
    )
    result = seal_case(case, actor=ACTOR, now=now, key=key)
    assert result.seal is not None
    return result


def writable(root: Path) -> None:
    """Make every file of a copied case writable (the tool writes them read-only)."""
    for path in root.rglob("*"):
        if path.is_file():
            path.chmod(0o644)


def copy_case(template: Path, dest: Path) -> Path:
    """A fresh, writable copy of a case folder, for a test that tampers with it."""
    shutil.copytree(template, dest)
    writable(dest)
    return dest
