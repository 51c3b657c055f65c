"""WARC files and WACZ packages as sources: choosing the response, the record as object,
truncation and digest checks, redirects inside the archive, the WACZ manifest."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from evidence.case import Case
from evidence.cli import main
from evidence.digest import digest_bytes
from evidence.errors import InputError
from evidence.ingest import warc as warc_module
from evidence.ingest.add import add_source
from evidence.ingest.warc import open_wacz, open_warc, url_key
from evidence.model import Record, SourceBody
from evidence.verify import verify_case
from tests.support.http_server import pdf_bytes, png_bytes

WEB = Path(__file__).parents[2] / "data" / "web"
LEDGER_HTML = (WEB / "ledger-2024-07-10-hospital-repairs.html").read_bytes()
KYIV_HTML = (WEB / "kyiv-city-2024-07-09-windows.html").read_bytes()
LEDGER = "https://ledger.example.org/world/2024/07/10/hospital-repairs-begin"
KYIV = "https://city.example.org/news/2024-07-09-vikna"
DATE = "2024-07-10T07:00:00.250000Z"
SERVER_DATE = "Wed, 10 Jul 2024 07:00:00 GMT"


# -- builders: WARC and WACZ files made by the tests -------------------------------------


def http_response(
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str | None = "text/html; charset=utf-8",
    extra: tuple[tuple[str, str], ...] = (),
    chunked: bool = False,
) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Date: {SERVER_DATE}"]
    if content_type:
        head.append(f"Content-Type: {content_type}")
    head.extend(f"{name}: {value}" for name, value in extra)
    if chunked:
        head.append("Transfer-Encoding: chunked")
        half = len(body) // 2
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:half], body[half:]))
        body += b"0\r\n\r\n"
    else:
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def build_warc(
    exchanges: list[tuple[str, bytes]],
    *,
    gz: bool = True,
    date: str = DATE,
    software: str | None = "team-writer 1.0",
    revisit: str | None = None,
) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz, warc_version="1.1")
    if software:
        writer.write_record(writer.create_warcinfo_record("test.warc", {"software": software}))
    for url, response in exchanges:
        request = f"GET / HTTP/1.1\r\nHost: {url.split('/')[2]}\r\n\r\n".encode()
        rec_req = writer.create_warc_record(
            url, "request", payload=io.BytesIO(request), length=len(request)
        )
        rec_resp = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(response),
            length=len(response),
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_request_response_pair(rec_req, rec_resp)
    if revisit:
        record = writer.create_revisit_record(revisit, "sha1:AAAA", LEDGER, DATE)
        writer.write_record(record)
    return out.getvalue()


def build_wacz(
    warc: bytes,
    *,
    pages: list[str] = (LEDGER,),  # type: ignore[assignment]
    change: dict[str, bytes] | None = None,
    digest_file: bool = True,
) -> bytes:
    files = {
        "archive/data.warc.gz": warc,
        "pages/pages.jsonl": b"\n".join(
            [json.dumps({"format": "json-pages-1.0", "id": "pages"}).encode()]
            + [
                json.dumps({"id": str(n), "url": u, "ts": DATE}).encode()
                for n, u in enumerate(pages)
            ]
        )
        + b"\n",
    }
    package = {
        "profile": "data-package",
        "wacz_version": "1.1.1",
        "software": "team-writer 1.0",
        "resources": [
            {
                "name": Path(name).name,
                "path": name,
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
            for name, data in files.items()
        ],
    }
    files["datapackage.json"] = json.dumps(package, indent=1).encode()
    if digest_file:
        files["datapackage-digest.json"] = json.dumps(
            {
                "path": "datapackage.json",
                "hash": "sha256:" + hashlib.sha256(files["datapackage.json"]).hexdigest(),
            }
        ).encode()
    files.update(change or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(
                zipfile.ZipInfo(name, (2024, 7, 10, 7, 0, 0)),
                data,
                compress_type=zipfile.ZIP_STORED,
            )
    return out.getvalue()


def _write(tmp_path: Path, data: bytes, name: str = "capture.warc.gz") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _snapshot(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): p.stat().st_size
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


TWO_PAGES = [(LEDGER, http_response(LEDGER_HTML)), (KYIV, http_response(KYIV_HTML))]
REDIRECTED = [
    (
        "http://ledger.example.org/short/42",
        http_response(
            b"",
            status="301 Moved Permanently",
            content_type=None,
            extra=(("Location", "https://ledger.example.org/r/42"),),
        ),
    ),
    (
        "https://ledger.example.org/r/42",
        http_response(
            b"",
            status="302 Found",
            content_type=None,
            extra=(("Location", "/world/2024/07/10/hospital-repairs-begin"),),
        ),
    ),
    (LEDGER, http_response(LEDGER_HTML)),
]


# -- choosing the response ----------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_takes_the_response_for_the_url(tmp_path: Path, gz: bool) -> None:
    path = _write(tmp_path, build_warc(TWO_PAGES, gz=gz), "c.warc.gz" if gz else "c.warc")
    capture = open_warc(path, url=KYIV)
    assert capture.response.target_uri == KYIV
    assert capture.response.payload == KYIV_HTML
    assert capture.response.http.status == 200
    assert ("Date", SERVER_DATE) in capture.response.http.headers
    assert capture.response.date == DATE
    assert capture.software == "team-writer 1.0"
    assert capture.redirects == ()
    assert not capture.whole_file


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "HTTPS://City.Example.org:443/news/2024-07-09-vikna#top", KYIV, id="case-port-fragment"
        ),
        pytest.param(
            "https://ledger.example.org/world/2024/07/10/hospital-repairs-begin", LEDGER, id="exact"
        ),
    ],
)
def test_url_matching_ignores_what_does_not_name_another_resource(
    tmp_path: Path, url: str, expected: str
) -> None:
    capture = open_warc(_write(tmp_path, build_warc(TWO_PAGES)), url=url)
    assert capture.response.target_uri == expected


def test_the_single_html_page_needs_no_url(tmp_path: Path) -> None:
    exchanges = [
        (LEDGER, http_response(LEDGER_HTML)),
        (
            "https://ledger.example.org/logo.png",
            http_response(png_bytes(), content_type="image/png"),
        ),
    ]
    capture = open_warc(_write(tmp_path, build_warc(exchanges)))
    assert capture.response.target_uri == LEDGER


def test_redirects_are_followed_inside_the_archive(tmp_path: Path) -> None:
    capture = open_warc(
        _write(tmp_path, build_warc(REDIRECTED)), url="http://ledger.example.org/short/42"
    )
    assert capture.response.target_uri == LEDGER
    assert [(r.url, r.status, r.location) for r in capture.redirects] == [
        ("http://ledger.example.org/short/42", 301, "https://ledger.example.org/r/42"),
        ("https://ledger.example.org/r/42", 302, "/world/2024/07/10/hospital-repairs-begin"),
    ]
    assert capture.requested_url == "http://ledger.example.org/short/42"


@pytest.mark.parametrize(
    ("exchanges", "kwargs", "message"),
    [
        pytest.param(
            TWO_PAGES,
            {},
            f"the WARC holds 2 HTML pages; say which with --url: {KYIV}, {LEDGER}",
            id="two-pages-no-url",
        ),
        pytest.param(
            TWO_PAGES,
            {"url": "https://elsewhere.example/x"},
            "no response for https://elsewhere.example/x in the WARC; it holds responses for:",
            id="no-response-for-url",
        ),
        pytest.param(
            [(LEDGER, http_response(b"<h1>gone</h1>", status="404 Not Found"))],
            {"url": LEDGER},
            "is 404 Not Found: no page to extract",
            id="404",
        ),
        pytest.param(
            REDIRECTED[:2],
            {"url": "http://ledger.example.org/short/42"},
            f"redirects (302) to {LEDGER}, which the WARC does not hold",
            id="redirect-target-missing",
        ),
        pytest.param(
            [
                (
                    "https://a.example/x",
                    http_response(
                        b"",
                        status="302 Found",
                        content_type=None,
                        extra=(("Location", "https://a.example/x"),),
                    ),
                )
            ],
            {"url": "https://a.example/x"},
            "redirects in a loop",
            id="redirect-loop",
        ),
        pytest.param(
            [(LEDGER, http_response(LEDGER_HTML))] * 2,
            {"url": LEDGER},
            "the WARC holds 2 responses for",
            id="two-captures",
        ),
        pytest.param(
            TWO_PAGES,
            {"record_id": "<urn:uuid:00000000-0000-0000-0000-000000000000>"},
            "no response record",
            id="unknown-record-id",
        ),
    ],
)
def test_no_response_to_take_is_refused(
    tmp_path: Path, exchanges: list[tuple[str, bytes]], kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        open_warc(_write(tmp_path, build_warc(exchanges)), **kwargs)
    assert message in str(caught.value)


def test_revisit_only_is_refused_with_the_reason(tmp_path: Path) -> None:
    data = build_warc([(KYIV, http_response(KYIV_HTML))], revisit=LEDGER)
    with pytest.raises(InputError, match="only a revisit record"):
        open_warc(_write(tmp_path, data), url=LEDGER)


def test_warc_record_chooses_among_captures_of_one_url(tmp_path: Path) -> None:
    data = build_warc([(LEDGER, http_response(LEDGER_HTML))] * 2)
    ids = [
        r.rec_headers.get_header("WARC-Record-ID")
        for r in ArchiveIterator(io.BytesIO(data))
        if r.rec_type == "response"
    ]
    capture = open_warc(_write(tmp_path, data), url=LEDGER, record_id=ids[1].strip("<>"))
    assert capture.response.record_id == ids[1]


# -- the record as the object -------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_the_object_is_the_response_record_and_stands_alone(
    new_case: Case, tmp_path: Path, now: dt.datetime, gz: bool
) -> None:
    data = build_warc(TWO_PAGES, gz=gz)
    path = _write(tmp_path, data, "c.warc.gz" if gz else "c.warc")
    added = add_source(new_case, path, overrides={"url": LEDGER}, actor="analyst", now=now)
    body = added.record.body
    assert isinstance(body, SourceBody)
    record = new_case.objects.read(body.object.blake3)
    assert record in data
    assert body.object.filename == f"c-record-{data.index(record)}.warc" + (".gz" if gz else "")
    parsed = list(ArchiveIterator(io.BytesIO(record)))
    assert len(parsed) == 1
    assert parsed[0].rec_type == "response"
    assert parsed[0].rec_headers.get_header("WARC-Target-URI") == LEDGER
    assert body.media_type == "application/warc"
    assert body.captured_at == DATE
    assert added.record.created_at != body.captured_at
    assert body.url == LEDGER
    assert body.capture.final_url == LEDGER
    assert body.capture.method == "imported-archive"
    assert body.capture.http is not None
    assert body.capture.http.status == 200
    assert body.capture.warc is not None
    assert (body.capture.warc.file, body.capture.warc.offset) == (path.name, data.index(record))
    assert body.capture.clock is not None
    assert "team-writer 1.0" in body.capture.clock
    assert "+0.2 s from it" in body.capture.clock
    [archive] = body.attachments
    assert archive.role == "archive"
    assert archive.media_type == "application/warc"
    assert archive.object.blake3 == digest_bytes(data).blake3
    assert body.text is not None
    assert "more than 600 broken windows" in new_case.objects.read(body.text.blake3).decode()
    assert body.publisher == "The Example Ledger"
    assert Record.from_dict(added.record.to_dict()) == added.record  # the new fields round-trip
    assert verify_case(new_case.root).ok


def test_a_one_record_warc_is_not_kept_twice(
    new_case: Case, tmp_path: Path, now: dt.datetime
) -> None:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    response = http_response(LEDGER_HTML)
    writer.write_record(
        writer.create_warc_record(
            LEDGER, "response", payload=io.BytesIO(response), length=len(response)
        )
    )
    path = _write(tmp_path, out.getvalue())
    added = add_source(new_case, path, actor="analyst", now=now)
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.attachments == ()
    assert body.object.blake3 == digest_bytes(out.getvalue()).blake3


def test_the_same_capture_twice_is_one_source(
    new_case: Case, tmp_path: Path, now: dt.datetime
) -> None:
    path = _write(tmp_path, build_warc(TWO_PAGES))
    first = add_source(new_case, path, overrides={"url": LEDGER}, actor="a", now=now)
    again = add_source(new_case, path, overrides={"url": LEDGER}, actor="a", now=now)
    other = add_source(new_case, path, overrides={"url": KYIV}, actor="a", now=now)
    assert again.existed
    assert again.record.id == first.record.id
    assert other.record.id == "SRC-0002"
    body = other.record.body
    assert isinstance(body, SourceBody)
    assert body.language == "uk"


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        pytest.param(
            http_response(LEDGER_HTML, chunked=True), "undid the HTTP chunked", id="chunked"
        ),
        pytest.param(
            http_response(
                gzip.compress(LEDGER_HTML, mtime=0), extra=(("Content-Encoding", "gzip"),)
            ),
            "decoded the HTTP Content-Encoding gzip",
            id="gzip",
        ),
    ],
)
def test_transfer_and_content_codings_are_undone_and_noted(
    new_case: Case, tmp_path: Path, now: dt.datetime, response: bytes, fragment: str
) -> None:
    path = _write(tmp_path, build_warc([(LEDGER, response)]))
    body = add_source(new_case, path, actor="a", now=now).record.body
    assert isinstance(body, SourceBody)
    assert body.text is not None
    assert any(fragment in note for note in body.capture.transformations)
    assert "more than 600 broken" in new_case.objects.read(body.text.blake3).decode()


def test_a_pdf_response_is_read_for_text(new_case: Case, tmp_path: Path, now: dt.datetime) -> None:
    pdf = pdf_bytes([["Engineers completed a first inspection of the hospital wing."]])
    path = _write(
        tmp_path,
        build_warc(
            [("https://council.example/r.pdf", http_response(pdf, content_type="application/pdf"))]
        ),
    )
    body = add_source(new_case, path, actor="a", now=now).record.body
    assert isinstance(body, SourceBody)
    assert body.text is not None
    assert "first inspection" in new_case.objects.read(body.text.blake3).decode()


def test_a_non_page_response_is_kept_without_text(
    new_case: Case, tmp_path: Path, now: dt.datetime
) -> None:
    path = _write(
        tmp_path,
        build_warc(
            [
                (
                    "https://ledger.example.org/photo.png",
                    http_response(png_bytes(), content_type="image/png"),
                )
            ]
        ),
    )
    added = add_source(new_case, path, actor="a", now=now)
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.text is None
    assert added.warnings == (
        "the response is image/png, not a page: kept without text (cite, not quote)",
    )


def test_an_oversized_payload_is_kept_without_text(
    new_case: Case, tmp_path: Path, now: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warc_module, "MAX_PAYLOAD_BYTES", 1000)
    path = _write(tmp_path, build_warc([(LEDGER, http_response(LEDGER_HTML))]))
    added = add_source(new_case, path, actor="a", now=now)
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.text is None
    assert "kept without text" in added.warnings[0]


# -- damaged archives ---------------------------------------------------------------------


def _cut_points(data: bytes) -> list[int]:
    ends = [0]
    iterator = ArchiveIterator(io.BytesIO(data))
    for _ in iterator:
        ends.append(iterator.get_record_offset() + iterator.get_record_length())
    return ends


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
@pytest.mark.parametrize(
    "where", ["in-the-response", "in-the-last-trailer", "after-a-record", "one-byte-short"]
)
def test_a_truncated_warc_is_refused_and_nothing_written(
    new_case: Case, tmp_path: Path, now: dt.datetime, gz: bool, where: str
) -> None:
    data = build_warc(TWO_PAGES, gz=gz)
    response_at = data.index(b"WARC/1.1", 10) if not gz else _cut_points(data)[1]
    cut = {
        "in-the-response": response_at + 700,
        "in-the-last-trailer": len(data) - 3,
        "after-a-record": _cut_points(data)[2] + 9,
        "one-byte-short": len(data) - 1,
    }[where]
    path = _write(tmp_path, data[:cut], "cut.warc.gz" if gz else "cut.warc")
    before = _snapshot(new_case.root)
    with pytest.raises(InputError, match="the WARC is damaged or truncated"):
        add_source(new_case, path, overrides={"url": KYIV}, actor="a", now=now)
    assert _snapshot(new_case.root) == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fraction=st.floats(min_value=0.0, max_value=1.0, exclude_max=True), gz=st.booleans())
def test_any_cut_is_refused_or_falls_on_a_record_boundary(
    tmp_path: Path, fraction: float, gz: bool
) -> None:
    data = build_warc(TWO_PAGES, gz=gz)
    cut = int(len(data) * fraction)
    path = _write(tmp_path, data[:cut], "p.warc.gz" if gz else "p.warc")
    boundaries = _cut_points(data)
    if not gz:  # a .warc record ends after its two CRLFs
        boundaries = [b + 4 if b else b for b in boundaries]
    try:
        open_warc(path, url=KYIV)
    except InputError:
        return
    assert cut in boundaries  # a shorter but sound WARC, which no reader can tell apart


def test_a_record_that_does_not_match_its_digest_is_refused(
    new_case: Case, tmp_path: Path, now: dt.datetime
) -> None:
    data = build_warc(TWO_PAGES, gz=False)
    tampered = data.replace(b"more than 600 broken", b"more than 900 broken")
    path = _write(tmp_path, tampered, "t.warc")
    with pytest.raises(InputError, match="does not match its own digest") as caught:
        add_source(new_case, path, overrides={"url": LEDGER}, actor="a", now=now)
    assert "payload digest failed" in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"WARC/1.1\r\nnot a header\r\n\r\n", id="bad-header"),
        pytest.param(gzip.compress(b"this is no WARC at all\r\n"), id="gzip-not-warc"),
        pytest.param(b"\x1f\x8b\x08\x00" + b"\x00" * 40, id="broken-gzip"),
    ],
)
def test_not_a_warc_is_a_clear_error(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        open_warc(_write(tmp_path, data, "x.warc.gz"))
    assert "WARC" in str(caught.value)


def test_url_key_matches_an_iri_with_its_uri() -> None:
    iri = "https://City.example.org/новини?р=1"  # noqa: RUF001 - Cyrillic on purpose
    assert url_key(iri) == "https://city.example.org/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8?%D1%80=1"
    assert url_key("https://місто.укр/") == "https://xn--l1aeie2h.xn--j1amh/"


def test_url_key_is_idempotent() -> None:
    for url in (LEDGER, KYIV, "HTTP://A.example:80", "https://[::1]:8443/x?y=1#z", "bad:/"):
        assert url_key(url_key(url)) == url_key(url)


# -- WACZ -------------------------------------------------------------------------------


def test_wacz_is_checked_then_read(new_case: Case, tmp_path: Path, now: dt.datetime) -> None:
    wacz = build_wacz(build_warc(TWO_PAGES))
    path = _write(tmp_path, wacz, "crawl.wacz")
    added = add_source(new_case, path, actor="analyst", now=now)  # pages.jsonl names one page
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.capture.final_url == LEDGER
    assert body.capture.warc is not None
    assert body.capture.warc.file == "crawl.wacz!/archive/data.warc.gz"
    [archive] = body.attachments
    assert archive.media_type == "application/wacz"
    assert archive.object.blake3 == digest_bytes(wacz).blake3
    events = [json.loads(line) for line in new_case.custody.path.read_text().splitlines()]
    checks = events[-1]["details"]["checks"]
    assert any("matches its datapackage.json" in c for c in checks)
    assert any("datapackage-digest.json matches" in c for c in checks)
    assert verify_case(new_case.root).ok


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"archive/data.warc.gz": build_warc(TWO_PAGES[:1])},
            "archive/data.warc.gz: datapackage.json says sha256",
            id="warc-replaced",
        ),
        pytest.param(
            {"pages/pages.jsonl": b'{"url": "https://x.example/"}\n'},
            "pages/pages.jsonl: datapackage.json says sha256",
            id="pages-edited",
        ),
        pytest.param(
            {"datapackage.json": b'{"resources": []}'},
            "datapackage-digest.json says sha256",
            id="manifest-edited",
        ),
    ],
)
def test_a_wacz_that_does_not_match_its_manifest_is_reported(
    new_case: Case, tmp_path: Path, now: dt.datetime, change: dict[str, bytes], message: str
) -> None:
    path = _write(tmp_path, build_wacz(build_warc(TWO_PAGES), change=change), "x.wacz")
    before = _snapshot(new_case.root)
    with pytest.raises(InputError, match="datapackage") as caught:
        add_source(new_case, path, actor="a", now=now)
    assert message in str(caught.value)
    assert "nothing was added" in caught.value.diagnostics()
    assert _snapshot(new_case.root) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"PK\x03\x04" + b"\x00" * 30, "not a ZIP file", id="broken-zip"),
        pytest.param(
            build_wacz(
                build_warc(TWO_PAGES),
                change={
                    "datapackage.json": b'{"resources": [{"path": '
                    b'"archive/data.warc.gz", "hash": "md5:00"}]}'
                },
                digest_file=False,
            ),
            "expected 'sha256:<64 hex digits>'",
            id="unknown-digest",
        ),
    ],
)
def test_wacz_damage_is_a_clear_error(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        open_wacz(_write(tmp_path, data, "x.wacz"))


def test_a_wacz_without_datapackage_is_not_a_wacz(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("archive/data.warc.gz", build_warc(TWO_PAGES))
    with pytest.raises(InputError, match=r"not a WACZ package: no datapackage\.json"):
        open_wacz(_write(tmp_path, out.getvalue(), "x.wacz"))


def test_cli_adds_a_warc_page_by_url(
    new_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, build_warc(REDIRECTED))
    code = main(
        ["add", str(new_case.root), str(path), "--url", "http://ledger.example.org/short/42"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "SRC-0001" in out
    assert "application/warc" in out
    assert "with text" in out
    assert f"after 2 redirect(s): {LEDGER}" in out
    assert "attached archive" in out


def test_cli_missing_response_is_exit_2_without_traceback(
    new_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, build_warc(TWO_PAGES))
    assert main(["add", str(new_case.root), str(path), "--url", "https://nope.example/"]) == 2
    err = capsys.readouterr().err
    assert "no response for https://nope.example/ in the WARC" in err
    assert "Traceback" not in err
