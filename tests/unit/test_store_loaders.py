"""One loader for a record revision and one for an object as text (issue 11, item 7).

Every damage a record file or a text object can have gets the project's own error, the
same from every command that reads it: never ``KeyError``, ``UnicodeDecodeError`` or an
"internal error".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from evidence.cli import main
from evidence.errors import CaseError, EvidenceError
from evidence.store import ObjectStore, object_text, parse_record_file, record_document

NAME = "records/SRC-0001.1.json"


def _good(case: Path) -> bytes:
    return (case / NAME).read_bytes()


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "not-envelope": lambda data: b'{"record": 1}\n',
    "not-json": lambda data: data[:220] + b"\xff\xfe" + data[222:],
    "empty-record": lambda data: data[:197] + b"{}}\n",
    "newline-lost": lambda data: data[:-1],
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("reader", [parse_record_file, record_document])
def test_parse_record_file_raises_case_error(
    sealed_case: Path, damage: str, reader: Callable[..., object]
) -> None:
    data = DAMAGES[damage](_good(sealed_case))
    with pytest.raises(CaseError, match=re.escape(NAME)):
        reader(data, name=NAME)


def test_record_document_is_the_models_json(sealed_case: Path) -> None:
    """What a compile reads of a source record without the model (decision 0045)."""
    loaded = parse_record_file(_good(sealed_case), name=NAME)
    doc, record_bytes = record_document(_good(sealed_case), name=NAME)
    assert record_bytes == loaded.record_bytes
    assert doc == loaded.record.to_dict()
    with pytest.raises(CaseError, match="does not match the digest"):
        record_document(_good(sealed_case), name=NAME, blake3="0" * 64)


def test_parse_record_file_checks_the_digest(sealed_case: Path) -> None:
    loaded = parse_record_file(_good(sealed_case), name=NAME)
    assert loaded.record.id == "SRC-0001"
    with pytest.raises(CaseError, match="does not match the digest"):
        parse_record_file(_good(sealed_case), name=NAME, blake3="0" * 64)


def test_object_text(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    pair, _ = store.put_bytes(b"caf\xe9 latin-1")
    with pytest.raises(CaseError, match="not valid UTF-8 at byte 3"):
        store.read_text(pair.blake3)
    good, _ = store.put_bytes("café".encode())
    assert store.read_text(good.blake3) == "café"
    with pytest.raises(CaseError, match="does not match its digest"):
        object_text(b"other", name="objects/x", blake3=good.blake3)


COMMANDS = {
    "check": ["check", "{case}"],
    "seal": ["seal", "{case}"],
    "suggest": ["suggest", "{case}", "SRC-0001"],
    "corroborate": ["corroborate", "{case}"],
    "render": ["render", "{case}"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("damage", ["empty", "empty-record", "text-not-utf8"])
def test_commands_give_one_clear_line(
    sealed_case: Path, capsys: pytest.CaptureFixture[str], command: str, damage: str
) -> None:
    if damage == "text-not-utf8":
        body = parse_record_file(_good(sealed_case), name=NAME).record.body
        digest = body.text.blake3  # type: ignore[union-attr]
        text = sealed_case / "objects" / digest[:2] / digest
        text.write_bytes(b"\xff" + text.read_bytes()[1:])
    else:
        target = sealed_case / NAME
        target.write_bytes(DAMAGES[damage](target.read_bytes()))
    argv = [a.replace("{case}", str(sealed_case)) for a in COMMANDS[command]]
    code = main(argv)
    err = capsys.readouterr().err
    if command == "corroborate" and damage == "text-not-utf8":
        assert code == 0, err  # the ledger reads sealed records, not texts
        return
    # check reports a finding of the claims it could not check; render refuses a case
    # whose sealed data does not verify: both exit 1 (findings), the others 2.
    assert code == (1 if command in ("check", "render") and code == 1 else 2), err
    assert err.startswith("evidence: ")
    assert "internal error" not in err
    assert len(err.splitlines()) <= 2


def test_every_error_class_inherits_the_root() -> None:
    assert issubclass(CaseError, EvidenceError)
