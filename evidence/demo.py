"""``evidence demo``: the bundled example case, built from scratch end to end.

The example (examples/okhmatdyt, shipped in the package) is the project's seed article,
a Censor.NET report of 8 July 2024, with an analyst's claims file. The demo runs the
same library calls a user would: init, add, the claims file, seal, verify, and renders
the dossier when the render package is installed.

Example:
    >>> # result = build_demo(Path("demo-case")); result.report.ok  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence._fs import replace_file
from evidence._resources import resource
from evidence._yaml import load_yaml
from evidence.case import Case
from evidence.errors import CaseError
from evidence.ingest.add import add_source
from evidence.integrity.seal import seal_case
from evidence.progress import Progress
from evidence.report import Report
from evidence.verify import verify_case

__all__ = ["DemoResult", "build_demo", "default_demo_dir"]

EXAMPLE = "okhmatdyt"
DEMO_ACTOR = "evidence demo"


@dataclass
class DemoResult:
    """Where the demo case is and what happened."""

    case_dir: Path
    report: Report
    log: list[str] = field(default_factory=list)
    products: list[Path] = field(default_factory=list)


def default_demo_dir(base: Path | None = None) -> Path:
    """``./evidence-demo``, or ``-2``, ``-3`` … when taken."""
    base = base or Path.cwd()
    candidate = base / "evidence-demo"
    n = 2
    while candidate.exists():
        candidate = base / f"evidence-demo-{n}"
        n += 1
    return candidate


def _example_yaml(*parts: str) -> Any:
    node = resource("examples", EXAMPLE, *parts)
    return load_yaml(node.read_bytes(), path=f"examples/{EXAMPLE}/{'/'.join(parts)}").data


def build_demo(
    out: Path | None = None,
    *,
    actor: str = DEMO_ACTOR,
    now: _dt.datetime | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Build the example case in ``out`` (default: a new ./evidence-demo folder).

    Raises:
        CaseError: ``out`` exists and is not empty.
    """
    target = out or default_demo_dir()
    if target.exists() and any(target.iterdir()):
        raise CaseError("exists and is not empty; give a new folder for the demo", path=str(target))
    manifest = _example_yaml("demo.yaml")
    meta = dict(_example_yaml(manifest["case"]))
    core = {k: meta.pop(k) for k in ("id", "title", "ern_prefix")}
    template = meta.pop("template", "icc-otp")
    situation = meta.pop("situation", None)
    classification = meta.pop("classification", "public")
    submitter = meta.pop("submitter", None)
    case = Case.init(
        target,
        case_id=core["id"],
        title=core["title"],
        ern_prefix=core["ern_prefix"],
        template=template,
        situation=situation,
        classification=classification,
        submitter=submitter,
        extra=meta,
        actor=actor,
        now=now,
    )
    log = [f"init     {target} (case {case.meta.id})"]
    staging = target / "out" / ".demo-sources"
    staging.mkdir(parents=True)
    for source in manifest["sources"]:
        name = source["file"]
        local = staging / name
        local.write_bytes(resource("examples", EXAMPLE, name).read_bytes())
        overrides = {
            k: source.get(k)
            for k in ("title", "url", "publisher", "authors", "published", "language")
        }
        added = add_source(case, local, overrides=overrides, actor=actor, now=now)
        log.append(f"add      {added.record.id} {added.ern} {name}")
        local.unlink()
    staging.rmdir()
    for claims in manifest["claims"]:
        dest = case.claims_dir / Path(claims).name
        replace_file(dest, resource("examples", EXAMPLE, *claims.split("/")).read_bytes())
        log.append(f"claims   {case.rel(dest)}")
    sealed = seal_case(case, actor=actor, now=now)
    assert sealed.path is not None
    log.append(f"seal     {case.rel(sealed.path)}: {sealed.size} records, root {sealed.root[:16]}…")
    report = verify_case(target, progress=progress)
    log.append(f"verify   {'OK' if report.ok else 'FAILED'}")
    result = DemoResult(target, report, log)
    _render(case, result, actor=actor, now=now)
    return result


def _render(case: Case, result: DemoResult, *, actor: str, now: _dt.datetime | None) -> None:
    """Render the example dossier in each template into the case's out/ folder."""
    from evidence.render import render_dossier, template_names

    for name in template_names():
        rendered = render_dossier(case, template=name, actor=actor, now=now)
        result.products.append(rendered.path)
        result.log.append(
            f"render   {case.rel(rendered.path)}: {rendered.pages} pages, {rendered.size:,} bytes"
        )
