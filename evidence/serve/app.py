"""The web application of ``evidence serve``: routes, pages and the work they start.

Every page reads the case through :class:`~evidence.serve._index.CaseIndex` and every
change goes through :class:`~evidence.serve._edits.Editor` or a library call (suggest,
seal, verify, render); nothing here re-implements them. A client names things only by
ids the case validates (``SRC-0001``, a claims file listed in claims/, a product listed
in out/), never by a path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import jinja2
import markupsafe
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from evidence.case import CASE_FILE, Case, default_actor
from evidence.errors import EvidenceError, LockError
from evidence.integrity.sign import SigningKey
from evidence.model import CLAIM_CATEGORIES, CLAIM_STATUSES
from evidence.serve._edits import Busy, Conflict, Editor, Invalid, selection_quote
from evidence.serve._guard import Guard, check_csrf, csrf_token
from evidence.serve._index import BIDI, KINDS, CaseIndex, bidi_name, is_source_id
from evidence.serve._jobs import Job, JobRunner, Outcome

__all__ = ["ServeConfig", "create_app"]

PAGE_SIZE: Final = 50
_HERE: Final = Path(__file__).parent
_PRODUCT: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.(pdf|zip)")
CATEGORIES: Final = CLAIM_CATEGORIES
STATUSES: Final = tuple(s for s in CLAIM_STATUSES if s != "withdrawn")
"""What the page offers: a claim is withdrawn by deleting it from its claims file."""


@dataclass(frozen=True)
class ServeConfig:
    """How a server runs: its case, its address and token, and what the page may use.

    The signing key is given on the command line (``serve --key``) and never comes from
    the page.
    """

    case_dir: Path
    token: str
    port: int
    host: str = "127.0.0.1"
    key: SigningKey | None = None
    tsa_urls: tuple[str, ...] = ()
    tsa_ca: Path | None = None
    """Root CA file of the time-stamping authorities: the Seal button's tokens must chain
    to it and it is stored beside the seal; the Verify button requires it."""
    trusted_keys: tuple[Path, ...] = ()
    actor: str | None = None
    extra_hosts: tuple[str, ...] = field(default=())

    @property
    def hosts(self) -> tuple[str, ...]:
        """The Host header values this server answers to."""
        names = {self.host, "localhost"} if self.host in ("127.0.0.1", "localhost") else {self.host}
        shown = {f"[{n}]" if ":" in n else n for n in names}
        return (*sorted(f"{n}:{self.port}" for n in shown), *self.extra_hosts)


def _shown(value: Any) -> Any:
    """Every printed value: bidi controls become a visible ``[U+202E]`` (they could reorder
    the page); the reader's text, already escaped as :class:`markupsafe.Markup` by
    :func:`_source_text`, keeps them (isolated by CSS), so its offsets stay true."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return BIDI.sub(lambda m: f"[{bidi_name(m.group())}]", value)
    return value


