#!/usr/bin/env python3
"""evidence-verify.py: check an `evidence` case with Python's standard library alone.

    python3 evidence-verify.py PATH [--json] [--trusted-key PUB.pem]... [--tsa-ca ROOT.pem]

PATH is a case folder, a partial case (`evidence disclose`), a BagIt package folder or
its zip (`evidence export`), an inclusion proof (`evidence proof`, a .json file) or a
dossier PDF (`evidence render`, its attached files). Every byte it checks is specified
in docs/VERIFYING.md of the `evidence` project; the check names are those of
`evidence verify`. SHA-256 paths are always checked; BLAKE3 only when the `blake3`
module or the `b3sum` command exists. Ed25519 signatures and RFC 3161 time-stamps are
checked with the `openssl` command; without it they are reported "not checked: openssl
missing", which is never a pass (exit 1). Exit: 0 all checked and good, 1 findings or
checks that could not be made, 2 the command could not run.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

_blake3: Any
try:
    import blake3 as _blake3
except ImportError:  # pragma: no cover - depends on the machine
    _blake3 = None

HEX64 = re.compile(r"^[0-9a-f]{64}$")
RECORD_NAME = re.compile(r"^((?:SRC|CLM)-[0-9]{4,})\.([1-9][0-9]*)\.json$")
SEAL_NAME = re.compile(r"^[0-9]{4,}\.json$")
BESIDE_SEAL = re.compile(r"^\.(sig|[1-9][0-9]*\.tsr|[1-9][0-9]*\.(?:chain|root)\.pem)$")
LEFTOVER = re.compile(r"^(\..+\.[0-9]+-[0-9]+\.tmp|\.incoming-[0-9a-z]+)$")
ENVELOPE_HEAD = b'{"digests":{"blake3":"'
RECORD_OFFSET = 174  # len('{"digests":{"blake3":"<64>","sha256":"<64>"},"record":')
RECORD_ACTIONS = ("collected", "claim-recorded", "superseded")
ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")  # RFC 8410 DER prefix
CLOCK_SKEW = 300.0
SEAL_KEYS = {
    "schema",
    "case_id",
    "sequence",
    "sealed_at",
    "tree",
    "leaves",
    "custody",
    "previous",
    "signer",
}
ROOT_FILES = {"case.yaml", "custody.jsonl", ".lock"}
DOSSIER_FILES = {"evidence-dossier.json", "SHA256SUMS", "B3SUMS"}
ROOT_FOLDERS = {"claims", "objects", "records", "seals", "out", "schemas"}
PARTIAL_ROOT_FILES = {
    "case.yaml",
    "custody.jsonl",
    "disclosure.json",
    "README.txt",
    "evidence-verify.py",
}
PARTIAL_ROOT_FOLDERS = {"objects", "records", "seals"}
OPENSSL = shutil.which("openssl")
B3SUM = shutil.which("b3sum")


class Report:
    """Findings: (check, status PASS/FAIL/ERROR/INFO, path, record, message)."""

    def __init__(self) -> None:
        self.findings: list[dict[str, Any]] = []
        self.checked: dict[str, int] = {}

    def add(
        self,
        check: str,
        status: str,
        message: str,
        path: str | None = None,
        record: str | None = None,
        line: int | None = None,
    ) -> None:
        self.findings.append(
            {
                "check": check,
                "status": status,
                "path": path,
                "record": record,
                "line": line,
                "message": message,
            }
        )

    def count(self, what: str, n: int = 1) -> None:
        self.checked[what] = self.checked.get(what, 0) + n

    @property
    def ok(self) -> bool:
        return not any(f["status"] in ("FAIL", "ERROR") for f in self.findings)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blake3(data: bytes) -> str | None:
    """BLAKE3 hex of data when the `blake3` module exists (None: not checkable here)."""
    return _blake3.blake3(data).hexdigest() if _blake3 is not None else None


def jcs(value: Any) -> bytes:
    """RFC 8785 bytes of JSON without floats (the records, seals and events hold none)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def load_json(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"))


def openssl(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *args], input=data, capture_output=True, check=False)


