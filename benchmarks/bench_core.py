"""Benchmarks of the core (issue 2): add of a large file, seal and verify of a large case.

Usage::

    python benchmarks/bench_core.py add --size-mib 1024
    python benchmarks/bench_core.py seal-verify --sources 10000 --claims-per-source 10
    python benchmarks/bench_core.py reseal --sources 10000 --edits 10 [--baseline TREE]
    python benchmarks/bench_core.py cold-seal --sources 2000 --baseline /path/to/other/tree
    python benchmarks/bench_core.py seal         # reseal + seal-verify at 1.1k and 110k
    python benchmarks/bench_core.py all          # all three, with the issue's sizes

Each measured step runs the real command line (``python -m evidence ...``) in a fresh
process, so start-up is included, and its peak memory (max RSS) is read from the kernel.

- add: the floor is a plain Python copy that reads the file once, writes it once,
  fsyncs it and computes SHA-256 on the way; ``evidence add`` must stay within 1.1x of it
  with a peak RSS under 64 MiB.
- seal / verify: records per second, and per-record cost at the large size against the
  small one (the issue asks for within 1.3x).
- reseal: after a first seal, ``--edits`` claims (each in another claims file) are edited
  and the case sealed again, with the caches (docs/decisions/0020, 0021, 0022) and
  without them (``EVIDENCE_CACHE_DIR=off``: a full re-parse and a read of every record),
  each on its own copy of the case, interleaved, ``os.sync()`` and a settle before each;
  issue 17 asks for <= 1 s with the caches. The first seal of each case runs with an
  empty cache folder (a cold seal). With ``--baseline TREE``, another source tree
  re-seals a third copy, with its own cache folder, in the same interleaved rounds.
  (Before stop 14 the seal without the caches ran on the same copy, between two with
  them: each seal with the caches then followed one that kept no memo.)
- cold-seal: the first seal of a case (empty cache folder, or ``--cache off``), records
  per second of the whole ``evidence seal`` process, wall and CPU seconds (its worker
  processes included); with ``--baseline TREE``, the same seal by another source tree
  (``PYTHONPATH=TREE``: the previous commit, say) on an identical copy of the case, in
  interleaved rounds that alternate which goes first, as a ratio of medians. Every copy
  is made before the first timed run and deleted after the last (on this VM, creating
  many files right after deleting many costs seconds of system time).

Where the files go matters more than anything the code does. On an ext4 file system
without a journal (this VM's root), the kernel's inode allocator skips every inode freed
in the last few seconds (``recently_deleted``, 60 % of the kernel's time in ``perf``), so
creating a file costs 25 µs on a quiet disk and 450 µs right after 110,000 files were
deleted, by anyone. An ext4 with its default journal does not make that check: for
steady figures, give ``--workdir`` a folder on one (a loop-mounted image made with
``mkfs.ext4 -i 8192``, ``losetup --direct-io=on``), and say which was used. The script
prints a note when its folder is on an ext4 without a journal, and deletes nothing
before its last timed run (the generated article texts included).

Memory matters too, on this VM: a kernel thread pages out memory left untouched for a
while (a DAMON ``pageout`` scheme, ``/sys/kernel/mm/damon/admin``) and freed memory goes
back to the host (virtio-balloon), so memory touched again costs page faults the host
serves. The later rounds of one run, with more of the machine's memory in use (the
copies, their page cache, a RAM-backed image), then show several seconds more system
time, and user time swings by a quarter from one quarter-hour to the next. Compare
rounds of the same run (the ratio), and look at each round.

Every result line ends with the load average, since the machine may be shared.

The texts of the generated articles are written by this script (numbered sentences of
the team's own), not taken from anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = 1 << 20


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"[load average {one:.1f}/{five:.1f} on {os.cpu_count()} cores]"


_CPU: list[float] = []
"""CPU seconds (user + system, with the child's worker processes) of each child run."""
_USER: list[float] = []
"""User CPU seconds alone of each child run (steadier than system time on a shared disk)."""
_FAULTS: list[int] = []
"""Page faults of each child run: where its system time went, when not to the disk."""


def _peak_child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Time a child and read its own peak RSS (via /usr/bin/time-like wait4); its CPU
    seconds go to ``_CPU`` (less sensitive than wall time to other work on the machine)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out_file:
        proc = subprocess.Popen(
            # -P: the working folder is not put first on sys.path, so that PYTHONPATH
            # (--baseline TREE) decides which evidence runs, even from a source tree's root.
            [sys.executable, "-P", "-m", "evidence", *args],
            stdout=out_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        _CPU.append(usage.ru_utime + usage.ru_stime)
        _USER.append(usage.ru_utime)
        _FAULTS.append(usage.ru_minflt + usage.ru_majflt)
        out_file.seek(0)
        out = out_file.read().decode(errors="replace")
    err = ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"evidence {' '.join(args)} failed ({code}):\n{out}\n{err}")
    return elapsed, usage.ru_maxrss


def _floor_copy(src: Path, dest: Path) -> float:
    start = time.perf_counter()
    sha = hashlib.sha256()
    with open(src, "rb", buffering=0) as fin, open(dest, "wb", buffering=0) as fout:
        while chunk := fin.read(CHUNK):
            sha.update(chunk)
            fout.write(chunk)
        os.fsync(fout.fileno())
    return time.perf_counter() - start


_SETTLE = iter(range(10**6))


def _settle(workdir: Path) -> None:
    """Put the disk in the same state before every measured job: the job before left
    gigabytes in flight, whose write-back would land on whichever job runs next."""
    path = workdir / f"settle-{next(_SETTLE)}"
    block = os.urandom(CHUNK)
    with open(path, "wb", buffering=0) as fh:
        for _ in range(256):
            fh.write(block)
        os.fsync(fh.fileno())
    time.sleep(2)


def _unjournaled_ext4(folder: Path) -> str | None:
    """The device of ``folder``'s file system when it is an ext4 without a journal (the
    kernel keeps a ``/proc/fs/jbd2/<device>-<n>`` entry for each journal), else None."""
    best, device = "", None
    target = os.path.realpath(folder)
    with open("/proc/mounts", encoding="utf-8") as mounts:
        for line in mounts:
            source, point, kind = line.split()[:3]
            inside = target == point or target.startswith(point.rstrip("/") + "/")
            if inside and len(point) > len(best):
                best, device = point, (source if kind == "ext4" else None)
    if device is None:
        return None
    name = os.path.basename(device)
    journals = Path("/proc/fs/jbd2")
    has_journal = journals.is_dir() and any(
        entry.name.rpartition("-")[0] == name for entry in journals.iterdir()
    )
    return None if has_journal else device


def _drop_caches() -> None:
    """Start each run with the same page-cache state where the machine lets us."""
    os.sync()
    with contextlib.suppress(OSError):
        Path("/proc/sys/vm/drop_caches").write_text("3\n")


def bench_add(size_mib: int, workdir: Path, rounds: int) -> None:
    video = workdir / "video.mp4"
    with open(video, "wb") as fh:
        block = os.urandom(CHUNK)
        fh.write(b"\x00\x00\x00\x18ftypmp42" + block[12:])
        for i in range(1, size_mib):
            fh.write(hashlib.sha256(i.to_bytes(8, "big")).digest() * (CHUNK // 32))
    floors, adds, peaks = [], [], []
    # Rounds alternate which job runs first, and nothing is deleted before the last round:
    # on this disk (mounted with `discard`) deleting 1 GiB slows the writes that follow.
    for n in range(rounds):
        case = workdir / f"case-{n}"
        subprocess.run(
            [sys.executable, "-m", "evidence", "init", str(case)], check=True, capture_output=True
        )
        order = ("floor", "add") if n % 2 == 0 else ("add", "floor")
        for job in order:
            _settle(workdir)
            _drop_caches()
            if job == "floor":
                floors.append(_floor_copy(video, workdir / f"copy-{n}"))
            else:
                seconds, peak = _peak_child(["add", str(case), str(video)])
                adds.append(seconds)
                peaks.append(peak)
    floor, add = statistics.median(floors), statistics.median(adds)
    print(
        f"add {size_mib} MiB (medians of {rounds} rounds): floor (copy+fsync+sha256) "
        f"{floor:.2f} s "
        f"({size_mib / floor:.0f} MiB/s); evidence add {add:.2f} s "
        f"({size_mib / add:.0f} MiB/s); ratio {add / floor:.2f}x (target <= 1.10x); "
        f"peak RSS {max(peaks) / 1024:.1f} MiB (target < 64 MiB)"
    )
    print(f"  all rounds: floor {[round(x, 2) for x in floors]} add {[round(x, 2) for x in adds]}")


_SENTENCES = (
    "Officials in district {n} said that {a} people were killed and {b} injured overnight.",
    "The regional governor wrote that {a} drones were shot down over the region.",
    "According to the mayor, a school and {b} residential buildings were damaged.",
    "Rescuers reported that at least {a} people remained under the rubble on street {n}.",
    "The air force said that {b} missiles of various types were launched from the north.",
    "Police said the strike on warehouse {n} started a fire that burned for {a} hours.",
    "The ministry stated that {a} children were among the injured in district {n}.",
    "Local media reported that power was cut to {b} thousand homes after the attack.",
    "The hospital director said that {a} patients were moved to shelters in time.",
    "Witnesses told reporters that they heard {b} explosions before dawn in sector {n}.",
)


def _make_case(root: Path, sources: int, per_source: int) -> None:
    """A case with ``sources`` articles and ``per_source`` claims about each."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from evidence.case import Case
    from evidence.ingest.add import add_sources

    case = Case.init(root, case_id="BENCH", title="Benchmark case", ern_prefix="BEN", actor="bench")
    texts = root.parent / "articles"
    texts.mkdir(exist_ok=True)
    (root / "claims").mkdir(exist_ok=True)
    for start in range(0, sources, 1000):
        batch = []
        for i in range(start, min(start + 1000, sources)):
            lines = [
                s.format(n=i, a=(i * 7 + k) % 97 + 3, b=(i * 13 + k) % 89 + 2)
                for k, s in enumerate(_SENTENCES[:per_source])
            ]
            path = texts / f"article-{i:05d}.txt"
            path.write_text(f"date 2024-07-08 Report number {i}.\n\n" + "\n".join(lines) + "\n")
            batch.append(path)
        add_sources(
            case, batch, overrides={"publisher": "Bench News", "language": "en"}, actor="bench"
        )
        for i in range(start, min(start + 1000, sources)):
            claims = []
            for k, template in enumerate(_SENTENCES[:per_source]):
                quote = template.format(n=i, a=(i * 7 + k) % 97 + 3, b=(i * 13 + k) % 89 + 2)
                claims.append(
                    f"  - key: s{i}-c{k}\n"
                    f"    statement: Claim {k} of report {i}.\n"
                    f"    quote: {quote!r}\n"
                    f"    attributed_to: [{{name: Official {k}, role: spokesperson}}]\n"
                    f"    category: casualties\n"
                    f"    facts: {{killed: {{value: {(i * 7 + k) % 97 + 3}, qualifier: exact}}}}\n"
                    f"    date: 2024-07-08\n"
                    f"    places: [District {i}]\n"
                )
            (root / "claims" / f"SRC-{i + 1:04d}.yaml").write_text(
                f"source: SRC-{i + 1:04d}\nclaims:\n" + "".join(claims)
            )
    # The article texts stay until the run's folder goes: deleted here, 10,000 freed
    # inodes would be skipped by the first timed seals on an ext4 without a journal.


def _file_floor(count: int, workdir: Path) -> float:
    """Files per second this disk creates: ``count`` record-sized files, one sync at the end
    (the least any design with one file per record must pay)."""
    folder = workdir / "floor"
    folder.mkdir()
    data = b"x" * 1500
    start = time.perf_counter()
    for n in range(count):
        fd = os.open(folder / f"CLM-{n:06d}.1.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        os.write(fd, data)
        os.close(fd)
    os.sync()
    elapsed = time.perf_counter() - start
    shutil.rmtree(folder)
    return count / elapsed


def bench_seal_verify(sources: int, per_source: int, workdir: Path) -> tuple[float, float]:
    case = workdir / f"case-{sources}"
    t0 = time.perf_counter()
    _make_case(case, sources, per_source)
    made = time.perf_counter() - t0
    records = sources * (per_source + 1)
    os.sync()
    time.sleep(1)
    cold = {"EVIDENCE_CACHE_DIR": str(workdir / f"cache-{sources}")}  # empty: a cold seal
    seal_s, seal_rss = _peak_child(["seal", str(case)], env=cold)
    seal_cpu = _CPU[-1]
    _drop_caches()
    verify_s, verify_rss = _peak_child(["verify", str(case)])
    warm_s, _ = _peak_child(["verify", str(case)])
    floor = _file_floor(sources * per_source, workdir)
    print(
        f"{sources} sources + {sources * per_source} claims = {records} records "
        f"(case built in {made:.1f} s); this disk creates {floor:,.0f} files/s "
        f"(the floor of any one-file-per-record seal)"
    )
    print(
        f"  seal:   {seal_s:.2f} s = {records / seal_s:,.0f} records/s, "
        f"{seal_s / records * 1e6:.1f} us/record, {seal_cpu:.1f} CPU s "
        f"({seal_cpu / records * 1e6:.1f} us/record), peak RSS {seal_rss / 1024:.0f} MiB "
        f"{_load()}"
    )
    print(
        f"  verify: {verify_s:.2f} s cold = {records / verify_s:,.0f} records/s "
        f"({warm_s:.2f} s warm = {records / warm_s:,.0f} records/s), "
        f"peak RSS {verify_rss / 1024:.0f} MiB {_load()}"
    )
    shutil.rmtree(case)
    return seal_s / records, verify_s / records


def _child_env(tree: Path | None, cache: str) -> dict[str, str]:
    env = {"EVIDENCE_CACHE_DIR": cache}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def bench_cold_seal(
    sources: int, workdir: Path, rounds: int, baseline: Path | None, cache_off: bool
) -> None:
    """Cold seals of identical copies of one case, this tree and (optionally) another."""
    pristine = workdir / "pristine"
    _make_case(pristine, sources, 10)
    records = sources * 11
    sides = ["this"] + (["baseline"] if baseline is not None else [])
    copies: dict[tuple[str, int], Path] = {}
    for n in range(rounds):
        for side in sides:
            copies[side, n] = workdir / f"case-{side}-{n}"
            shutil.copytree(pristine, copies[side, n], symlinks=True)
    wall: dict[str, list[float]] = {side: [] for side in sides}
    cpu: dict[str, list[float]] = {side: [] for side in sides}
    user: dict[str, list[float]] = {side: [] for side in sides}
    for n in range(rounds):
        for side in sides if n % 2 == 0 else sides[::-1]:
            cache = "off" if cache_off else str(workdir / f"cache-{side}-{n}")
            os.sync()
            time.sleep(2)
            seconds, _ = _peak_child(
                ["seal", str(copies[side, n])],
                env=_child_env(baseline if side == "baseline" else None, cache),
            )
            wall[side].append(seconds)
            cpu[side].append(_CPU[-1])
            user[side].append(_USER[-1])
            print(
                f"  round {n + 1} {side:8s}: {seconds:6.2f} s = {records / seconds:7,.0f} "
                f"records/s, {cpu[side][-1]:6.2f} CPU s ({user[side][-1]:.2f} user, "
                f"{_FAULTS[-1] / 1000:,.0f}k page faults) {_load()}",
                flush=True,
            )
    this_wall, this_cpu = statistics.median(wall["this"]), statistics.median(cpu["this"])
    this_user = statistics.median(user["this"])
    print(
        f"cold seal of {records} records ({sources} sources, cache "
        f"{'off' if cache_off else 'empty'}; medians of {rounds} rounds): {this_wall:.2f} s = "
        f"{records / this_wall:,.0f} records/s (target >= 10,000), {this_cpu:.2f} CPU s "
        f"({this_cpu / records * 1e6:.0f} us/record; {this_user:.2f} user) {_load()}"
    )
    if baseline is not None:
        base_wall = statistics.median(wall["baseline"])
        base_user = statistics.median(user["baseline"])
        print(
            _against(
                baseline,
                wall,
                cpu,
                f" = {records / base_wall:,.0f} records/s ({base_user:.2f} user)",
                f", user CPU {this_user / base_user:.2f}x",
            )
        )
    for path in copies.values():
        shutil.rmtree(path, ignore_errors=True)
    shutil.rmtree(pristine, ignore_errors=True)


def _against(
    baseline: Path,
    wall: dict[str, list[float]],
    cpu: dict[str, list[float]],
    about: str = "",
    ratios: str = "",
) -> str:
    """The line comparing "this" with "baseline": the baseline's medians (and ``about``
    them), the ratios of the medians (and ``ratios``), and the wall ratio of each round."""
    this_wall, base_wall = statistics.median(wall["this"]), statistics.median(wall["baseline"])
    this_cpu, base_cpu = statistics.median(cpu["this"]), statistics.median(cpu["baseline"])
    per_round = [round(a / b, 2) for a, b in zip(wall["this"], wall["baseline"], strict=True)]
    return (
        f"  baseline {baseline}: {base_wall:.2f} s{about}, {base_cpu:.2f} CPU s (medians); "
        f"ratio this/baseline: wall {this_wall / base_wall:.2f}x, CPU "
        f"{this_cpu / base_cpu:.2f}x{ratios}; per round wall {per_round}"
    )


def _edit_claims(case: Path, edits: int, sources: int, round_: int) -> None:
    """Change the statement of the first claim in ``edits`` claims files spread over
    the case."""
    step = max(1, sources // edits)
    for n in range(edits):
        path = case / "claims" / f"SRC-{n * step + 1:04d}.yaml"
        text = path.read_text()
        start = text.index("statement: ") + len("statement: ")
        end = text.index("\n", start)
        path.write_text(text[:start] + f"Edited claim, round {round_}." + text[end:])


def bench_reseal(
    sources: int, edits: int, workdir: Path, rounds: int, baseline: Path | None = None
) -> None:
    """Re-seals after ``edits`` edited claims, with the caches and without them, each
    on its own copy of the case (a seal without the caches between two with them would
    leave the second without the previous seal's memo); with ``baseline``, the same
    re-seal by another source tree too, on its own copy with its own cache folder (a
    cache folder is keyed by the compiler's code: two trees sharing one would each find
    the other's entries stale)."""
    pristine = workdir / f"case-{sources}"
    _make_case(pristine, sources, 10)
    sides = ["this"] + (["baseline"] if baseline is not None else [])
    cases = {"this": pristine}
    for job in [*sides[1:], "off"]:
        cases[job] = workdir / f"case-{sources}-{job}"
        shutil.copytree(pristine, cases[job], symlinks=True)
    envs = {
        side: _child_env(baseline if side == "baseline" else None, str(workdir / f"cache-{side}"))
        for side in sides
    }
    envs["off"] = {"EVIDENCE_CACHE_DIR": "off"}
    first = {}
    for job in [*sides, "off"]:
        first[job], _ = _peak_child(["seal", str(cases[job])], env=envs[job])
    wall: dict[str, list[float]] = {job: [] for job in [*sides, "off"]}
    cpu: dict[str, list[float]] = {job: [] for job in [*sides, "off"]}
    for n in range(rounds):
        jobs = [*sides, "off"]
        for job in jobs if n % 2 == 0 else jobs[::-1]:
            _edit_claims(cases[job], edits, sources, n)
            os.sync()
            time.sleep(2)
            seconds, _ = _peak_child(["seal", str(cases[job])], env=envs[job])
            wall[job].append(seconds)
            cpu[job].append(_CPU[-1])
    records = sources * 11
    with_cache, without = statistics.median(wall["this"]), statistics.median(wall["off"])
    print(
        f"reseal of {records} records after editing {edits} claims (medians of {rounds} "
        f"rounds): with the caches {with_cache:.2f} s (target <= 1 s), caches off "
        f"{without:.2f} s; ratio {with_cache / without:.2f}x; first seal (cold, filling "
        f"the caches) {first['this']:.2f} s = {records / first['this']:,.0f} records/s "
        f"{_load()}"
    )
    print(
        f"  all rounds: cache {[round(x, 2) for x in wall['this']]} "
        f"off {[round(x, 2) for x in wall['off']]}"
    )
    cpu_cache, cpu_off = statistics.median(cpu["this"]), statistics.median(cpu["off"])
    print(
        f"  CPU seconds (medians, workers included): with the caches {cpu_cache:.2f}, "
        f"caches off {cpu_off:.2f}; ratio {cpu_cache / cpu_off:.2f}x; all rounds: cache "
        f"{[round(x, 2) for x in cpu['this']]} off {[round(x, 2) for x in cpu['off']]}"
    )
    if baseline is not None:
        print(_against(baseline, wall, cpu, f" (first seal {first['baseline']:.2f} s)"))
    for case in cases.values():
        shutil.rmtree(case, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    add = sub.add_parser("add")
    add.add_argument("--size-mib", type=int, default=1024)
    add.add_argument("--rounds", type=int, default=3)
    sv = sub.add_parser("seal-verify")
    sv.add_argument("--sources", type=int, default=10000)
    sv.add_argument("--claims-per-source", type=int, default=10)
    rs = sub.add_parser("reseal")
    rs.add_argument("--sources", type=int, default=10000)
    rs.add_argument("--edits", type=int, default=10)
    rs.add_argument("--rounds", type=int, default=3)
    rs.add_argument(
        "--baseline", type=Path, default=None, help="Another source tree to compare with"
    )
    cs = sub.add_parser("cold-seal")
    cs.add_argument("--sources", type=int, default=2000)
    cs.add_argument("--rounds", type=int, default=3)
    cs.add_argument(
        "--baseline", type=Path, default=None, help="Another source tree to compare with"
    )
    cs.add_argument("--cache", choices=("empty", "off"), default="empty")
    sub.add_parser("seal")
    sub.add_parser("all")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="Where to put the files (default: a temporary folder)",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="evidence-bench-", dir=args.workdir))
    device = _unjournaled_ext4(workdir)
    if device is not None:
        print(
            f"note: {workdir} is on an ext4 without a journal ({device}): creating files "
            "there right after many were deleted is slow (see this script's docstring); "
            "--workdir on a journaled ext4 gives steadier figures",
            flush=True,
        )
    try:
        if args.what in ("add", "all"):
            bench_add(getattr(args, "size_mib", 1024), workdir, getattr(args, "rounds", 3))
        if args.what == "seal-verify":
            bench_seal_verify(args.sources, args.claims_per_source, workdir)
        if args.what == "cold-seal":
            bench_cold_seal(args.sources, workdir, args.rounds, args.baseline, args.cache == "off")
        if args.what == "reseal":
            bench_reseal(args.sources, args.edits, workdir, args.rounds, args.baseline)
        if args.what in ("seal", "all"):
            bench_reseal(10000, 10, workdir, 3)
            small = bench_seal_verify(100, 10, workdir)
            large = bench_seal_verify(10000, 10, workdir)
            print(
                f"per-record cost at 110k vs 1.1k: seal {large[0] / small[0]:.2f}x, "
                f"verify {large[1] / small[1]:.2f}x (target <= 1.3x) {_load()}"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
