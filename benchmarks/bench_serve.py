"""Benchmarks of ``evidence serve`` (issue 16).

Usage::

    python benchmarks/bench_serve.py reader                  # 1 MiB source, 500 claims
    python benchmarks/bench_serve.py overview --sources 10000 --claims-per-source 10
    python benchmarks/bench_serve.py all

- reader: a 1 MiB source with 500 claims, opened in Chromium (Debian's, through
  Playwright) from a real server on 127.0.0.1: time until the page is loaded with every
  highlight in place (navigation to ``load``, highlights counted), against the same text
  with no claims in the same run (the ratio is the cost of the highlights).
- overview: a case with 10,000 sources and 100,000 sealed claims (built and sealed with
  the library); server time of ``GET /`` (cold: first request; warm: median of later
  ones), against reading the case state from the custody log alone
  (``Case.state()``, the floor every command pays). ``GET /sources`` is measured too.

The generated article texts are numbered sentences written for this script.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from evidence.case import Case
from evidence.ingest.add import add_sources
from evidence.integrity.seal import seal_case
from evidence.report import Report
from evidence.serve import ServeConfig
from evidence.serve.server import Server, bind
from evidence.verify import log_verification

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SENTENCE = (
    "Report {n}: the regional office said that {a} buildings were damaged and {b} "
    "people were moved to shelters in district {n}."
)


def _serve(root: Path) -> Server:
    sock = bind("127.0.0.1", 0)
    server = Server(ServeConfig(root, token="bench", port=sock.getsockname()[1]), sock)
    server.start()
    return server


def _reader_case(root: Path, claims: int) -> None:
    case = Case.init(
        root, case_id="BENCH-R", title="Reader benchmark", ern_prefix="BR", actor="bench"
    )
    lines: list[str] = []
    size = 0
    while size < (1 << 20):
        n = len(lines)
        lines.append(SENTENCE.format(n=n, a=n % 97 + 3, b=n % 89 + 2))
        size += len(lines[-1]) + 1
    text = "\n".join(lines) + "\n"
    work = root.parent / "articles"
    work.mkdir()
    (work / "big.txt").write_text(text, encoding="utf-8")
    (work / "plain.txt").write_text(text.replace("Report", "Note"), encoding="utf-8")
    add_sources(
        case,
        [work / "big.txt", work / "plain.txt"],
        overrides={"publisher": "Bench", "language": "en"},
        actor="bench",
    )
    step = len(lines) // claims
    items = [
        f"  - key: c{i}\n    statement: Claim {i}.\n"
        f"    quote: {lines[i * step]!r}\n    category: damage\n"
        for i in range(claims)
    ]
    (case.claims_dir / "SRC-0001.yaml").write_text(
        "source: SRC-0001\nclaims:\n" + "".join(items), encoding="utf-8"
    )


def bench_reader(workdir: Path, rounds: int = 5) -> None:
    from playwright.sync_api import sync_playwright

    root = workdir / "reader"
    _reader_case(root, 500)
    server = _serve(root)
    results: dict[str, list[float]] = {"SRC-0001": [], "SRC-0002": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(server.url())
            cold = {}
            for sid in results:  # the first view compiles the claims, then is cached
                start = time.perf_counter()
                page.goto(f"{server.base}/sources/{sid}", wait_until="load")
                cold[sid] = time.perf_counter() - start
            for _ in range(rounds):
                for sid, times in results.items():
                    start = time.perf_counter()
                    page.goto(f"{server.base}/sources/{sid}", wait_until="load")
                    count = page.locator("#text a.hl").count()
                    times.append(time.perf_counter() - start)
                    if sid == "SRC-0001" and count != 500:
                        sys.exit(f"expected 500 highlights, saw {count}")
            browser.close()
    finally:
        server.stop()
    with_hl = statistics.median(results["SRC-0001"])
    without = statistics.median(results["SRC-0002"])
    print(
        f"reader, 1 MiB source: 500 highlights {with_hl * 1000:.0f} ms (median of {rounds}), "
        f"same text without claims {without * 1000:.0f} ms; ratio {with_hl / without:.2f}"
    )
    print(
        f"first view (claims compiled on the server): 500 highlights "
        f"{cold['SRC-0001'] * 1000:.0f} ms, without claims {cold['SRC-0002'] * 1000:.0f} ms"
    )


def _big_case(root: Path, sources: int, per_source: int) -> None:
    case = Case.init(
        root, case_id="BENCH-O", title="Overview benchmark", ern_prefix="BO", actor="bench"
    )
    work = root.parent / "articles"
    work.mkdir(exist_ok=True)
    for first in range(0, sources, 1000):
        batch = []
        for i in range(first, min(first + 1000, sources)):
            path = work / f"a{i:05d}.txt"
            path.write_text(
                "\n".join(SENTENCE.format(n=i * 100 + k, a=k, b=i % 50) for k in range(per_source))
                + "\n",
                encoding="utf-8",
            )
            batch.append(path)
        add_sources(case, batch, overrides={"publisher": "Bench", "language": "en"}, actor="bench")
        for i in range(first, min(first + 1000, sources)):
            items = "".join(
                f"  - key: s{i}-c{k}\n    statement: Claim {k} of source {i}.\n"
                f"    quote: {SENTENCE.format(n=i * 100 + k, a=k, b=i % 50)!r}\n"
                f"    category: damage\n"
                for k in range(per_source)
            )
            (case.claims_dir / f"SRC-{i + 1:04d}.yaml").write_text(
                f"source: SRC-{i + 1:04d}\nclaims:\n{items}", encoding="utf-8"
            )
            path = work / f"a{i:05d}.txt"
            path.unlink()
    seal_case(case, actor="bench")


def _timed_get(client: httpx.Client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        sys.exit(f"GET {path}: {response.status_code}")
    return elapsed


def bench_overview(
    workdir: Path, sources: int, per_source: int, rounds: int = 9, keep: Path | None = None
) -> None:
    root = keep or workdir / "overview"
    if not (root / "case.yaml").exists():
        start = time.perf_counter()
        _big_case(root, sources, per_source)
        print(
            f"built and sealed {sources} sources, {sources * per_source} claims in "
            f"{time.perf_counter() - start:.0f} s"
        )
    floor = []
    for _ in range(3):
        start = time.perf_counter()
        Case.open(root).state()
        floor.append(time.perf_counter() - start)
    state = statistics.median(floor)
    start = time.perf_counter()
    server = _serve(root)  # reads the state and the sources table in the background
    try:
        with httpx.Client(base_url=server.base, timeout=600) as client:
            client.get("/?token=bench")
            first = _timed_get(client, "/")
            started = time.perf_counter() - start
            sources_first = _timed_get(client, "/sources")  # waits for the background read
            warm = statistics.median(_timed_get(client, "/") for _ in range(rounds))
            pages = statistics.median(
                _timed_get(client, f"/sources?page={1 + i * 17}") for i in range(rounds)
            )
            log_verification(root, Report(), actor="bench")  # the log grows by one line
            grown = _timed_get(client, "/")
            grown_sources = _timed_get(client, "/sources?page=3")
    finally:
        server.stop()
    print(
        f"overview, {sources} sources / {sources * per_source} claims: GET / warm "
        f"{warm * 1000:.0f} ms (median of {rounds}); after the custody log grew "
        f"{grown * 1000:.0f} ms; Case.state() alone (the floor of every command) "
        f"{state * 1000:.0f} ms; warm/state ratio {warm / state:.3f}"
    )
    print(
        f"first GET / after start {first * 1000:.0f} ms (waits for the background read; "
        f"server start to first page {started:.1f} s); first GET /sources "
        f"{sources_first * 1000:.0f} ms, later pages {pages * 1000:.0f} ms, after the log "
        f"grew {grown_sources * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["reader", "overview", "all"])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--claims-per-source", type=int, default=10)
    parser.add_argument("--case", type=Path, help="build the large case here, or reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        if args.what in ("reader", "all"):
            bench_reader(Path(tmp))
        if args.what in ("overview", "all"):
            bench_overview(Path(tmp), args.sources, args.claims_per_source, keep=args.case)


if __name__ == "__main__":
    main()