# -- RFC 9162 §2.1 Merkle trees -------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def tree_root(hashes: list[bytes]) -> bytes:
    """MTH (RFC 9162 §2.1.1) over leaf hashes, bottom up (pairs, an odd last one carried)."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    level = list(hashes)
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root an inclusion proof leads to, None if it is malformed."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


# -- the case folder ------------------------------------------------------------------------


class Case:
    def __init__(self, root: Path, report: Report, args: argparse.Namespace) -> None:
        self.root, self.report, self.args = root, report, args
        self.objects: dict[str, tuple[str, int]] = {}  # name -> (sha256, size)
        self.bad_objects: set[str] = set()
        self.records: dict[tuple[str, int], dict[str, Any]] = {}
        self.order: list[tuple[str, int]] = []
        self.line_digests: dict[int, str] = {}
        self.sealed: dict[int, dict[str, Any]] = {}
        self.attach_events: dict[str, dict[str, Any]] = {}
        self.case_meta: list[tuple[int, int, dict[str, Any]]] = []  # seq, line, details
        self.case_id = case_id(root)

    def add(self, *a: Any, **k: Any) -> None:
        self.report.add(*a, **k)


def case_id(root: Path) -> str | None:
    try:
        text = (root / "case.yaml").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.search(r"^id: *(['\"]?)([A-Za-z0-9][A-Za-z0-9._-]*)\1 *(#.*)?$", text, re.M)
    return found[2] if found else ""  # "": the case-yaml check of `evidence` names it


def closed_world(c: Case, *, partial: bool = False) -> None:
    """Links, leftovers and files the tool never writes are findings (decision 0406);
    ``partial``: a partial case, which `evidence disclose` writes with other root files."""

    def rel(p: Path) -> str:
        return p.relative_to(c.root).as_posix()

    def unknown(p: Path) -> None:
        what = "a folder" if p.is_dir() else "a file"
        c.add("case-unknown-file", "FAIL", f"{what} the tool never writes here", rel(p))

    def links_below(p: Path) -> None:
        for e in sorted(p.iterdir()) if p.is_dir() and not p.is_symlink() else []:
            if e.is_symlink():
                c.add("case-symlink", "FAIL", "a symbolic link", rel(e))
            elif e.is_dir():
                links_below(e)

    seals = {p.name for p in _entries(c.root / "seals") if SEAL_NAME.match(p.name)}
    files = PARTIAL_ROOT_FILES if partial else ROOT_FILES | DOSSIER_FILES
    folders = PARTIAL_ROOT_FOLDERS if partial else ROOT_FOLDERS
    for top in _entries(c.root):
        if top.is_symlink():
            c.add("case-symlink", "FAIL", f"a symbolic link (to {os.readlink(top)})", rel(top))
        elif top.name in files and top.is_file():
            continue
        elif LEFTOVER.match(top.name):
            c.add("case-leftover", "FAIL", "leftover of an interrupted write", rel(top))
        elif not (top.name in folders and top.is_dir()):
            unknown(top)
        else:
            for e in _entries(top):
                kind = top.name
                if e.is_symlink():
                    c.add("case-symlink", "FAIL", f"a symbolic link (to {os.readlink(e)})", rel(e))
                elif LEFTOVER.match(e.name):
                    c.add("case-leftover", "FAIL", "leftover of an interrupted write", rel(e))
                elif kind in ("out", "schemas"):
                    links_below(e)
                elif kind == "objects":
                    if not (e.is_dir() and re.fullmatch(r"[0-9a-f]{2}", e.name)):
                        unknown(e)
                        continue
                    for o in _entries(e):
                        if o.is_symlink():
                            c.add("case-symlink", "FAIL", "a symbolic link", rel(o))
                        elif LEFTOVER.match(o.name):
                            c.add(
                                "case-leftover", "FAIL", "leftover of an interrupted write", rel(o)
                            )
                        elif o.is_dir() or o.name.startswith("."):
                            unknown(o)
                elif kind == "claims":
                    if not (e.is_file() and re.match(r"^[^.].*\.ya?ml$", e.name)):
                        unknown(e)
                elif kind == "records":
                    if e.is_dir():
                        unknown(e)
                elif kind == "seals":
                    m = re.match(r"^([0-9]{4,}\.json)(\..*)?$", e.name)
                    if not e.is_file() or m is None or m[1] not in seals:
                        unknown(e)


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def scan_objects(c: Case) -> None:
    paths = [
        o
        for d in _entries(c.root / "objects")
        if d.is_dir() and not d.is_symlink()
        for o in _entries(d)
        if o.is_file() and not o.name.startswith(".")
    ]
    b3 = _b3sum_many(paths) if _blake3 is None else {}
    for path in paths:
        rel, name = path.relative_to(c.root).as_posix(), path.name
        c.report.count("objects")
        if not (HEX64.match(name) and path.parent.name == name[:2]):
            c.add("object-name", "FAIL", "not named objects/<first two hex>/<BLAKE3 hex>", rel)
            continue
        data = path.read_bytes()
        computed = blake3(data) if _blake3 is not None else b3.get(path)
        if computed is not None and computed != name:
            c.add("object-digest", "FAIL", f"expected blake3 {name}, computed {computed}", rel)
            c.bad_objects.add(name)
        c.objects[name] = (sha256(data), len(data))


def _b3sum_many(paths: list[Path]) -> dict[Path, str]:
    """BLAKE3 of files with the `b3sum` command, when there is one."""
    if B3SUM is None or not paths:
        return {}
    out = subprocess.run([B3SUM, "--", *map(str, paths)], capture_output=True, check=False)
    found = {}
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        digest, _, name = line.partition("  ")
        found[Path(name)] = digest
    return found


def scan_records(c: Case) -> None:
    for path in _entries(c.root / "records"):
        if path.name.startswith(".") or path.is_dir() or path.is_symlink():
            continue  # the closed-world scan names these
        rel = f"records/{path.name}"
        m = RECORD_NAME.match(path.name)
        if m is None:
            c.add("record-name", "FAIL", "not a record file name (<ID>.<revision>.json)", rel)
            continue
        label = f"{m[1]}.{m[2]}"
        c.report.count("records")
        rec = read_record(c, path.read_bytes(), rel, label)
        if rec is None:
            continue
        if (rec["id"], rec["revision"]) != (m[1], int(m[2])):
            c.add(
                "record-name",
                "FAIL",
                f"file name says {label}, the record is {rec['id']}.{rec['revision']}",
                rel,
                label,
            )
        c.records[(m[1], int(m[2]))] = rec


def read_record(c: Case, data: bytes, rel: str, label: str) -> dict[str, Any] | None:
    """A record file: the envelope {digests, record} in RFC 8785 form plus LF; the record's
    bytes are the file without its first 174 bytes and its last 2 (`}` and LF)."""
    body = data[RECORD_OFFSET:-2]
    if not (
        data.startswith(ENVELOPE_HEAD)
        and data.endswith(b"}\n")
        and data[RECORD_OFFSET - 12 : RECORD_OFFSET] == b'"},"record":'
        and len(data) > RECORD_OFFSET + 2
    ):
        c.add("record-form", "FAIL", "not the RFC 8785 form of {digests, record} + LF", rel, label)
        return None
    try:
        env = load_json(data[:-1])
        doc = env["record"]
        stated = (env["digests"]["blake3"], env["digests"]["sha256"])
    except (ValueError, KeyError, TypeError) as exc:
        c.add("record-form", "FAIL", f"the record is not JSON: {exc}", rel, label)
        return None
    b3 = blake3(body)
    for name, want, got in (("blake3", stated[0], b3), ("sha256", stated[1], sha256(body))):
        if got is not None and want != got:
            c.add(
                "record-digest",
                "FAIL",
                f"the file says {name} {want}, the record's bytes give {got}",
                rel,
                label,
            )
    if jcs(doc) != body or jcs(env) + b"\n" != data:
        c.add("record-form", "FAIL", "the record is not in RFC 8785 canonical form", rel, label)
    if not (
        isinstance(doc, dict)
        and isinstance(doc.get("body"), dict)
        and isinstance(doc.get("id"), str)
        and isinstance(doc.get("revision"), int)
        and doc.get("kind") in ("source", "claim")
    ):
        c.add("record-schema", "FAIL", "not a source or claim record", rel, label)
        return None
    # Later checks compare what the bytes give (BLAKE3: what the file says, unless computable).
    return {**doc, "_blake3": b3 or stated[0], "_sha256": sha256(body), "_leaf": leaf_hash(body)}


def check_links(c: Case, withheld: dict[tuple[str, int], str] | None = None) -> None:
    texts: dict[str, str | None] = {}
    for (rid, rev), rec in sorted(c.records.items()):
        rel, label, body = f"records/{rid}.{rev}.json", f"{rid}.{rev}", rec["body"]
        if rev > 1:
            before = c.records.get((rid, rev - 1))
            sup = rec.get("supersedes")
            if before is None:
                c.add("record-chain", "FAIL", f"revision {rev - 1} is missing", rel, label)
            elif isinstance(sup, dict) and sup.get("blake3") != before["_blake3"]:
                c.add(
                    "record-chain",
                    "FAIL",
                    f"supersedes revision {rev - 1} with blake3 "
                    f"{sup.get('blake3')}, which has {before['_blake3']}",
                    rel,
                    label,
                )
        if rec["kind"] == "source":
            obj, text = body.get("object") or {}, body.get("text")
            object_ref(
                c,
                "source-object",
                obj.get("blake3"),
                obj.get("sha256"),
                obj.get("size"),
                rel,
                label,
            )
            for att in body.get("attachments") or []:
                object_ref(
                    c,
                    "source-attachment",
                    att.get("blake3"),
                    att.get("sha256"),
                    att.get("size"),
                    rel,
                    label,
                )
            if text and object_ref(
                c, "source-text", text["blake3"], text["sha256"], None, rel, label
            ):
                s = read_text(c, text["blake3"], texts)
                if s is None:
                    c.add("source-text", "FAIL", "the text object is not UTF-8", rel, label)
                elif len(s) != text["length"]:
                    c.add(
                        "source-text",
                        "FAIL",
                        f"the record says {text['length']} code points, the text has {len(s)}",
                        rel,
                        label,
                    )
        else:
            check_claim(c, rec, rel, label, texts, withheld)


def object_ref(c: Case, check: str, name: Any, sha: Any, size: Any, rel: str, label: str) -> bool:
    found = c.objects.get(name) if isinstance(name, str) else None
    if name in c.bad_objects:
        c.add(check, "FAIL", f"object {name} does not match its digest", rel, label)
    elif found is None:
        c.add(check, "FAIL", f"object {name} is missing", rel, label)
    elif found[0] != sha:
        c.add(check, "FAIL", f"the record says sha256 {sha}, the object has {found[0]}", rel, label)
        c.add(
            "object-digest",
            "FAIL",
            f"sha256 {found[0]}, its record says {sha}",
            f"objects/{name[:2]}/{name}",
        )
    elif size is not None and found[1] != size:
        c.add(check, "FAIL", f"the record says {size} bytes, the object has {found[1]}", rel, label)
    else:
        return True
    return False


def read_text(c: Case, name: str, cache: dict[str, str | None]) -> str | None:
    if name not in cache:
        try:
            cache[name] = (c.root / "objects" / name[:2] / name).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            cache[name] = None
    return cache[name]


def check_claim(
    c: Case,
    rec: dict[str, Any],
    rel: str,
    label: str,
    texts: dict[str, str | None],
    withheld: dict[tuple[str, int], str] | None = None,
) -> None:
    ref = rec["body"].get("source") or {}
    key = (ref.get("id"), ref.get("revision"))
    source = c.records.get(key)  # type: ignore[arg-type]
    if source is None:
        if withheld is not None and withheld.get(key) == ref.get("blake3"):  # type: ignore
            c.add(
                "claim-source",
                "INFO",
                "the source is withheld; the claim pins the digest its sealed leaf has",
                rel,
                label,
            )
        else:
            c.add("claim-source", "FAIL", f"source {key[0]}.{key[1]} is missing", rel, label)
        return
    if source["_blake3"] != ref.get("blake3"):
        c.add(
            "claim-source",
            "FAIL",
            f"pins {key[0]}.{key[1]} with blake3 "
            f"{ref.get('blake3')}, which has {source['_blake3']}",
            rel,
            label,
        )
        return
    quote = rec["body"].get("quote")
    if not quote:
        return
    text = source["body"].get("text")
    s = read_text(c, text["blake3"], texts) if text else None
    if s is None:
        c.add(
            "claim-quote",
            "FAIL" if not text else "ERROR",
            f"the text of {key[0]} cannot be read",
            rel,
            label,
        )
        return
    start, end, exact = quote["start"], quote["end"], quote["exact"]
    prefix, suffix = quote.get("prefix", ""), quote.get("suffix", "")
    if s[start:end] != exact:
        c.add("claim-quote", "FAIL", f"offsets {start}-{end} do not select the quote", rel, label)
    elif s[max(0, start - len(prefix)) : start] != prefix or s[end : end + len(suffix)] != suffix:
        c.add("claim-quote", "FAIL", "prefix or suffix does not match the text", rel, label)


def check_custody(c: Case, *, partial: bool = False) -> None:
    """Each line is RFC 8785 JSON; `prev` is the SHA-256 of the previous line's bytes
    without its LF; `seq` runs 1, 2, … (in a partial case: checked between neighbours)."""
    path, rel = c.root / "custody.jsonl", "custody.jsonl"
    try:
        raw = path.read_bytes().split(b"\n")
    except OSError:
        return
    if raw and raw[-1] == b"":
        raw.pop()
    named: set[tuple[str, int]] = set()
    prev, prev_seq, expected = None, 0, 1
    for number, line in enumerate(raw, start=1):
        c.report.count("custody events")
        digest = sha256(line)
        try:
            event = load_json(line)
            bad = not isinstance(event, dict) or jcs(event) != line
        except ValueError:
            bad = True
        if bad or not isinstance(event.get("seq"), int):
            c.add("custody-line", "FAIL", "line is not an RFC 8785 custody event", rel, line=number)
            prev, expected = digest, expected + 1
            continue
        seq = event["seq"]
        if number == 1 and event.get("action") != "created":
            c.add("custody-log", "FAIL", "the log does not start with `created`", rel, line=1)
        if not partial or seq == prev_seq + 1:
            if seq != expected:
                c.add(
                    "custody-chain",
                    "FAIL",
                    f"sequence {seq}, expected {expected}",
                    rel,
                    line=number,
                )
            if event.get("prev") != prev:
                c.add(
                    "custody-chain",
                    "FAIL",
                    f"prev is {event.get('prev')}, the line before hashes to {prev}",
                    rel,
                    line=number,
                )
        c.line_digests[seq] = digest
        prev, prev_seq, expected = digest, seq, seq + 1
        details, subject = event.get("details") or {}, event.get("subject")
        if event.get("action") == "sealed" and isinstance(details.get("sequence"), int):
            c.sealed[details["sequence"]] = {**details, "_line": number, "_seq": seq}
        elif event.get("action") == "case-metadata":
            c.case_meta.append((seq, number, details))
        elif event.get("action") in ("signed", "timestamped") and "file" in details:
            c.attach_events[str(details["file"]).rsplit("/", 1)[-1]] = {
                **details,
                "_action": event["action"],
            }
        elif event.get("action") in RECORD_ACTIONS and isinstance(subject, dict):
            key = (subject.get("id"), subject.get("revision"))
            named.add(key)  # type: ignore[arg-type]
            c.order.append(key)  # type: ignore[arg-type]
            rec, label = c.records.get(key), f"{key[0]}.{key[1]}"  # type: ignore[arg-type]
            if rec is None:
                c.add(
                    "custody-record",
                    "FAIL",
                    f"names {label}, whose record file is missing",
                    rel,
                    label,
                    number,
                )
            elif rec["_blake3"] != subject.get("blake3"):
                c.add(
                    "custody-record",
                    "FAIL",
                    f"names {label} with blake3 "
                    f"{subject.get('blake3')}, the record file has {rec['_blake3']}",
                    rel,
                    label,
                    number,
                )
    if not raw and path.exists():
        c.add("custody-log", "FAIL", "the custody log is empty", rel)
    for rid, rev in sorted(set(c.records) - named) if not partial else []:
        c.add(
            "record-unaccounted",
            "FAIL",
            "a record file that the custody log does not name",
            f"records/{rid}.{rev}.json",
            f"{rid}.{rev}",
        )


# -- seals ----------------------------------------------------------------------------------


def read_seals(c: Case) -> list[tuple[Path, bytes, dict[str, Any] | None]]:
    out: list[tuple[Path, bytes, dict[str, Any] | None]] = []
    for index, path in enumerate(
        [p for p in _entries(c.root / "seals") if SEAL_NAME.match(p.name)], start=1
    ):
        rel, doc = f"seals/{path.name}", None
        c.report.count("seals")
        data = path.read_bytes()
        try:
            doc = load_json(data)
            problem = seal_problem(doc)
        except ValueError as exc:
            problem = str(exc)
        if problem:
            c.add("seal-schema", "FAIL", problem, rel)
            doc = None
        elif doc["sequence"] != index or path.name != f"{index:04d}.json":  # type: ignore
            c.add(
                "seal-chain",
                "FAIL",
                f"seal file {path.name} holds sequence "
                f"{doc['sequence']}, expected {index:04d}.json",  # type: ignore[index]
                rel,
            )
        if doc is not None and c.case_id and doc["case_id"] != c.case_id:
            c.add(
                "seal-case",
                "FAIL",
                f"sealed for case {doc['case_id']!r}, this case is {c.case_id!r}",
                rel,
            )
        out.append((path, data, doc))
    return out


def seal_problem(doc: Any) -> str | None:
    """The seal schema's closed world, by hand (schemas/seal.schema.json)."""
    if not isinstance(doc, dict):
        return "not a JSON object"
    if set(doc) - SEAL_KEYS or SEAL_KEYS - {"signer"} - set(doc):
        return f"fields {sorted(set(doc) ^ SEAL_KEYS)} do not fit the seal schema"
    tree, custody = doc["tree"], doc["custody"]
    if doc["schema"] != "evidence/seal/1" or not isinstance(doc["sequence"], int):
        return "not an evidence/seal/1 seal"
    if (
        not isinstance(tree, dict)
        or tree.get("alg") != "rfc9162-sha256"
        or set(tree) != {"alg", "size", "root"}
    ):
        return "/tree: the tree must be {alg: rfc9162-sha256, size, root}"
    if not isinstance(custody, dict) or set(custody) != {"seq", "sha256"}:
        return "/custody: expected {seq, sha256}"
    if not all(
        isinstance(x, dict) and set(x) == {"id", "revision", "blake3", "sha256"}
        for x in doc["leaves"]
    ):
        return "/leaves: each leaf is {id, revision, blake3, sha256}"
    return None


