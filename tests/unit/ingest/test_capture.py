"""``evidence capture`` against a real HTTP server on 127.0.0.1: pages, redirects, a 404,
a slow and a trickling answer, non-HTML answers, oversized bodies; and the example case
extended with an HTML page, a captured WARC and a PDF, sealed and verified."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from evidence.case import Case
from evidence.cli import main
from evidence.errors import InputError, UsageError
from evidence.ingest.add import add_source
from evidence.ingest.capture import USER_AGENT, CaptureError, capture_url, clock_note, fetch
from evidence.integrity.seal import seal_case
from evidence.model import ClaimBody, Record, SourceBody
from evidence.store import record_slice
from evidence.verify import verify_case
from tests.support.http_server import (
    Route,
    WebServer,
    announced,
    chunked,
    endless,
    gzipped,
    pdf_bytes,
    png_bytes,
    trickle,
)

WEB = Path(__file__).parents[2] / "data" / "web"
LEDGER = (WEB / "ledger-2024-07-10-hospital-repairs.html").read_bytes()
KYIV = (WEB / "kyiv-city-2024-07-09-windows.html").read_bytes()
INDEX = (WEB / "ledger-section-index.html").read_bytes()
RELEASE = pdf_bytes(
    [
        [
            "Press release, 9 July 2024",
            "Engineers completed a first inspection of the damaged hospital wing.",
            "At least three floors will need structural repairs, the council said.",
        ]
    ],
    title="Hospital wing inspected",
    author="Example City Council",
)
HTML = {"Content-Type": "text/html; charset=utf-8"}
LYING = KYIV.replace(b'<meta charset="utf-8">', b'<meta charset="windows-1251">')

ROUTES = {
    "/article": Route(body=LEDGER),
    "/kyiv": Route(body=KYIV),
    "/old": Route(301, {"Location": "/moved"}),
    "/moved": Route(302, {"Location": "/article"}),
    "/loop": Route(302, {"Location": "/loop"}),
    "/missing": Route(404, body=b"<html><body><h1>Not found</h1></body></html>"),
    "/slow": Route(body=LEDGER, delay=3.0),
    "/trickle": Route(headers={**HTML, "Content-Length": "40"}, body=trickle(b"x" * 40, 0.1)),
    "/photo.png": Route(headers={"Content-Type": "image/png"}, body=png_bytes()),
    "/release.pdf": Route(headers={"Content-Type": "application/pdf"}, body=RELEASE),
    "/huge": Route(headers={**HTML, "Content-Length": str(200 << 20)}, body=announced(200 << 20)),
    "/endless": Route(headers={**HTML, "Transfer-Encoding": "chunked"}, body=endless()),
    "/chunked": Route(
        headers={**HTML, "Transfer-Encoding": "chunked"},
        body=chunked([LEDGER[:1500], LEDGER[1500:]]),
    ),
    "/gzip": Route(headers={**HTML, "Content-Encoding": "gzip"}, body=gzipped(LEDGER)),
    "/lying": Route(headers={"Content-Type": "text/html"}, body=LYING),
    "/index": Route(body=INDEX),
    "/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8": Route(body=KYIV),  # /новини, as a URI
    "/to-ftp": Route(302, {"Location": "ftp://files.example.org/report.pdf"}),
}


@pytest.fixture(scope="module")
def server() -> Iterator[WebServer]:
    with WebServer(ROUTES) as running:
        yield running


def _snapshot(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): p.stat().st_size
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _records(path: Path) -> list[tuple[str, str | None, str | None]]:
    with path.open("rb") as fh:
        return [
            (
                r.rec_type,
                r.rec_headers.get_header("WARC-Target-URI"),
                r.http_headers.get_statuscode() if r.rec_type == "response" else None,
            )
            for r in ArchiveIterator(fh)
        ]


# -- capturing pages ----------------------------------------------------------------------


def test_capture_writes_a_warc_and_adds_it_with_the_berkeley_fields(
    server: WebServer, new_case: Case
) -> None:
    url = server.url("/article")
    result = capture_url(new_case, url, actor="analyst")
    assert result.warc_path.parent == new_case.root / "out" / "captures"
    assert _records(result.warc_path) == [
        ("warcinfo", None, None),
        ("response", url, "200"),
        ("request", url, None),
    ]
    assert server.seen[-1].headers["User-Agent"] == USER_AGENT
    body = result.added.record.body
    assert isinstance(body, SourceBody)
    capture = body.capture
    assert capture.method == "capture-command"
    assert capture.collector == "analyst"
    assert capture.tool.startswith("evidence ")
    assert capture.user_agent == USER_AGENT
    assert body.url == url
    assert capture.final_url == url
    assert capture.http is not None
    assert capture.http.status == 200
    assert capture.warc is not None
    assert body.captured_at == capture.warc.date
    assert capture.warc.software is not None
    assert "warcio" in capture.warc.software
    assert capture.clock is not None
    assert capture.clock.startswith("this computer's clock, in UTC")
    assert "the server's Date header says" in capture.clock
    assert body.text is not None
    assert "more than 600 broken windows" in new_case.objects.read(body.text.blake3).decode()
    assert [a.role for a in body.attachments] == ["archive"]
    assert Record.from_dict(result.added.record.to_dict()) == result.added.record
    assert verify_case(new_case.root).ok


def test_redirects_are_fetched_recorded_and_followed(server: WebServer, new_case: Case) -> None:
    result = capture_url(new_case, server.url("/old"), actor="analyst")
    assert [(e.url, e.status) for e in result.fetch.exchanges] == [
        (server.url("/old"), 301),
        (server.url("/moved"), 302),
        (server.url("/article"), 200),
    ]
    assert [r[0] for r in _records(result.warc_path)].count("response") == 3
    body = result.added.record.body
    assert isinstance(body, SourceBody)
    assert body.url == server.url("/old")
    assert body.capture.final_url == server.url("/article")
    assert [(r.url, r.status, r.location) for r in body.capture.redirects] == [
        (server.url("/old"), 301, "/moved"),
        (server.url("/moved"), 302, "/article"),
    ]


@pytest.mark.parametrize(
    ("path", "kwargs", "message"),
    [
        pytest.param("/loop", {}, "the redirects loop", id="redirect-loop"),
        pytest.param("/old", {"max_redirects": 1}, "more than 1 redirects", id="too-many"),
        pytest.param(
            "/slow", {"timeout": 0.5}, "no complete answer within 0.5 s", id="slow-answer"
        ),
        pytest.param(
            "/trickle", {"timeout": 0.5}, "no complete answer within 0.5 s", id="trickling-body"
        ),
        pytest.param(
            "/huge",
            {},
            f"the server announces {200 << 20} bytes, more than the limit",
            id="announced-oversize",
        ),
        pytest.param(
            "/endless",
            {"max_bytes": 1 << 20},
            f"the body is larger than the limit of {1 << 20} bytes",
            id="streamed-oversize",
        ),
    ],
)
def test_a_failed_fetch_writes_nothing(
    server: WebServer, new_case: Case, path: str, kwargs: dict[str, float], message: str
) -> None:
    before = _snapshot(new_case.root)
    started = time.monotonic()
    with pytest.raises(CaptureError, match=message) as caught:
        capture_url(new_case, server.url(path), actor="analyst", **kwargs)  # type: ignore[arg-type]
    assert time.monotonic() - started < 2.5
    assert "Nothing was written." in caught.value.diagnostics()
    assert _snapshot(new_case.root) == before


def test_an_iri_is_fetched_and_recorded_as_a_uri(server: WebServer, new_case: Case) -> None:
    result = capture_url(new_case, server.url("/новини"), actor="analyst")
    uri = server.url("/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8")
    assert server.seen[-1].path == "/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8"
    body = result.added.record.body
    assert isinstance(body, SourceBody)
    assert body.url == uri
    assert body.capture.final_url == uri
    assert body.language == "uk"


def test_a_redirect_away_from_http_is_refused(server: WebServer, new_case: Case) -> None:
    before = _snapshot(new_case.root)
    with pytest.raises(
        CaptureError,
        match=r"ftp://files\.example\.org/report\.pdf, which "
        r"cannot be fetched over HTTP",
    ):
        capture_url(new_case, server.url("/to-ftp"), actor="analyst")
    assert _snapshot(new_case.root) == before


@pytest.mark.parametrize("agent", ["Браузер/1.0", "two\nlines", ""])
def test_the_user_agent_must_be_a_header_value(server: WebServer, agent: str) -> None:
    with pytest.raises(UsageError, match="--user-agent must be printable ASCII"):
        fetch(server.url("/article"), user_agent=agent)


def test_a_refused_connection_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CaptureError, match=f"127.0.0.1:{port} refused the connection"):
        fetch(f"http://127.0.0.1:{port}/x", timeout=2)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/a",
        "file:///etc/passwd",
        "example.org",
        "http://",
        "http://example.org/a b",
        "http://exa\x00mple.org/",
    ],
)
def test_only_http_urls(url: str) -> None:
    with pytest.raises(UsageError, match=r"only http:// and https:// URLs|not a valid URL"):
        fetch(url)


def test_a_404_keeps_the_warc_and_says_how_to_add_it(
    server: WebServer, new_case: Case, now: dt.datetime
) -> None:
    with pytest.raises(CaptureError, match="answered 404 Not Found: no page to add") as caught:
        capture_url(new_case, server.url("/missing"), actor="analyst")
    assert new_case.state().next_source_number == 1
    [kept] = (new_case.root / "out" / "captures").iterdir()
    assert f"The capture is kept in {kept}" in caught.value.diagnostics()
    assert "--no-text" in caught.value.diagnostics()
    added = add_source(new_case, kept, no_text=True, actor="analyst", now=now)
    assert added.record.id == "SRC-0001"


def test_a_lying_charset_keeps_the_warc_then_the_user_says_the_encoding(
    server: WebServer, new_case: Case, now: dt.datetime
) -> None:
    url = server.url("/lying")
    with pytest.raises(InputError, match="declares charset windows-1251") as caught:
        capture_url(new_case, url, actor="analyst")
    assert "The capture is kept in" in caught.value.diagnostics()
    assert new_case.state().next_source_number == 1
    [kept] = (new_case.root / "out" / "captures").iterdir()
    added = add_source(
        new_case, kept, overrides={"url": url}, encoding="utf-8", actor="analyst", now=now
    )
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.text is not None
    assert "decoded from utf-8, as the user said (--encoding)" in body.capture.transformations


@pytest.mark.parametrize(
    ("path", "has_text", "fragment"),
    [
        pytest.param("/photo.png", False, None, id="png"),
        pytest.param("/release.pdf", True, "structural repairs", id="pdf"),
        pytest.param("/chunked", True, "more than 600 broken windows", id="chunked-html"),
        pytest.param("/gzip", True, "more than 600 broken windows", id="gzip-html"),
    ],
)
def test_answers_that_are_not_plain_html(
    server: WebServer, new_case: Case, path: str, has_text: bool, fragment: str | None
) -> None:
    result = capture_url(new_case, server.url(path), actor="analyst")
    body = result.added.record.body
    assert isinstance(body, SourceBody)
    assert (body.text is not None) == has_text
    if body.text is not None and fragment is not None:
        assert fragment in new_case.objects.read(body.text.blake3).decode()
    else:
        assert "not a page: kept without text" in result.added.warnings[0]
    assert verify_case(new_case.root).ok


def test_a_page_without_article_text_keeps_the_warc(server: WebServer, new_case: Case) -> None:
    before = new_case.state().custody_events
    with pytest.raises(InputError, match="no article text"):
        capture_url(new_case, server.url("/index"), actor="analyst")
    assert new_case.state().custody_events == before
    assert len(list((new_case.root / "out" / "captures").iterdir())) == 1


def test_an_existing_warc_path_is_never_overwritten(
    server: WebServer, new_case: Case, tmp_path: Path
) -> None:
    dest = tmp_path / "mine.warc.gz"
    dest.write_bytes(b"already here")
    with pytest.raises(CaptureError, match="exists already"):
        capture_url(new_case, server.url("/article"), warc_path=dest, actor="analyst")
    assert dest.read_bytes() == b"already here"


@pytest.mark.parametrize(
    ("started", "header", "kernel", "expected"),
    [
        pytest.param(
            dt.datetime(2024, 7, 10, 7, 0, 0, 400000, tzinfo=dt.UTC),
            "Wed, 10 Jul 2024 07:00:00 GMT",
            "synchronised",
            "the kernel reports the clock synchronised with a time source; the "
            "server's Date header says 2024-07-10T07:00:00.000000Z (this clock +0.4 "
            "s from it)",
            id="synchronised",
        ),
        pytest.param(
            dt.datetime(2024, 7, 10, 6, 58, 0, tzinfo=dt.UTC),
            "Wed, 10 Jul 2024 07:00:00 GMT",
            None,
            "whether it was synchronised is not known; the server's Date header says "
            "2024-07-10T07:00:00.000000Z (this clock -120.0 s from it)",
            id="unknown-and-behind",
        ),
        pytest.param(
            dt.datetime(2024, 7, 10, tzinfo=dt.UTC),
            "yesterday",
            "not synchronised",
            "the kernel reports the clock not synchronised with a time source; the "
            "server's Date header 'yesterday' is not an HTTP date",
            id="bad-date",
        ),
    ],
)
def test_clock_note(started: dt.datetime, header: str, kernel: str | None, expected: str) -> None:
    assert clock_note(started, header, kernel=kernel).endswith(expected)


def test_cli_capture(
    server: WebServer, new_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shot = tmp_path / "screen.png"
    shot.write_bytes(png_bytes())
    warc = tmp_path / "captures" / "ledger.warc.gz"
    code = main(
        [
            "capture",
            str(new_case.root),
            server.url("/old"),
            "--warc",
            str(warc),
            "--attach",
            f"screenshot={shot}",
            "--actor",
            "analyst",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"fetched  {server.url('/old')}  301" in out
    assert f"wrote    {warc}" in out
    assert "SRC-0001  TST-0001" in out
    assert "with text" in out
    assert f"after 2 redirect(s): {server.url('/article')}" in out
    assert "attached archive" in out
    assert "attached screenshot screen.png" in out
    assert warc.exists()


def test_cli_capture_failure_is_exit_2_without_traceback(
    server: WebServer, new_case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["capture", str(new_case.root), server.url("/slow"), "--timeout", "0.3"]) == 2
    err = capsys.readouterr().err
    assert "no complete answer within 0.3 s" in err
    assert "Traceback" not in err


# -- the example case, extended with web sources of the team's own making ------------------


def test_the_example_case_extends_with_a_page_a_capture_and_a_pdf(
    server: WebServer, sealed_case: Path, tmp_path: Path, now: dt.datetime
) -> None:
    case = Case.open(sealed_case)
    page = add_source(
        case, WEB / "ledger-2024-07-10-hospital-repairs.html", actor="analyst", now=now
    )
    captured = capture_url(case, server.url("/kyiv"), actor="analyst", now=now)
    release = tmp_path / "council-2024-07-09-press-release.pdf"
    release.write_bytes(RELEASE)
    pdf = add_source(case, release, actor="analyst", now=now)
    assert [page.record.id, captured.added.record.id, pdf.record.id] == [
        "SRC-0002",
        "SRC-0003",
        "SRC-0004",
    ]
    for claims in sorted((WEB / "claims").glob("SRC-*.yaml")):
        shutil.copy(claims, case.claims_dir / claims.name)
    sealed = seal_case(case, actor="analyst", now=now)
    assert sealed.seal is not None
    report = verify_case(sealed_case)
    assert report.ok, [str(f) for f in report.problems()]
    quotes = {}
    for subject in case.state().entries:
        if subject.id.startswith("CLM-"):
            data = record_slice(case.records.read(subject.id, subject.revision))
            assert data is not None
            record = Record.from_dict(json.loads(data))
            if isinstance(record.body, ClaimBody) and record.body.source.id != "SRC-0001":
                quotes[record.body.key] = record.body
    assert set(quotes) == {
        "hospital-windows-broken",
        "hospital-wing-closed",
        "residential-windows-damaged",
        "hospital-floors-need-repair",
    }
    for body in quotes.values():
        source = case.records.read(body.source.id, body.source.revision)
        source_body = Record.from_dict(json.loads(record_slice(source) or b""))
        assert isinstance(source_body.body, SourceBody)
        assert source_body.body.text is not None
        text = case.objects.read(source_body.body.text.blake3).decode()
        assert body.quote is not None
        assert text[body.quote.start : body.quote.end] == body.quote.exact


def test_records_of_web_sources_stay_readable_by_warcio(server: WebServer, new_case: Case) -> None:
    result = capture_url(new_case, server.url("/article"), actor="analyst")
    body = result.added.record.body
    assert isinstance(body, SourceBody)
    record = new_case.objects.read(body.object.blake3)
    found = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(record))]
    assert found == [("response", LEDGER)]
