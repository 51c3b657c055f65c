"""The cold seal's fast paths give the bytes the plain paths give (issue 17, row 1).

Each case is built twice with the same clock: once as ``seal`` runs, and once with the
fast pieces replaced by their plain reference forms (PyYAML's own safe composer and
constructor, records and log lines made by ``canonical_bytes`` of the whole value, one
process). Every file of the two case folders must be byte for byte the same.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from evidence import _yaml
from evidence._fs import append_durably
from evidence._time import format_time, utc_now
from evidence.canonical import canonical_bytes
from evidence.case import Case, CaseState
from evidence.claims import compile as compile_module
from evidence.demo import build_demo
from evidence.ingest.add import add_sources
from evidence.integrity import seal as seal_module
from evidence.integrity.custody import (
    CustodyHead,
    CustodyLog,
    NewEvent,
    PreparedLines,
    event_line,
    line_digest,
)
from evidence.integrity.seal import ClaimsInvalid, seal_case
from evidence.model import (
    CLAIM_SCHEMA,
    CustodyEvent,
    Record,
    RecordId,
    SealLeaf,
    Subject,
    Supersedes,
)
from tests.conftest import FIXED_NOW

LATER = FIXED_NOW + dt.timedelta(hours=2)


class _Reference(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, timestamps kept as strings."""

    yaml_implicit_resolvers = _yaml._RESOLVERS


def _reference_load_yaml(data: bytes, *, path: str) -> _yaml.YamlDocument:
    loader = _Reference(data.decode("utf-8-sig"))
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node)
    finally:
        loader.dispose()
    return _yaml.YamlDocument(value, path, node)


def _reference_record_bytes(
    record_id: RecordId,
    revision: int,
    supersedes: Supersedes | None,
    body_bytes: bytes,
    at: bytes,
    who: bytes,
) -> bytes:
    from evidence.model import ClaimBody

    record = Record(
        CLAIM_SCHEMA,
        record_id,
        revision,
        "claim",
        json.loads(at),
        json.loads(who),
        supersedes,
        ClaimBody.from_dict(json.loads(body_bytes)),
    )
    return canonical_bytes(record.to_dict())