def check_seals(c: Case) -> None:
    seals = read_seals(c)
    prev: tuple[dict[str, Any], bytes, list[bytes]] | None = None
    states: list[tuple[str, str]] = []
    covered = 0
    for path, data, doc in seals:
        rel = f"seals/{path.name}"
        if doc is None:
            prev = None
            continue
        hashes = check_leaves(c, doc, rel)
        if doc["tree"]["size"] != len(doc["leaves"]):
            c.add(
                "seal-root",
                "FAIL",
                f"tree size {doc['tree']['size']}, but {len(doc['leaves'])} leaves",
                rel,
            )
        elif tree_root(hashes).hex() != doc["tree"]["root"]:
            c.add(
                "seal-root",
                "FAIL",
                f"expected root {doc['tree']['root']}, computed {tree_root(hashes).hex()}",
                rel,
            )
        check_previous(c, doc, prev, hashes, rel)
        check_seal_custody(c, doc, data, rel)
        states.append((rel, check_attachments(c, path, data, doc, rel)))
        prev, covered = (doc, data, hashes), len(doc["leaves"])
    check_trust(c, states)
    if seals and seals[-1][2] is not None:
        check_case_meta(c, seals[-1][2])
    present = {int(p.name[:-5]) for p, _, _ in seals}
    for sequence, event in sorted(c.sealed.items()):
        if sequence not in present:
            c.add(
                "seal-missing",
                "FAIL",
                f"the custody log (line {event['_line']}) records "
                f"seal {sequence}, whose file is missing",
                f"seals/{sequence:04d}.json",
            )
    del covered


