"""Benchmarks of web ingest (issue 7): article extraction, and adding a 100 MB WARC.

Usage::

    python benchmarks/bench_ingest_web.py extract [--runs 30]
    python benchmarks/bench_ingest_web.py warc [--size-mib 100]
    python benchmarks/bench_ingest_web.py all

- extract: decoding and main-text extraction (trafilatura) of typical article pages
  (the test pages, and a generated 150 KB page heavy with menus, scripts and related
  links), in process, repeated; median and worst time per page. The issue asks for
  well under a second.
- warc: ``evidence add CASE big.warc[.gz] --url URL`` in a fresh process, on a WARC of
  the given size where the page sits among large binary responses (so the archive must
  be streamed past them). Reported: wall time, peak RSS of the process, and the peak
  RSS of adding a 4 KB page for comparison: the difference is what the archive costs in
  memory (the issue asks for bounded memory). A plain read of the file with SHA-256 is
  the floor for the time.

The pages and texts are generated here or are the team's test pages; nothing is copied.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "tests" / "data" / "web"
URL = "https://ledger.example.org/world/2024/07/10/hospital-repairs-begin"
SENTENCE = (
    "Repair crews worked through the night on the damaged wing, a spokesperson for "
    "the city administration said, adding that {n} volunteers had joined them. "
)


def heavy_page(paragraphs: int = 40, links: int = 600) -> bytes:
    """A large article page of the kind news sites serve: menus, scripts, teasers."""
    nav = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(links))
    script = "<script>" + "var x=1;" * 4000 + "</script>"
    body = "".join(f"<p>{SENTENCE.format(n=i) * 3}</p>" for i in range(paragraphs))
    related = "".join(f'<li><a href="/r/{i}">Related story number {i}</a></li>' for i in range(60))
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Heavy page'
        f"</title>{script}</head><body><header><nav><ul>{nav}</ul></nav></header><main>"
        f"<article><h1>Repairs continue</h1>{body}</article><aside><ul>{related}</ul>"
        f"</aside></main><footer>{nav}</footer></body></html>"
    )
    return page.encode("utf-8")


def bench_extract(runs: int) -> None:
    from evidence.ingest.html import extract_html

    pages = {
        path.name: path.read_bytes()
        for path in sorted(WEB.glob("*.html"))
        if "index" not in path.name
    }
    pages["generated-heavy-page.html"] = heavy_page()
    print(f"extract: {runs} runs a page (first run included: imports and caches warm up)")
    for name, data in pages.items():
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            extract_html(data, path=name)
            times.append(time.perf_counter() - start)
        median = statistics.median(times) * 1000
        print(
            f"  {name:<45} {len(data) / 1024:7.1f} KiB  median {median:7.1f} ms"
            f"  worst {max(times) * 1000:7.1f} ms"
        )


def make_warc(path: Path, size: int, *, gz: bool) -> None:
    """A WARC of about ``size`` bytes: 1 MiB random 'video' responses, the page in the
    middle, written with warcio (random bytes do not compress: the file is that large)."""
    from warcio.warcwriter import WARCWriter

    html = (WEB / "ledger-2024-07-10-hospital-repairs.html").read_bytes()
    blob = os.urandom(1 << 20)
    count = max(1, size // len(blob))
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gz, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "bench"}))
        for n in range(count):
            if n == count // 2:
                head = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(html)
                )
                payload = head + html
                writer.write_record(
                    writer.create_warc_record(
                        URL, "response", payload=io.BytesIO(payload), length=len(payload)
                    )
                )
            head = (
                b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n"
                b"Content-Length: %d\r\n\r\n" % len(blob)
            )
            payload = head + blob[n % 7 :] + blob[: n % 7]
            writer.write_record(
                writer.create_warc_record(
                    f"https://ledger.example.org/media/{n}.mp4",
                    "response",
                    payload=io.BytesIO(payload),
                    length=len(payload),
                )
            )


def _run(args: list[str]) -> tuple[float, float]:
    """Run the CLI in a fresh process; return (seconds, peak RSS in MiB)."""
    code = (
        "import resource, sys; from evidence.cli import main; rc = main(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
        "sys.exit(rc)"
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"evidence {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed, int(proc.stderr.strip().splitlines()[-1]) / 1024


def _floor(path: Path) -> float:
    start = time.perf_counter()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return time.perf_counter() - start


def bench_warc(size_mib: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    try:
        print(f"warc: evidence add of a {size_mib} MiB WARC, the page among large responses")
        small_case = work / "small"
        _run(["init", str(small_case), "--id", "B-0", "--ern-prefix", "B"])
        page = WEB / "ledger-2024-07-10-hospital-repairs.html"
        t_page, rss_page = _run(["add", str(small_case), str(page), "--actor", "bench"])
        print(
            f"  4 KiB HTML page (reference)           {t_page:6.2f} s   peak RSS "
            f"{rss_page:6.1f} MiB"
        )
        for gz in (True, False):
            name = "big.warc.gz" if gz else "big.warc"
            warc = work / name
            make_warc(warc, size_mib << 20, gz=gz)
            case = work / f"case-{gz}"
            _run(["init", str(case), "--id", "B-1", "--ern-prefix", "B"])
            floor = _floor(warc)
            elapsed, rss = _run(["add", str(case), str(warc), "--url", URL, "--actor", "bench"])
            mib = warc.stat().st_size / (1 << 20)
            print(
                f"  {name:<12} {mib:6.1f} MiB   add {elapsed:6.2f} s "
                f"({mib / elapsed:6.1f} MiB/s; floor read+sha256 {floor:5.2f} s)   peak RSS "
                f"{rss:6.1f} MiB (+{rss - rss_page:5.1f} over the page)"
            )
            warc.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["extract", "warc", "all"])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--size-mib", type=int, default=100)
    args = parser.parse_args()
    if args.what in ("extract", "all"):
        bench_extract(args.runs)
    if args.what in ("warc", "all"):
        bench_warc(args.size_mib)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"(benchmark process peak RSS {usage.ru_maxrss / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