def _source_text(value: str) -> markupsafe.Markup:
    return markupsafe.escape(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        finalize=_shown,
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,  # every page, every template, whatever its name
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["bidi_name"] = bidi_name
    env.filters["source_text"] = _source_text
    env.filters["short"] = lambda v, n=16: (str(v)[:n] + "…") if v and len(str(v)) > n else v
    return env


class _Site:
    """The state one server shares between requests."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.case = Case.open(config.case_dir)
        self.index = CaseIndex(self.case)
        self.editor = Editor(self.case)
        self.jobs = JobRunner()
        self.env = _environment()
        self.csrf = csrf_token(config.token)
        self.actor = default_actor(config.actor)
        self.last_verify: Job | None = None

    def page(
        self, request: Request, template_name: str, status: int = 200, **context: Any
    ) -> Response:
        template = self.env.get_template(template_name)
        body = template.render(
            csrf=self.csrf,
            case=self.case,
            meta=self.case.meta,
            path=request.url.path,
            kinds=KINDS,
            **context,
        )
        return HTMLResponse(body, status_code=status)

    async def form(self, request: Request) -> FormData:
        """The POSTed form, once its CSRF token (and Origin) are checked."""
        data = await request.form()
        given = data.get("csrf")
        if not check_csrf(
            self.config.token,
            given if isinstance(given, str) else None,
            request.headers.get("origin"),
            self.config.hosts,
        ):
            raise HTTPException(
                403, "refused: the form's CSRF token is missing or wrong; reload the page"
            )
        return data

    def source_id(self, request: Request) -> str:
        sid = str(request.path_params["sid"])
        if not is_source_id(sid) or sid not in self.index.state().latest:
            raise HTTPException(404, "no such source in this case")
        return sid

    def refusal(self, request: Request, exc: EvidenceError, back: str) -> Response:
        """The page that says why an edit was not written."""
        status, title, kind = 400, "Not written", "error"
        details: dict[str, Any] = {"hint": exc.diagnostics()}
        if isinstance(exc, Busy):
            status, title, kind = 409, "Busy", "busy"
        elif isinstance(exc, Conflict):
            status, title, kind = 409, "Changed on disk", "conflict"
            details["diff"] = exc.diff
        elif isinstance(exc, Invalid):
            status, kind = 422, "invalid"
            details = {"findings": exc.findings}
        return self.page(
            request,
            "message.html",
            status,
            title=title,
            kind=kind,
            message=str(exc),
            back=back,
            **details,
        )


def _text(form: FormData, name: str, limit: int = 4000) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip()[:limit]


def _int(form: FormData, name: str) -> int:
    try:
        return int(_text(form, name, 20))
    except ValueError as exc:
        raise HTTPException(400, f"{name}: expected a whole number") from exc


def create_app(config: ServeConfig) -> Starlette:
    """The ASGI application for one case, behind its :class:`~evidence.serve._guard.Guard`.

    Raises:
        CaseError: the folder is not a case folder.
        InputError: its case.yaml is malformed.
    """
    site = _Site(config)

    async def overview(request: Request) -> Response:
        view = site.index.overview()
        products = _products(site.case)
        return site.page(
            request,
            "overview.html",
            view=view,
            products=products,
            key=config.key,
            tsa=config.tsa_urls,
            last_job=site.last_verify,
        )

    async def sources(request: Request) -> Response:
        query = request.query_params.get("q", "")[:200]
        rows = site.index.sources(query)
        pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
        try:
            number = min(max(1, int(request.query_params.get("page", "1"))), pages)
        except ValueError:
            number = 1
        shown = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        return site.page(
            request,
            "sources.html",
            rows=shown,
            total=len(rows),
            query=query,
            number=number,
            pages=pages,
        )

    async def reader(request: Request) -> Response:
        sid = site.source_id(request)
        view = site.index.highlight(sid)
        _, version = site.editor.load(site.case.claims_dir / f"{sid}.yaml")
        counts = {k: sum(1 for c in view.claims if c.kind == k) for k in KINDS}
        return site.page(
            request,
            "reader.html",
            sid=sid,
            view=view,
            body=view.source.body,
            version=version,
            counts=counts,
            categories=CATEGORIES,
            statuses=STATUSES,
            ern=site.index.ern(site.index.state(), sid),
        )

    async def new_claim(request: Request) -> Response:
        sid = site.source_id(request)
        form = await site.form(request)
        back = f"/sources/{sid}"
        try:
            view = site.index.highlight(sid)
            chosen = selection_quote(view.text, _int(form, "start"), _int(form, "end"))
            claim = _claim_from_form(form, sid, chosen.quote, chosen.start)
            if chosen.occurrence is not None:
                claim = {
                    **{k: v for k, v in claim.items() if k != "attributed_to"},
                    "occurrence": chosen.occurrence,
                    "attributed_to": claim["attributed_to"],
                }
            path = site.case.claims_dir / f"{sid}.yaml"
            version = _text(form, "version", 100)
            data = site.editor.appended(path, version, sid, _ordered(claim))
            site.editor.write([(path, version, data)])
        except EvidenceError as exc:
            return site.refusal(request, exc, back)
        return RedirectResponse(f"{back}#claim-{claim['key']}-pending", status_code=303)

    async def suggest(request: Request) -> Response:
        sid = site.source_id(request)
        await site.form(request)
        back = f"/sources/{sid}/suggestions"
        from evidence.suggest import suggest_claims, write_suggestions

        try:
            result = suggest_claims(site.case, sid)
            if result.suggestions:
                write_suggestions(site.case, result)
        except LockError as exc:
            return site.refusal(
                request, Busy(f"the case is busy: {exc.message}", hint=exc.diagnostics()), back
            )
        except EvidenceError as exc:
            return site.refusal(request, exc, back)
        return RedirectResponse(back, status_code=303)

    async def suggestions(request: Request) -> Response:
        sid = site.source_id(request)
        path = site.case.claims_dir / f"{sid}.suggested.yaml"
        _, version = site.editor.load(path)
        _, target_version = site.editor.load(site.case.claims_dir / f"{sid}.yaml")
        items, problem = site.index.suggestions(sid)
        body = site.index.record(sid, site.index.state().latest[sid].revision).body
        return site.page(
            request,
            "suggestions.html",
            sid=sid,
            items=items,
            problem=problem,
            version=version,
            target_version=target_version,
            categories=CATEGORIES,
            statuses=STATUSES,
            title=getattr(body, "title", sid),
        )

    async def decide(request: Request) -> Response:
        sid = site.source_id(request)
        form = await site.form(request)
        back = f"/sources/{sid}/suggestions"
        suggested = site.case.claims_dir / f"{sid}.suggested.yaml"
        target = site.case.claims_dir / f"{sid}.yaml"
        index = _int(form, "index")
        key = _text(form, "key", 100)
        version = _text(form, "version", 100)
        try:
            rest = site.editor.removed(suggested, version, index, key)
            changes = [(suggested, version, rest)]
            if request.path_params["action"] == "accept":
                items, _ = site.index.suggestions(sid)
                item = dict(items[index])
                item.pop("why", None)
                for name in ("statement", "category"):
                    if _text(form, name):
                        item[name] = _text(form, name)
                status = _text(form, "status") or "reported"
                if status not in STATUSES:
                    raise HTTPException(400, "status: expected one of " + ", ".join(STATUSES))
                item["status"] = status
                target_version = _text(form, "target_version", 100)
                added = site.editor.appended(target, target_version, sid, item)
                changes.insert(0, (target, target_version, added))
            site.editor.write(changes)
        except EvidenceError as exc:
            return site.refusal(request, exc, back)
        return RedirectResponse(back, status_code=303)

    def _editable(request: Request) -> Path:
        name = str(request.path_params["name"])
        if name == CASE_FILE:
            return site.case.root / CASE_FILE
        if name in site.index.claims_file_names():
            return site.case.claims_dir / name
        raise HTTPException(404, "no such file in this case (case.yaml or a claims file)")

    async def edit_file(request: Request) -> Response:
        path = _editable(request)
        data, version = site.editor.load(path)
        return site.page(
            request,
            "editor.html",
            file=path.name,
            shown=site.case.rel(path),
            content=(data or b"").decode("utf-8", "replace"),
            version=version,
        )

    async def save_file(request: Request) -> Response:
        path = _editable(request)
        form = await site.form(request)
        content = form.get("content")
        if not isinstance(content, str):
            raise HTTPException(400, "content: expected the file's text")
        text = content.replace("\r\n", "\n")
        back = f"/files/{path.name}"
        try:
            site.editor.write([(path, _text(form, "version", 100), text.encode("utf-8"))])
        except EvidenceError as exc:
            return site.refusal(request, exc, back)
        return RedirectResponse(back + "?saved=1", status_code=303)

    def _start(
        kind: str, work: Callable[[Job], Outcome]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            await site.form(request)
            try:
                job = site.jobs.start(kind, work)
            except LockError as exc:
                return site.refusal(request, Busy(str(exc)), "/")
            if kind == "verify":
                site.last_verify = job
            return RedirectResponse(f"/jobs/{job.id}", status_code=303)

        return endpoint

    def seal_work(job: Job) -> Outcome:
        from evidence.integrity.seal import seal_case

        job.stage = "sealing"
        result = seal_case(site.case, actor=site.actor, progress=job.progress, key=config.key)
        if result.path is None:
            return Outcome(["nothing to seal: no record revision since the last seal"])
        lines = [
            f"sealed {site.case.rel(result.path)}: sequence {result.sequence}, "
            f"{result.size} record revisions, root {result.root}"
        ]
        if result.signature is not None and config.key is not None:
            lines.append(
                f"signed with key {config.key.fingerprint}: {site.case.rel(result.signature)}"
            )
        if config.tsa_urls:
            from evidence.integrity.timestamp import stamp_seal

            job.stage = "time-stamping"
            roots = None
            if config.tsa_ca is not None:
                from evidence.integrity.timestamp import load_certificates

                roots = load_certificates(config.tsa_ca, what="--tsa-ca file")
            stamped = stamp_seal(
                site.case,
                tsa_urls=config.tsa_urls,
                sequence=result.sequence,
                actor=site.actor,
                tsa_ca=roots,
            )
            lines += [
                f"time-stamped by {t.tsa_name}: {site.case.rel(t.path)}" for t in stamped.stamped
            ]
            lines += [f"time-stamping failed: {e}" for _, e in stamped.failures]
        return Outcome(lines)

    def verify_work(job: Job) -> Outcome:
        from evidence.verify import log_verification, verify_path
        from evidence.verify.options import VerifyOptions

        job.stage = "verifying"
        report = verify_path(
            site.case.root,
            options=VerifyOptions(trusted_keys=config.trusted_keys, tsa_ca=config.tsa_ca),
            progress=job.progress,
        )
        lines = [
            f"{'OK' if report.ok else 'NOT OK'}: "
            + ", ".join(f"{n} {what}" for what, n in sorted(report.checked.items()))
        ]
        try:
            log_verification(site.case.root, report, actor=site.actor)
            lines.append("the verdict was added to the custody log")
        except LockError:
            lines.append("the case was busy: the verdict was not added to the custody log")
        return Outcome(lines, list(report.findings), report.ok)

    def render_work(job: Job) -> Outcome:
        from evidence.render import render_dossier

        job.stage = "rendering"
        result = render_dossier(site.case, actor=site.actor, progress=job.progress)
        lines = [
            f"rendered {site.case.rel(result.path)}: template {result.template}, "
            f"seal {result.seal.sequence:04d}, {result.pages} pages, "
            f"{result.size:,} bytes, sha256 {result.sha256}",
            f"verification: {result.verdict.summary()}",
        ]
        if result.unsealed:
            lines.append(
                f"{result.unsealed} record revision(s) written since the seal are "
                "not in this dossier"
            )
        return Outcome(lines)

    async def job_page(request: Request) -> Response:
        try:
            job = site.jobs.get(int(request.path_params["jid"]))
        except ValueError:
            job = None
        if job is None:
            raise HTTPException(404, "no such job")
        return site.page(request, "job.html", job=job, products=_products(site.case))

    async def ledger(request: Request) -> Response:
        from evidence.suggest import build_ledger

        try:
            data: dict[str, Any] | None = build_ledger(site.case).to_dict()
            problem = None
        except EvidenceError as exc:
            data, problem = None, str(exc)
        return site.page(request, "ledger.html", ledger=data, problem=problem)

    async def custody(request: Request) -> Response:
        lines = list(site.case.custody.lines())
        pages = max(1, math.ceil(len(lines) / PAGE_SIZE))
        try:
            number = min(max(1, int(request.query_params.get("page", str(pages)))), pages)
        except ValueError:
            number = pages
        shown = lines[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        return site.page(
            request, "custody.html", lines=shown, number=number, pages=pages, total=len(lines)
        )

    async def product(request: Request) -> Response:
        name = str(request.path_params["name"])
        if not _PRODUCT.fullmatch(name) or name not in {p.name for p in _products(site.case)}:
            raise HTTPException(404, "no such product in out/")
        return FileResponse(site.case.out_dir / name, filename=name)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return site.page(
            request,
            "message.html",
            exc.status_code,
            title="Refused",
            kind="error",
            message=exc.detail,
            hint="",
            back="/",
        )

    async def evidence_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, EvidenceError)
        return site.page(
            request,
            "message.html",
            500,
            title="Cannot show this page",
            kind="error",
            message=str(exc),
            hint=exc.diagnostics(),
            back="/",
        )

    routes = [
        Route("/", overview),
        Route("/sources", sources),
        Route("/sources/{sid}", reader),
        Route("/sources/{sid}/claims", new_claim, methods=["POST"]),
        Route("/sources/{sid}/suggest", suggest, methods=["POST"]),
        Route("/sources/{sid}/suggestions", suggestions),
        Route("/sources/{sid}/suggestions/{action:str}", decide, methods=["POST"]),
        Route("/files/{name}", edit_file),
        Route("/files/{name}", save_file, methods=["POST"]),
        Route("/seal", _start("seal", seal_work), methods=["POST"]),
        Route("/verify", _start("verify", verify_work), methods=["POST"]),
        Route("/render", _start("render", render_work), methods=["POST"]),
        Route("/jobs/{jid}", job_page),
        Route("/ledger", ledger),
        Route("/custody", custody),
        Route("/out/{name}", product),
        Mount("/static", StaticFiles(directory=_HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: http_error, EvidenceError: evidence_error}
    )
    app.add_middleware(Guard, token=config.token, hosts=config.hosts, port=config.port)
    app.state.index = site.index
    return app


def _products(case: Case) -> list[Path]:
    if not case.out_dir.is_dir():
        return []
    return sorted(
        (p for p in case.out_dir.iterdir() if p.is_file() and _PRODUCT.fullmatch(p.name)),
        key=lambda p: p.name,
    )


def _claim_from_form(form: FormData, sid: str, quote: str, start: int) -> dict[str, Any]:
    """A claim from the new-claim form (the quote comes from the text, never the form)."""
    statement = _text(form, "statement")
    if not statement:
        raise EvidenceError("statement: write what the source says, in neutral words")
    key = _text(form, "key", 100) or f"{_slug(f'{sid} {quote}')}-at-{start}"
    category = _text(form, "category") or "other"
    status = _text(form, "status") or "reported"
    if category not in CATEGORIES or status not in STATUSES:
        raise EvidenceError("category or status: not one of the allowed values")
    chain = []
    for n in range(3):
        name = _text(form, f"who{n}", 200)
        if name:
            link = {"name": name}
            for part in ("role", "channel"):
                value = _text(form, f"{part}{n}", 200)
                if value:
                    link[part] = value
            chain.append(link)
    claim: dict[str, Any] = {
        "key": key,
        "statement": statement,
        "quote": quote,
        "attributed_to": chain,
        "category": category,
    }
    date = _text(form, "date", 20)
    if date:
        claim["date"] = date
    places = [p.strip() for p in _text(form, "places").split(";") if p.strip()]
    if places:
        claim["places"] = places
    claim["status"] = status
    note = _text(form, "note")
    if note:
        claim["note"] = note
    return claim


def _ordered(claim: dict[str, Any]) -> dict[str, Any]:
    order = (
        "key",
        "statement",
        "quote",
        "occurrence",
        "attributed_to",
        "category",
        "facts",
        "date",
        "places",
        "status",
        "note",
    )
    return {k: claim[k] for k in order if k in claim}


def _slug(value: str) -> str:
    words = re.findall(r"[a-z0-9]+", value.casefold().encode("ascii", "ignore").decode())
    return "-".join(words[:7])[:60].strip("-") or "claim"