def check_case_meta(c: Case, latest: dict[str, Any]) -> None:
    """case.yaml has the digest of the last `case-metadata` event the latest seal covers."""
    sealed = [e for e in c.case_meta if e[0] <= latest["custody"]["seq"]]
    if not sealed or not (c.root / "case.yaml").is_file():
        return
    _, line, details = sealed[-1]
    digest = sha256((c.root / "case.yaml").read_bytes())
    if digest != details.get("sha256"):
        c.add(
            "case-meta",
            "FAIL",
            f"case.yaml is not the one the latest seal covers (custody "
            f"line {line} records sha256 {details.get('sha256')}, the file has {digest})",
            "case.yaml",
        )


def check_leaves(c: Case, doc: dict[str, Any], rel: str) -> list[bytes]:
    hashes = []
    for index, leaf in enumerate(doc["leaves"]):
        key, label = (leaf["id"], leaf["revision"]), f"{leaf['id']}.{leaf['revision']}"
        rec = c.records.get(key)
        if rec is None:
            c.add("seal-leaf", "FAIL", f"leaf {index} names {label}, which is missing", rel, label)
            hashes.append(b"\x00" * 32)
            continue
        if (rec["_blake3"], rec["_sha256"]) != (leaf["blake3"], leaf["sha256"]):
            c.add(
                "seal-leaf",
                "FAIL",
                f"leaf {index} does not carry the record file's digests",
                rel,
                label,
            )
        if index >= len(c.order) or c.order[index] != key:
            c.add(
                "seal-order",
                "FAIL",
                f"leaf {index} is {label}, not the record that entered the case at that place",
                rel,
                label,
            )
        hashes.append(rec["_leaf"])
    return hashes


def check_previous(
    c: Case,
    doc: dict[str, Any],
    prev: tuple[dict[str, Any], bytes, list[bytes]] | None,
    hashes: list[bytes],
    rel: str,
) -> None:
    link = doc["previous"]
    if doc["sequence"] == 1:
        if link is not None:
            c.add("seal-chain", "FAIL", "the first seal names a previous seal", rel)
        return
    if link is None or prev is None:
        c.add(
            "seal-chain",
            "FAIL" if link is None else "ERROR",
            "names no previous seal" if link is None else "the previous seal is unreadable",
            rel,
        )
        return
    pdoc, pdata, phashes = prev
    want = {"sequence": pdoc["sequence"], "root": pdoc["tree"]["root"], "sha256": sha256(pdata)}
    if link != want:
        c.add("seal-chain", "FAIL", f"previous is {link}, the previous seal gives {want}", rel)
    # With every leaf at hand, RFC 9162 §2.1.4 consistency is this prefix equality.
    if phashes and (len(phashes) > len(hashes) or hashes[: len(phashes)] != phashes):
        c.add(
            "seal-consistency",
            "FAIL",
            f"the first {len(phashes)} leaves differ from the "
            "previous seal's: the case did not only grow",
            rel,
        )


def check_seal_custody(c: Case, doc: dict[str, Any], data: bytes, rel: str) -> None:
    head = doc["custody"]
    found = c.line_digests.get(head["seq"])
    if found != head["sha256"]:
        c.add(
            "seal-custody",
            "FAIL",
            f"custody event {head['seq']} should hash to {head['sha256']}, the log has {found}",
            rel,
        )
    event = c.sealed.get(doc["sequence"])
    if event is None:
        c.add("seal-logged", "FAIL", "no `sealed` event in the custody log", rel)
    elif event.get("sha256") != sha256(data) or event.get("root") != doc["tree"]["root"]:
        c.add(
            "seal-logged",
            "FAIL",
            f"the `sealed` event (line {event['_line']}) gives sha256 "
            f"{event.get('sha256')}, the seal file has {sha256(data)}",
            rel,
        )
    elif event["_seq"] <= head["seq"]:
        c.add("seal-logged", "FAIL", "the `sealed` event comes before the custody head", rel)


# -- signature and time-stamps beside a seal -------------------------------------------------


def pem_der(data: bytes) -> list[bytes]:
    blocks = re.findall(rb"-----BEGIN [A-Z ]+-----(.*?)-----END [A-Z ]+-----", data, re.S)
    return [base64.b64decode(b"".join(b.split())) for b in blocks]


def key_pem(raw: bytes) -> bytes:
    b64 = base64.b64encode(ED25519_SPKI_PREFIX + raw).decode()
    return f"-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n".encode()