def _reference_append(
    self: CustodyLog,
    events: Sequence[NewEvent],
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> CustodyHead | None:
    """One CustodyEvent a line, and its event_line(), appended."""
    prepared = _reference_prepare(self, events, actor=actor, now=now)
    if prepared is None:
        return None
    append_durably(self.path, prepared.data)
    return prepared.head


def _reference_prepare(
    self: CustodyLog,
    events: Sequence[NewEvent],
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> PreparedLines | None:
    """One CustodyEvent a line from the details dict (never the bytes an event carries),
    and its event_line()."""
    if not events:
        return None
    head = self.head()
    seq, prev = (head.seq, head.sha256) if head is not None else (0, None)
    at = format_time(now or utc_now())
    lines = []
    for new in events:
        seq += 1
        event = CustodyEvent(seq, at, actor, new.action, new.subject, dict(new.details or {}), prev)
        lines.append(event_line(event))
        prev = line_digest(lines[-1])
    data = b"\n".join(lines) + b"\n"
    if head is not None and not self.path.read_bytes().endswith(b"\n"):
        data = b"\n" + data
    assert prev is not None
    return PreparedLines((data,), CustodyHead(seq, prev))


class _ReferenceLines:
    """The lines of the events added, made at the end by :func:`_reference_prepare`."""

    def __init__(self, log: CustodyLog, actor: str, now: dt.datetime | None) -> None:
        self.log, self.actor, self.now = log, actor, now
        self.events: list[NewEvent] = []

    def add(self, new: NewEvent) -> None:
        self.events.append(new)

    def finish(self) -> PreparedLines | None:
        return _reference_prepare(self.log, self.events, actor=self.actor, now=self.now)


def _reference_start_lines(
    self: CustodyLog, *, actor: str, now: dt.datetime | None = None
) -> _ReferenceLines:
    return _ReferenceLines(self, actor, now)


def _reference_note_claim(
    self: CaseState, subject: Subject, key: str, status: str, body_blake3: str
) -> None:
    self.note("claim-recorded", subject, {"key": key, "status": status, "body_blake3": body_blake3})


def _plain_paths(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(compile_module, "load_yaml", _reference_load_yaml)
    patch.setattr(CustodyLog, "append", _reference_append)
    patch.setattr(CustodyLog, "prepare", _reference_prepare)
    patch.setattr(CustodyLog, "start_lines", _reference_start_lines)
    patch.setattr(seal_module, "_claim_record_bytes", _reference_record_bytes)
    # Subjects, leaves and state notes through their checked, generic paths.
    patch.setattr(Subject, "made", classmethod(lambda cls, *fields: cls(*fields)))
    patch.setattr(seal_module, "_made_leaf", lambda i, r, f: SealLeaf(i, r, f.blake3, f.sha256))
    patch.setattr(CaseState, "note_claim", _reference_note_claim)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_the_demo_is_sealed_to_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", "off")
    build_demo(tmp_path / "fast", actor="tester", now=FIXED_NOW)
    with monkeypatch.context() as patch:
        _plain_paths(patch)
        build_demo(tmp_path / "plain", actor="tester", now=FIXED_NOW)
    fast, plain = _files(tmp_path / "fast"), _files(tmp_path / "plain")
    assert any(name.startswith("records/CLM-") for name in fast)
    assert fast == plain


_SENTENCES = (
    "The district council said {a} windows were broken on street {n}.",
    "A spokesperson wrote that {b} families asked for shelter after the storm.",
    "Volunteers counted {a} trees down between the bridge and school {n}.",
)


def _generated_case(root: Path, sources: int) -> None:
    """Sources written here (numbered sentences of our own), one claims file of three
    claims each per source, plain, quoted and flow YAML, an integer fact."""
    case = Case.init(
        root, case_id="GEN-1", title="Generated", ern_prefix="GEN", actor="tester", now=FIXED_NOW
    )
    texts = root.parent / f"{root.name}-texts"
    texts.mkdir()
    paths = []
    for i in range(sources):
        path = texts / f"article-{i:03d}.txt"
        lines = [s.format(n=i, a=i % 7 + 2, b=i % 5 + 3) for s in _SENTENCES]
        path.write_text(f"Report number {i}.\n\n" + "\n".join(lines) + "\n")
        paths.append(path)
    add_sources(
        case,
        paths,
        overrides={"publisher": "Generated News", "language": "en"},
        actor="tester",
        now=FIXED_NOW,
    )
    for i in range(sources):
        claims = []
        for k, template in enumerate(_SENTENCES):
            quote = template.format(n=i, a=i % 7 + 2, b=i % 5 + 3)
            claims.append(
                f"  - key: g{i}-c{k}\n"
                f"    statement: Claim {k} of report {i} (ёж «é»).\n"
                f'    quote: "{quote}"\n'
                f"    attributed_to: [{{name: Official {k}, role: spokesperson}}]\n"
                f"    category: damage\n"
                f"    facts: {{count: {{value: {i % 7 + 2}, qualifier: exact}}}}\n"
                f"    date: 2024-07-{k + 1:02d}\n"
                f"    places: [Street {i}, 'yes']\n"
                + ("    note: seen at 10:30, not confirmed\n" if k == 1 else "")
            )
        (root / "claims" / f"g{i:03d}.yaml").write_text(
            f"source: SRC-{i + 1:04d}\nclaims:\n" + "".join(claims)
        )


def _edit_and_reseal(root: Path, workers: int) -> None:
    """Change one claim, drop another (withdrawn), add a new one: a second seal."""
    path = root / "claims" / "g000.yaml"
    text = path.read_text().replace("Claim 0 of report 0", "Claim 0 of report 0, edited")
    path.write_text(text)
    (root / "claims" / "g001.yaml").unlink()
    seal_case(Case.open(root), actor="tester", now=LATER, workers=workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_generated_case_is_sealed_to_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", "off")
    roots: dict[str, Path] = {}
    for name in ("fast", "plain"):
        root = roots[name] = tmp_path / name
        _generated_case(root, 40)
        with monkeypatch.context() as patch:
            if name == "plain":
                _plain_paths(patch)
            result = seal_case(
                Case.open(root),
                actor="tester",
                now=FIXED_NOW,
                workers=workers if name == "fast" else 1,
            )
            assert result.seal is not None
            assert result.seal.size == 40 + 40 * 3
            _edit_and_reseal(root, workers if name == "fast" else 1)
    fast, plain = _files(roots["fast"]), _files(roots["plain"])
    assert sum(name.startswith("records/CLM-") for name in fast) == 40 * 3 + 1 + 3
    assert fast == plain


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_claims_file_late_in_a_large_seal_is_named_and_nothing_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", "off")
    root = tmp_path / "case"
    _generated_case(root, 40)
    bad = root / "claims" / "g035.yaml"
    lines = bad.read_text().splitlines(keepends=True)
    lines[13] = "    places: [Street 35, 'yes'\n"  # the flow list is never closed
    bad.write_text("".join(lines))
    before = sorted(p.name for p in (root / "records").iterdir())
    with pytest.raises(ClaimsInvalid) as caught:
        seal_case(Case.open(root), actor="tester", now=FIXED_NOW, workers=workers)
    assert caught.value.path == "claims/g035.yaml"
    assert caught.value.line == 15  # where libyaml finds the list unclosed
    assert "YAML syntax error" in caught.value.message
    assert sorted(p.name for p in (root / "records").iterdir()) == before  # no temp, no name
    assert not (root / "seals").exists() or not any((root / "seals").iterdir())