def logged(
    c: Case, check: str, path: Path, action: str, seal_data: bytes, want: dict[str, Any], rel: str
) -> dict[str, Any] | None:
    if not (c.root / "custody.jsonl").is_file():
        return None  # no log at hand: nothing to compare with
    event = c.attach_events.get(path.name)
    if event is None or event.get("_action") != action:
        c.add(check, "FAIL", f"no `{action}` event in the custody log names this file", rel)
        return None
    for key, value in {"seal_sha256": sha256(seal_data), **want}.items():
        if event.get(key) != value:
            c.add(
                check,
                "FAIL",
                f"the `{action}` event gives {key} {event.get(key)}, the file has {value}",
                rel,
            )
    return event


def check_attachments(c: Case, path: Path, data: bytes, doc: dict[str, Any], rel: str) -> str:
    """Signature state of one seal: trusted, valid, unsigned, bad or unchecked."""
    state = check_signature(c, path, data, doc, rel)
    anchored = False
    n = 1
    while (path.parent / f"{path.name}.{n}.tsr").exists():
        c.report.count("time-stamp tokens")
        anchored |= check_token(c, path, data, doc, path.parent / f"{path.name}.{n}.tsr", rel)
        n += 1
    for e in _entries(path.parent):
        if e.name.startswith(path.name + ".") and not BESIDE_SEAL.match(e.name[len(path.name) :]):
            c.add(
                "seal-attachment",
                "FAIL",
                "a file beside the seal that is neither a signature nor a time-stamp token",
                f"seals/{e.name}",
            )
        elif e.name.startswith(path.name + "."):
            for suffix, check, what in (
                (".root.pem", "timestamp-root", "root file"),
                (".chain.pem", "timestamp-chain", "certificate chain"),
            ):
                if (
                    e.name.endswith(suffix)
                    and not e.with_name(e.name[: -len(suffix)] + ".tsr").exists()
                ):
                    c.add(check, "FAIL", f"a {what} beside no time-stamp token", f"seals/{e.name}")
    return state + ("+anchored" if anchored else "")


def check_signature(c: Case, path: Path, data: bytes, doc: dict[str, Any], rel: str) -> str:
    sig_path, sig_rel = path.parent / (path.name + ".sig"), rel + ".sig"
    signer = doc.get("signer") or {}
    fingerprint = signer.get("fingerprint")
    if not sig_path.exists():
        if fingerprint:
            c.add(
                "seal-signature",
                "FAIL",
                f"the seal names key {fingerprint} but {sig_rel} is missing",
                rel,
            )
            return "bad"
        return "unsigned"
    c.report.count("signatures")
    sig = sig_path.read_bytes()
    raw = signer.get("public_key")
    want = {"fingerprint": fingerprint} if fingerprint else {}
    if raw is not None:
        want["sha256"] = sha256(sig)
    logged(c, "signature-logged", sig_path, "signed", data, want, sig_rel)
    if not isinstance(raw, str) or not HEX64.match(raw):
        c.add(
            "seal-signature",
            "INFO" if raw is None else "FAIL",
            "not checked: the seal does not embed its public key",
            sig_rel,
        )
        return "unchecked"
    if sha256(ED25519_SPKI_PREFIX + bytes.fromhex(raw)) != fingerprint:
        c.add(
            "seal-signer",
            "FAIL",
            "the embedded public key does not have the fingerprint the seal names",
            rel,
        )
        return "bad"
    if len(sig) != 64:
        c.add("seal-signature", "FAIL", f"the signature is {len(sig)} bytes, not 64", sig_rel)
        return "bad"
    if OPENSSL is None:
        c.add("seal-signature", "ERROR", "not checked: openssl missing", sig_rel)
        return "unchecked"
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp, "key.pem")
        key.write_bytes(key_pem(bytes.fromhex(raw)))
        done = openssl(
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(key),
            "-rawin",
            "-in",
            str(path),
            "-sigfile",
            str(sig_path),
        )
    if done.returncode != 0:
        c.add(
            "seal-signature",
            "FAIL",
            "the Ed25519 signature does not verify against the public key the seal embeds",
            sig_rel,
        )
        return "bad"
    trusted = c.args.trusted_fingerprints
    if fingerprint in trusted:
        return "trusted"
    if trusted:
        c.add("seal-signer", "FAIL", f"signed by key {fingerprint}, not a trusted key", sig_rel)
    else:
        c.add(
            "seal-signer",
            "INFO",
            f"the signature checks against key {fingerprint}, which "
            "is not pinned (give it with --trusted-key)",
            sig_rel,
        )
    return "valid"


def check_token(c: Case, path: Path, data: bytes, doc: dict[str, Any], tsr: Path, rel: str) -> bool:
    """One RFC 3161 token (`openssl ts`); True when it checks and chains to --tsa-ca."""
    trel, chain = f"{rel}{tsr.name[len(path.name) :]}", Path(str(tsr)[:-4] + ".chain.pem")
    crel = trel[:-4] + ".chain.pem"
    event = logged(
        c, "timestamp-logged", tsr, "timestamped", data, {"sha256": sha256(tsr.read_bytes())}, trel
    )
    if (
        event is not None
        and "chain_sha256" in event
        and chain.exists()
        and sha256(chain.read_bytes()) != event["chain_sha256"]
    ):
        c.add(
            "timestamp-chain",
            "FAIL",
            "not the chain the token names: its SHA-256 is not "
            "the one the `timestamped` event recorded",
            crel,
        )
    root = check_root(c, tsr, event, trel)
    if OPENSSL is None:
        c.add("timestamp-token", "ERROR", "not checked: openssl missing", trel)
        return False
    text = openssl("ts", "-reply", "-in", str(tsr), "-text").stdout.decode("utf-8", "replace")
    if "Status: Granted" not in text:
        c.add("timestamp-token", "FAIL", "not a granted RFC 3161 response", trel)
        return False
    ok = True
    imprint = "".join(
        re.findall(
            r" - ((?:[0-9a-f]{2}[ -]){1,16})", text.split("Message data:")[1].split("Serial")[0]
        )
    )
    imprint = re.sub(r"[^0-9a-f]", "", imprint)
    if imprint != sha256(data):
        ok = False
        c.add("timestamp-imprint", "FAIL", f"the token time-stamps other data, not {rel}", trel)
    nonce = re.search(r"Nonce: (?:0x)?([0-9A-Fa-f]+)", text)
    if event is not None and (nonce is None or str(int(nonce[1], 16)) != event.get("nonce")):
        ok = False
        c.add("timestamp-nonce", "FAIL", "the token's nonce is not the one asked for", trel)
    with tempfile.TemporaryDirectory() as tmp:
        token = Path(tmp, "token.der")
        openssl("ts", "-reply", "-in", str(tsr), "-token_out", "-out", str(token))
        certs = openssl("pkcs7", "-inform", "DER", "-in", str(token), "-print_certs").stdout
        stored = pem_der(chain.read_bytes()) if chain.exists() else []
        if pem_der(certs) and set(pem_der(certs)) != set(stored):
            ok = False
            c.add(
                "timestamp-chain",
                "FAIL",
                "not the chain the token names: it does not hold the certificates the token embeds",
                crel,
            )
        ca = c.args.tsa_ca or (str(chain) if chain.exists() else None)
        extra = ["-untrusted", str(chain)] if chain.exists() else []
        # The CMS signature over the token's own imprint (the imprint is checked above).
        args = ["ts", "-verify", "-digest", imprint or "00", "-in", str(tsr), *extra]
        done = openssl(*args, "-CAfile", ca) if ca else None
        if done is not None and done.returncode != 0 and not c.args.tsa_ca:
            done = openssl(*args, "-CAfile", ca, "-partial_chain")  # type: ignore[arg-type]
        if root is not None and openssl(*args, "-CAfile", str(root)).returncode != 0:
            ok = False
            c.add(
                "timestamp-root",
                "FAIL",
                "the token does not chain to the root stored beside it",
                trel[:-4] + ".root.pem",
            )
        elif root is not None:
            say_root(c, root, trel[:-4] + ".root.pem")
    if done is None or done.returncode != 0:
        c.add(
            "timestamp-signature",
            "FAIL" if c.args.tsa_ca or done else "INFO",
            "the token's signature or certificate path does not check",
            trel,
        )
        ok = False
    elif not c.args.tsa_ca:
        c.add(
            "timestamp-signature",
            "INFO",
            "valid, but not anchored to a trusted root (give --tsa-ca)",
            trel,
        )
    when = re.search(r"Time stamp: (\w+ +\d+ [\d:]+)(?:\.\d+)? (\d{4})", text)
    sealed = dt.datetime.fromisoformat(doc["sealed_at"].replace("Z", "+00:00"))
    if when:
        gen = dt.datetime.strptime(f"{when[1]} {when[2]}", "%b %d %H:%M:%S %Y").replace(
            tzinfo=dt.UTC
        )
        if (sealed - gen).total_seconds() > CLOCK_SKEW + 1:
            ok = False
            c.add("timestamp-time", "FAIL", "time-stamped before the seal was made", trel)
    return ok and bool(c.args.tsa_ca)


def check_root(c: Case, tsr: Path, event: dict[str, Any] | None, trel: str) -> Path | None:
    """The root given with --tsa-ca at stamp time (.N.root.pem), if stored and unchanged."""
    root, rrel = Path(str(tsr)[:-4] + ".root.pem"), trel[:-4] + ".root.pem"
    recorded = (event or {}).get("root_sha256")
    if not root.exists():
        if recorded is not None:
            c.add(
                "timestamp-root",
                "FAIL",
                "the `timestamped` event recorded a root file "
                f"(root_sha256 {recorded}), which is missing",
                rrel,
            )
        return None
    digest = sha256(root.read_bytes())
    if not (c.root / "custody.jsonl").is_file():
        c.add(
            "timestamp-root",
            "INFO",
            "the stored root's SHA-256 is not checked: no custody log at hand",
            rrel,
        )
    elif recorded is None:
        c.add("timestamp-root", "FAIL", "a root file that no `timestamped` event names", rrel)
        return None
    elif digest != recorded:
        c.add(
            "timestamp-root",
            "FAIL",
            f"its SHA-256 is {digest}, the `timestamped` event "
            f"recorded {recorded}: not the root stored at stamp time",
            rrel,
        )
        return None
    return root


def say_root(c: Case, root: Path, rrel: str) -> None:
    """Information only: the trust decision is --tsa-ca's, never the stored root's."""
    der = pem_der(root.read_bytes())
    fingerprint = hashlib.sha256(der[0] if der else b"").hexdigest().upper()
    who = "SHA256 Fingerprint=" + ":".join(re.findall("..", fingerprint))
    if not c.args.tsa_ca:
        c.add(
            "timestamp-root",
            "INFO",
            f"chains to the root stored at stamp time ({who}; not "
            "a trust decision: compare it with the TSA's, then give it as --tsa-ca)",
            rrel,
        )
    elif set(der) & set(pem_der(Path(c.args.tsa_ca).read_bytes())):
        c.add(
            "timestamp-root",
            "INFO",
            f"chains to the root stored at stamp time, the one given with --tsa-ca ({who})",
            rrel,
        )
    else:
        c.add(
            "timestamp-root",
            "INFO",
            f"chains to the root stored at stamp time ({who}), "
            "which is not among --tsa-ca's; only --tsa-ca decides trust",
            rrel,
        )


def check_trust(c: Case, states: list[tuple[str, str]]) -> None:
    """Once a seal is signed every later one is; pinned keys and roots bind the latest."""
    signed_before = None
    for rel, state in states:
        if state.startswith("unsigned") and signed_before:
            c.add("seal-trust", "FAIL", f"not signed, but {signed_before} before it is", rel)
        elif not state.startswith("unsigned") and signed_before is None:
            signed_before = rel
    if not (c.args.trusted_fingerprints or c.args.tsa_ca):
        return
    if not states:
        c.add("seal-trust", "FAIL", "the case has no seal, so nothing can be trusted", "seals/")
        return
    rel, latest = states[-1]
    if c.args.trusted_fingerprints and not latest.startswith("trusted"):
        c.add("seal-trust", "FAIL", "the latest seal is not signed by a trusted key", rel)
    if c.args.tsa_ca and not latest.endswith("+anchored"):
        c.add(
            "timestamp-trust",
            "FAIL",
            "the latest seal carries no token that checks and chains to --tsa-ca",
            rel,
        )


# -- what PATH is ---------------------------------------------------------------------------

PARTS = ("case.yaml", "custody.jsonl", "records", "objects")


def verify_case(
    root: Path, report: Report, args: argparse.Namespace, *, closed: bool = True
) -> None:
    if (root / "disclosure.json").is_file():
        return verify_partial(root, report, args)
    present = [p for p in PARTS if (root / p).exists()]
    if not (present or (root / "seals").is_dir()):
        raise SystemExit(f"error: {root}: not a case folder")
    for name in set(PARTS) - set(present):
        report.add("case-missing", "FAIL", "missing from a case folder", name)
    c = Case(root, report, args)
    if closed:
        closed_world(c)
    scan_objects(c)
    scan_records(c)
    check_links(c)
    named = {
        r["body"][k]["blake3"]
        for r in c.records.values()
        if r["kind"] == "source"
        for k in ("object", "text")
        if r["body"].get(k)
    }
    named |= {a["blake3"] for r in c.records.values() for a in r["body"].get("attachments") or []}
    for name in sorted((set(c.objects) | c.bad_objects) - named):
        report.add(
            "object-unreferenced",
            "FAIL",
            "an object that no record names",
            f"objects/{name[:2]}/{name}",
        )
    check_custody(c)
    check_seals(c)


def verify_partial(root: Path, report: Report, args: argparse.Namespace) -> None:
    """A partial case: shown records proven into the seals (decision 0403)."""
    c = Case(root, report, args)
    disclosure = load_json((root / "disclosure.json").read_bytes())
    closed_world(c, partial=True)
    scan_objects(c)
    scan_records(c)
    seals = {doc["sequence"]: (doc, data) for _, data, doc in read_seals(c) if doc}
    withheld: dict[tuple[str, int], str] = {}
    for held_doc, _ in seals.values():
        withheld.update({(x["id"], x["revision"]): x["blake3"] for x in held_doc["leaves"]})
    for entry in disclosure["records"]:
        key, label = (entry["id"], entry["revision"]), f"{entry['id']}.{entry['revision']}"
        rel, rec = f"records/{label}.json", c.records.get(key)
        if rec is None or (rec["_blake3"], rec["_sha256"]) != (entry["blake3"], entry["sha256"]):
            report.add(
                "disclosure-record",
                "FAIL",
                "the shown record file is missing or not the one disclosure.json names",
                rel,
                label,
            )
            continue
        for proof in entry["proofs"]:
            held = seals.get(proof["seal"])
            doc = held[0] if held else None
            leaf = (
                doc["leaves"][entry["leaf_index"]]
                if doc and entry["leaf_index"] < len(doc["leaves"])
                else None
            )
            path = [bytes.fromhex(h) for h in proof["audit_path"]]
            got = root_from_inclusion(entry["leaf_index"], proof["tree_size"], rec["_leaf"], path)
            if (
                doc is None
                or leaf is None
                or (leaf["id"], leaf["revision"], leaf["sha256"]) != (*key, rec["_sha256"])
                or proof["tree_size"] != doc["tree"]["size"]
                or (got is None or got.hex() != doc["tree"]["root"])
            ):
                report.add(
                    "disclosure-proof",
                    "FAIL",
                    f"no valid inclusion proof into seal {proof['seal']}",
                    rel,
                    label,
                )
    check_links(c, withheld)
    check_custody(c, partial=True)
    prev = None
    for seq in sorted(seals):
        doc, data = seals[seq]
        rel = f"seals/{seq:04d}.json"
        if prev is not None and doc["previous"] != {
            "sequence": prev[0]["sequence"],
            "root": prev[0]["tree"]["root"],
            "sha256": sha256(prev[1]),
        }:
            report.add("seal-chain", "FAIL", "does not name the previous seal", rel)
        states = [(rel, check_attachments(c, root / rel, data, doc, rel))]
        prev = (doc, data)
    check_trust(c, states if seals else [])
    report.add("withheld", "INFO", f"withheld: {disclosure['withheld']}", "disclosure.json")


def verify_bag(bag: Path, report: Report, args: argparse.Namespace) -> None:
    """RFC 8493: every manifest line checks, every payload file is listed, then data/."""
    if not (bag / "bagit.txt").is_file() or not (bag / "data").is_dir():
        report.add("package-form", "FAIL", "not a BagIt package (bagit.txt, data/)", "bagit.txt")
        return
    payload = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    listed: set[str] = set()
    for manifest in sorted(bag.glob("*manifest-*.txt")):
        alg = manifest.stem.split("-", 1)[1]
        tag = manifest.name.startswith("tag")
        for line in manifest.read_text("utf-8").splitlines():
            digest, _, rel = line.partition("  ")
            target = bag / rel
            if ".." in Path(rel).parts or rel.startswith("/"):
                report.add("package-safety", "FAIL", f"{rel!r}: refused", manifest.name)
                continue
            listed |= {rel} if not tag else set()
            check = "bag-tagmanifest" if tag else "bag-digest"
            if not target.is_file():
                report.add(
                    "bag-tagmanifest" if tag else "bag-complete",
                    "FAIL",
                    f"lists {rel}, which is not in the package",
                    manifest.name,
                )
            elif hashlib.new(alg, target.read_bytes()).hexdigest() != digest:
                report.add(check, "FAIL", f"{manifest.name} gives another {alg} digest", rel)
        if tag:
            tags = {
                p.name
                for p in bag.iterdir()
                if p.is_file() and not p.name.startswith("tagmanifest-")
            }
            for rel in sorted(
                tags - {ln.partition("  ")[2] for ln in manifest.read_text("utf-8").splitlines()}
            ):
                report.add(
                    "bag-tagmanifest", "FAIL", f"does not list the tag file {rel}", manifest.name
                )
    for rel in sorted(payload - listed):
        report.add(
            "bag-complete", "FAIL", f"does not list {rel}, which is in the package", "manifest"
        )
    oxum = (
        re.search(r"^Payload-Oxum: *(\d+)\.(\d+)", (bag / "bag-info.txt").read_text("utf-8"), re.M)
        if (bag / "bag-info.txt").is_file()
        else None
    )
    size = sum((bag / p).stat().st_size for p in payload)
    if oxum and (int(oxum[1]), int(oxum[2])) != (size, len(payload)):
        report.add(
            "bag-oxum",
            "FAIL",
            f"Payload-Oxum says {oxum[1]}.{oxum[2]}, the payload is {size}.{len(payload)}",
            "bag-info.txt",
        )
    verify_case(bag / "data", report, args)


def verify_zip(path: Path, report: Report, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            parts = Path(info.filename).parts
            if info.filename.startswith("/") or ".." in parts or (info.external_attr >> 28) == 10:
                report.add("package-safety", "FAIL", f"{info.filename!r}: refused", path.name)
                return
        zf.extractall(tmp)
        tops = [p for p in Path(tmp).iterdir()]
        verify_bag(tops[0] if len(tops) == 1 and tops[0].is_dir() else Path(tmp), report, args)


def verify_proof(path: Path, report: Report, args: argparse.Namespace) -> None:
    """An inclusion proof file (decision 0404): the record's RFC 8785 bytes lead to root."""
    proof = load_json(path.read_bytes())
    rec = proof["record"]
    body = jcs(rec["record"])
    label = f"{rec['record']['id']}.{rec['record']['revision']}"
    if sha256(body) != rec["digests"]["sha256"] or blake3(body) not in (
        None,
        rec["digests"]["blake3"],
    ):
        report.add(
            "proof-record", "FAIL", "the record's bytes do not give its digests", path.name, label
        )
    got = root_from_inclusion(
        proof["leaf_index"],
        proof["tree_size"],
        leaf_hash(body),
        [bytes.fromhex(h) for h in proof["audit_path"]],
    )
    if got is None or got.hex() != proof["root"]:
        report.add(
            "proof-inclusion", "FAIL", "the audit path does not lead to the root", path.name, label
        )
    anchor = args.root or None
    if args.seal:
        data = Path(args.seal).read_bytes()
        seal = load_json(data)
        if sha256(data) != proof["seal"]["sha256"] or seal["tree"]["size"] != proof["tree_size"]:
            report.add("proof-seal", "FAIL", "not the seal file the proof names", args.seal)
        anchor = seal["tree"]["root"]
    if anchor is None:
        report.add(
            "proof-anchor",
            "FAIL",
            "consistent, but not anchored: give --root HEX, the "
            "root you hold (from a seal you trust)",
            path.name,
            label,
        )
    elif anchor != proof["root"]:
        report.add(
            "proof-anchor",
            "FAIL",
            f"the proof leads to {proof['root']}, not {anchor}",
            path.name,
            label,
        )


def pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every object of a PDF with a classic cross-reference (reportlab's): its dictionary and,
    for a stream, its raw bytes (cut by /Length, so binary data cannot end it early)."""
    objs: dict[int, tuple[bytes, bytes | None]] = {}
    head = re.compile(rb"(?<![0-9])(\d+) 0 obj\b")
    pos = 0
    while (m := head.search(pdf, pos)) is not None:
        end = pdf.find(b"endobj", m.end())
        found = re.compile(rb">>\s*stream\r?\n").search(pdf, m.end(), end if end > 0 else len(pdf))
        length = (
            re.search(rb"/Length (\d+)(?! 0 R)", pdf[m.end() : found.start()]) if found else None
        )
        if found is None or length is None:
            objs[int(m[1])] = (pdf[m.end() : end], None)
            pos = end if end > 0 else len(pdf)
            continue
        data = pdf[found.end() : found.end() + int(length[1])]
        objs[int(m[1])] = (pdf[m.end() : found.start() + 2], data)
        pos = found.end() + len(data)
    return objs


def pdf_string(token: bytes) -> str:
    """A PDF string object, (literal) or <hex> (ISO 32000-1 §7.3.4), as text."""
    if token.startswith(b"<"):
        raw = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())
    else:
        escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
        raw = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: (
                bytes([int(m[1], 8) & 255]) if m[1][:1].isdigit() else escapes.get(m[1], m[1])
            ),
            token[1:-1],
            flags=re.S,
        )
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def pdf_attachments(pdf: bytes) -> dict[str, bytes]:
    """The attached files of a PDF (ISO 32000-1 §7.11.4): file specifications whose /EF
    names a stream, inflated with zlib (FlateDecode) when the stream says so."""
    objs = pdf_objects(pdf)
    found = {}
    for body, _ in objs.values():
        ef = re.search(rb"/EF\s*<<\s*/F\s+(\d+) 0 R", body)
        name = re.search(rb"/UF\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", body) or re.search(
            rb"/F\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", body
        )
        if not ef or not name or objs.get(int(ef[1]), (b"", None))[1] is None:
            continue
        head, data = objs[int(ef[1])]
        assert data is not None
        if b"FlateDecode" in head:
            data = zlib.decompress(data)
        found[pdf_string(name[1])] = data
    return found


def pdfdetach(path: Path) -> dict[str, bytes]:
    """The attached files, as poppler's `pdfdetach -saveall` saves them."""
    with tempfile.TemporaryDirectory() as tmp:
        listed = subprocess.run(
            ["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=False
        ).stdout.splitlines()[1:]
        names = [line.split(": ", 1)[1] for line in listed if ": " in line]
        for name in {str(Path(n).parent) for n in names}:
            Path(tmp, name).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdfdetach", "-saveall", "-o", tmp, str(path)], capture_output=True, check=False
        )
        return {n: Path(tmp, n).read_bytes() for n in names if Path(tmp, n).is_file()}


def check_pages(pdf: bytes, manifest: dict[str, Any], report: Report, name: str) -> None:
    """What can be seen of the pages without re-rendering them: one revision, nothing after
    its end, the page count the manifest gives, no annotation beyond links and this file."""
    objs = [head for head, _ in pdf_objects(pdf).values()]
    pages = sum(1 for h in objs if re.search(rb"/Type\s*/Page(?![a-zA-Z])", h))
    extra = re.findall(
        rb"/Subtype\s*/(Text|FreeText|Square|Circle|Line|Polygon|PolyLine|"
        rb"Highlight|Underline|Squiggly|StrikeOut|Stamp|Caret|Ink|Popup|Sound|"
        rb"Movie|Widget|Screen|Watermark|Redact)\b",
        b"".join(objs),
    )
    if pdf.count(b"%%EOF") != 1 or not pdf.rstrip(b"\r\n").endswith(b"%%EOF"):
        report.add(
            "dossier-pages",
            "FAIL",
            "bytes after the end of the rendering (an incremental update or appended data)",
            name,
        )
    if pages != (manifest.get("pages") or {}).get("total"):
        report.add(
            "dossier-pages",
            "FAIL",
            f"{pages} page(s), the manifest says {(manifest.get('pages') or {}).get('total')}",
            name,
        )
    if extra or len([h for h in objs if re.search(rb"/Subtype\s*/FileAttachment", h)]) > 1:
        report.add("dossier-pages", "FAIL", "an annotation the renderer does not add", name)
    report.add(
        "dossier-pages",
        "INFO",
        "the printed text is not compared here: `evidence "
        "verify` re-renders the embedded data to compare every page",
        name,
    )


def verify_dossier(path: Path, report: Report, args: argparse.Namespace) -> None:
    pdf = path.read_bytes()
    files = pdf_attachments(pdf)
    if "evidence-dossier.json" not in files and shutil.which("pdfdetach"):
        files = pdfdetach(path)  # a PDF rewritten with object streams, which we do not read
    files.pop(Path(__file__).name, None)  # this program, attached to the integrity annex
    files.pop("evidence-verify.py", None)
    if "evidence-dossier.json" not in files:
        report.add(
            "dossier-embedded", "FAIL", "the PDF carries no evidence-dossier.json", path.name
        )
        return
    check_pages(pdf, load_json(files["evidence-dossier.json"]), report, path.name)
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            if not re.fullmatch(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*", name) or ".." in name:
                report.add("dossier-embedded", "FAIL", f"{name!r}: refused", path.name)
                return
            (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / name).write_bytes(data)
        sums = files.get("SHA256SUMS", b"").decode("utf-8").splitlines()
        for line in sums:
            digest, _, name = line.partition("  ")
            if files.get(name) is None or sha256(files[name]) != digest:
                report.add("dossier-embedded", "FAIL", "not the file SHA256SUMS lists", name)
        manifest = load_json(files["evidence-dossier.json"])
        omitted = {o.get("blake3") for o in manifest.get("omitted", [])}
        verify_case(Path(tmp), report, args, closed=False)
        report.findings = [
            f
            for f in report.findings
            if not (
                f["check"] in ("source-object", "source-attachment", "object-unreferenced")
                and any(o and o in f["message"] for o in omitted)
            )
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--trusted-key", action="append", default=[], help="a public key PEM")
    parser.add_argument("--tsa-ca", help="the TSA root certificate(s) you trust, PEM")
    parser.add_argument("--root", help="for a proof: the Merkle root you hold")
    parser.add_argument("--seal", help="for a proof: the seal file it names (seals/NNNN.json)")
    args = parser.parse_args(argv)
    try:
        args.trusted_fingerprints = {
            sha256(d) for k in args.trusted_key for d in pem_der(Path(k).read_bytes())
        }
        report, path = Report(), args.path
        if path.is_dir():
            kind = verify_bag if (path / "bagit.txt").exists() else verify_case
            kind(path, report, args)
        elif path.suffix == ".zip":
            verify_zip(path, report, args)
        elif path.suffix == ".pdf":
            verify_dossier(path, report, args)
        elif path.suffix == ".json":
            verify_proof(path, report, args)
        else:
            raise SystemExit(f"error: {path}: not a case folder, package, proof or dossier")
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        zipfile.BadZipFile,
        zlib.error,
    ) as exc:
        print(f"error: {args.path}: cannot check: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    problems = [f for f in report.findings if f["status"] in ("FAIL", "ERROR", "INFO")]
    if args.json:
        print(
            json.dumps(
                {"ok": report.ok, "findings": report.findings, "checked": report.checked}, indent=2
            )
        )
    else:
        for f in problems:
            where = ":".join(str(x) for x in (f["path"], f["line"]) if x is not None)
            record = f" [{f['record']}]" if f["record"] else ""
            print(f"{f['status']:5} {f['check']:18} {where}{record}: {f['message']}")
        counts = ", ".join(f"{n} {what}" for what, n in sorted(report.checked.items()))
        blake = "BLAKE3 checked" if _blake3 or B3SUM else "BLAKE3 not checked (no blake3, b3sum)"
        print(f"verify {args.path}: {'OK' if report.ok else 'FAILED'} — checked {counts}; {blake}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
