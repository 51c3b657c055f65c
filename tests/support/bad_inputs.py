"""The bad-input suite: every class of docs/bad-inputs.md, run the way a user would.

The table in docs/bad-inputs.md is the source: one row a class, with the command (with
placeholders), a setup that damages the case first when the class needs it, the message
the user must see (a fragment of it, after paths are replaced by their placeholders) and
the exit code. ``tests/cli/test_bad_inputs.py`` runs every row. This module also writes
the table's message column from the tool's real answers, and prints the rows that
misbehave::

    python -m tests.support.bad_inputs            # the doc's rows, messages written again
    python -m tests.support.bad_inputs ROWS.txt   # a new table from class|setup|command

Placeholders: CASE (a sealed copy of the example case), NEWCASE (an empty case), TMP (a
scratch folder), ART (the seed article), BIN (4 KiB of binary), EMPTY (an empty file),
MISSING (a path that does not exist), DIR (a folder holding a file), KEY / PUB (a fresh
key pair), DATA (tests/data/core).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence._fs import case_lock
from evidence.cli import main
from evidence.store import parse_record_file

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "bad-inputs.md"
DATA = ROOT / "tests" / "data" / "core"
SEED = ROOT / "tests" / "data" / "censor-net-2024-07-08-umerov-air-defence.txt"


@dataclass(frozen=True)
class Row:
    number: int
    name: str
    setup: str
    command: str
    message: str
    exit_code: int


def load_rows(doc: Path = DOC) -> list[Row]:
    """The rows of the table in docs/bad-inputs.md."""
    rows = []
    for line in doc.read_text(encoding="utf-8").splitlines():
        if not re.match(r"^\| *\d+ *\|", line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        number, name, setup, command, message, code = cells
        rows.append(
            Row(
                int(number),
                name,
                setup.strip("`"),
                command.strip("`"),
                message.strip("`").replace("\\|", "|"),
                int(code),
            )
        )
    return rows


# -- setups: damage a case the way the class describes ----------------------------------


def _record(case: Path) -> Path:
    return case / "records" / "SRC-0001.1.json"


def _text_object(case: Path) -> Path:
    body: Any = parse_record_file(_record(case).read_bytes(), name="r").record.body
    digest: str = body.text.blake3
    return case / "objects" / digest[:2] / digest


def _claims(case: Path) -> Path:
    return case / "claims" / "SRC-0001.yaml"


def _edit_claims(case: Path, old: str, new: str) -> None:
    path = _claims(case)
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_statement(case: Path) -> str:
    match = re.search(r"statement: (.+)", _claims(case).read_text(encoding="utf-8"))
    assert match is not None
    return match.group(0)


def _first_quote(case: Path) -> str:
    match = re.search(r"quote: (.+)", _claims(case).read_text(encoding="utf-8"))
    assert match is not None
    return match.group(0)


def _case_yaml(case: Path, old: str, new: str) -> None:
    path = case / "case.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _flip(path: Path, after: bytes) -> None:
    """Change one letter of ``path`` just after the first ``after``, as an edit would."""
    data = bytearray(path.read_bytes())
    at = data.index(after) + len(after)
    data[at] = ord("Q") if data[at] != ord("Q") else ord("R")
    path.write_bytes(bytes(data))


def _seal_edit(case: Path) -> None:
    path = case / "seals" / "0001.json"
    path.write_bytes(path.read_bytes().replace(b'"sequence":1', b'"sequence":2'))


def _append(path: Path, data: bytes) -> None:
    with path.open("ab") as fh:
        fh.write(data)


def _more_claims(case: Path) -> None:
    text = _claims(case).read_text(encoding="utf-8")
    (case / "claims" / "more.yaml").write_text(
        text.replace("- key: ", "- key: more-"), encoding="utf-8"
    )


def _edited_and_more(case: Path) -> None:
    _flip(_record(case), b'"title":"')
    _more_claims(case)


def _full_folder(tmp: Path) -> None:
    (tmp / "full").mkdir()
    (tmp / "full" / "x").write_text("x")


def _object(case: Path) -> Path:
    return next(p for p in sorted((case / "objects").rglob("*")) if p.is_file())


@contextlib.contextmanager
def _locked(case: Path) -> Iterator[None]:
    with case_lock(case):
        yield


def _add_binary(case: Path, tmp: Path) -> None:
    src = tmp / "photo.bin"
    src.write_bytes(bytes(range(256)) * 16)
    assert main(["add", str(case), str(src), "--actor", "tester"]) == 0


def _bag(case: Path, tmp: Path) -> None:
    assert main(["export", str(case), "--bagit", str(tmp / "bag"), "--actor", "tester"]) == 0


def _bag_tampered(case: Path, tmp: Path) -> None:
    _bag(case, tmp)
    _flip(tmp / "bag" / "data" / "records" / "SRC-0001.1.json", b'"title":"')


def _proof(case: Path, tmp: Path) -> None:
    assert main(["proof", str(case), "CLM-0001", "-o", str(tmp / "proof.json")]) == 0


def _proof_tampered(case: Path, tmp: Path) -> None:
    _proof(case, tmp)
    path = tmp / "proof.json"
    text = path.read_text()
    digest = re.search(r'"[0-9a-f]{64}"', text)
    assert digest is not None
    path.write_text(text.replace(digest.group(0), '"' + "0" * 64 + '"', 1))


def _dossier_truncated(case: Path, tmp: Path) -> None:
    (tmp / "dossier.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * 200)


SETUPS: dict[str, Callable[[Path, Path], Any]] = {
    "-": lambda case, tmp: None,
    "record-empty": lambda case, tmp: _record(case).write_bytes(b""),
    "record-truncated": lambda case, tmp: _record(case).write_bytes(
        _record(case).read_bytes()[:300]
    ),
    "record-not-json": lambda case, tmp: _record(case).write_bytes(
        _record(case).read_bytes()[:200] + b"\xff\xfe" + _record(case).read_bytes()[202:]
    ),
    "record-edited": lambda case, tmp: _flip(_record(case), b'"title":"'),
    "record-edited-claims-more": lambda case, tmp: _edited_and_more(case),
    "claim-record-edited": lambda case, tmp: _flip(
        case / "records" / "CLM-0001.1.json", b'"statement":"'
    ),
    "record-missing": lambda case, tmp: _record(case).unlink(),
    "record-extra": lambda case, tmp: (case / "records" / "SRC-0009.1.json").write_bytes(
        _record(case).read_bytes()
    ),
    "text-not-utf8": lambda case, tmp: _text_object(case).write_bytes(
        b"\xff" + _text_object(case).read_bytes()[1:]
    ),
    "object-missing": lambda case, tmp: _object(case).unlink(),
    "object-truncated": lambda case, tmp: _object(case).write_bytes(
        _object(case).read_bytes()[:10]
    ),
    "custody-garbage": lambda case, tmp: _append(case / "custody.jsonl", b"not json\n"),
    "custody-half-line": lambda case, tmp: _append(case / "custody.jsonl", b'{"seq": 99'),
    "custody-missing": lambda case, tmp: (case / "custody.jsonl").unlink(),
    "custody-edited": lambda case, tmp: _flip(case / "custody.jsonl", b'"actor":"'),
    "case-yaml-missing": lambda case, tmp: (case / "case.yaml").unlink(),
    "case-yaml-syntax": lambda case, tmp: (case / "case.yaml").write_text("id: [unclosed\n"),
    "case-yaml-schema": lambda case, tmp: _case_yaml(
        case, "classification: public", "classification: secret"
    ),
    "case-yaml-rlo": lambda case, tmp: _case_yaml(case, "situation: ", 'situation: "\\u202e" #'),
    "case-yaml-alias": lambda case, tmp: (case / "case.yaml").write_text("a: &x 1\nb: *x\n"),
    "seal-edited": lambda case, tmp: _seal_edit(case),
    "seal-missing": lambda case, tmp: (case / "seals" / "0001.json").unlink(),
    "claims-syntax": lambda case, tmp: shutil.copy(
        DATA / "claims_syntax_error.yaml", _claims(case)
    ),
    "claims-alias": lambda case, tmp: shutil.copy(DATA / "claims_alias_bomb.yaml", _claims(case)),
    "claims-duplicate-key": lambda case, tmp: shutil.copy(
        DATA / "claims_duplicate_keys.yaml", _claims(case)
    ),
    "claims-empty": lambda case, tmp: shutil.copy(DATA / "claims_empty.yaml", _claims(case)),
    "claims-not-utf8": lambda case, tmp: shutil.copy(
        DATA / "claims_invalid_utf8.yaml", _claims(case)
    ),
    "claims-python-tag": lambda case, tmp: shutil.copy(
        DATA / "claims_python_tag.yaml", _claims(case)
    ),
    "claims-two-documents": lambda case, tmp: shutil.copy(
        DATA / "claims_two_documents.yaml", _claims(case)
    ),
    "claims-wrong-types": lambda case, tmp: shutil.copy(
        DATA / "claims_wrong_types.yaml", _claims(case)
    ),
    "claims-unknown-field": lambda case, tmp: _edit_claims(
        case, _first_statement(case), _first_statement(case) + "\n    colour: red"
    ),
    "claims-quote-not-found": lambda case, tmp: _edit_claims(
        case, _first_quote(case), "quote: words the article never says"
    ),
    "claims-unknown-source": lambda case, tmp: _edit_claims(
        case, "source: SRC-0001", "source: SRC-0042"
    ),
    "claims-esc": lambda case, tmp: _edit_claims(
        case, _first_statement(case), 'statement: "100 \\e[2J killed"'
    ),
    "claims-bel": lambda case, tmp: _edit_claims(
        case, _first_statement(case), 'statement: "ring \\a"'
    ),
    "claims-rlo": lambda case, tmp: _edit_claims(
        case, _first_statement(case), 'statement: "100 \\u202e killed"'
    ),
    "claims-c1": lambda case, tmp: _edit_claims(
        case, _first_statement(case), 'statement: "csi \\x9b"'
    ),
    "claims-rli-key": lambda case, tmp: _edit_claims(case, "- key: ", '- "k\\u2067": 1\n    key: '),
    "claims-bad-status": lambda case, tmp: _edit_claims(case, "status: ", "status: maybe #"),
    "claims-empty-statement": lambda case, tmp: _edit_claims(
        case, _first_statement(case), 'statement: ""'
    ),
    "locked": lambda case, tmp: _locked(case),
    "binary-source": _add_binary,
    "bag": _bag,
    "bag-tampered": _bag_tampered,
    "proof": _proof,
    "proof-tampered": _proof_tampered,
    "dossier-truncated": _dossier_truncated,
    "out-file": lambda case, tmp: (tmp / "taken.json").write_text("mine\n"),
    "out-dir": lambda case, tmp: _full_folder(tmp),
    "template-bad": lambda case, tmp: (tmp / "template.yaml").write_text("name: [\n"),
    "env-empty": lambda case, tmp: None,
}


_CHARS = {"{RLO}": "\u202e", "{ESC}": "\x1b", "{BEL}": "\x07", "{RLI}": "\u2067", "{C1}": "\x9b"}


@dataclass
class Place:
    """The files a row's command names."""

    case: Path
    newcase: Path
    tmp: Path

    def fill(self, command: str) -> list[str]:
        words = shlex.split(command)
        table = {
            "CASE": self.case,
            "NEWCASE": self.newcase,
            "TMP": self.tmp,
            "ART": self.tmp / "article.txt",
            "BIN": self.tmp / "blob.bin",
            "EMPTY": self.tmp / "empty.txt",
            "MISSING": self.tmp / "missing",
            "DIR": self.tmp / "dir",
            "KEY": self.tmp / "signer.key",
            "PUB": self.tmp / "signer.pub",
            "DATA": DATA,
        }
        out = []
        for word in words:
            for name, value in table.items():
                word = re.sub(rf"\b{name}\b", str(value), word)
            for token, char in _CHARS.items():
                word = word.replace(token, char)
            out.append(word)
        return out

    def shown(self, text: str) -> str:
        """A message with its paths replaced by the placeholders."""
        for value, name in (
            (DATA, "DATA"),
            (self.case, "CASE"),
            (self.newcase, "NEWCASE"),
            (self.tmp, "TMP"),
        ):
            text = text.replace(str(value), name)
        return text


def prepare(sealed: Path, tmp: Path) -> Place:
    """The files every row may name, in ``tmp``."""
    newcase = tmp / "newcase"
    assert main(["init", str(newcase), "--actor", "tester"]) == 0
    shutil.copy(SEED, tmp / "article.txt")
    (tmp / "blob.bin").write_bytes(bytes(range(256)) * 16)
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "dir").mkdir()
    (tmp / "dir" / "a.txt").write_text("a")
    assert main(["keygen", str(tmp / "signer")]) == 0
    return Place(sealed, newcase, tmp)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but the lock file, as bytes."""
    if not root.is_dir():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def run_row(row: Row, place: Place) -> tuple[int, str, str, dict[str, bytes]]:
    """Set up, run the command in-process; return the exit code, stdout and stderr (paths
    as placeholders), and the case's files as they were after the setup."""
    import io
    import sys

    context = SETUPS[row.setup](place.case, place.tmp)
    env_before = dict(os.environ)
    if row.setup == "env-empty":
        os.environ["EVIDENCE_TEST_EMPTY"] = ""
    before = tree(place.case)
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        held = (
            context
            if isinstance(context, contextlib.AbstractContextManager)
            and not (isinstance(context, Path))
            else contextlib.nullcontext()
        )
        with held:
            code = main(place.fill(row.command))
    finally:
        sys.stdout, sys.stderr = old
        os.environ.clear()
        os.environ.update(env_before)
    return code, place.shown(out.getvalue()), place.shown(err.getvalue()), before


def message_of(code: int, out: str, err: str) -> str:
    """The line a user reads first: stderr's (exit 2), else the first failed check."""
    lines = (err + out).splitlines() if code == 2 else (out + err).splitlines()
    usage = [line for line in lines if line.startswith("Error: ")]
    if code == 2 and usage:  # click's usage errors: the line after Usage and Try
        return usage[0].removeprefix("Error: ")
    for line in lines:
        line = line.strip()
        if code != 2 and not line.startswith(("FAIL", "ERROR", "evidence:")):
            continue
        if line:
            return line.removeprefix("evidence: ")
    return ""


def normalise(text: str) -> str:
    """Digests (16 to 64 hex digits) written as an ellipsis, as the table shows them."""
    return re.sub(r"\b[0-9a-f]{16,64}\b", "…", text)


def fragment(message: str) -> str:
    """The part of a message a row pins: after any path placeholder, at most 90 chars."""
    text = message
    for name in ("CASE", "NEWCASE", "TMP"):
        text = re.sub(rf"\b{name}/?[^\s:]*: ", "", text)
    text = normalise(text)
    return text[:90].rsplit(" ", 1)[0] if len(text) > 90 else text


HEADER = """# Bad inputs: what the user sees

Every class of bad input the suite knows, with the command that produces it, the setup
that damages the case first (see tests/support/bad_inputs.py), the message the user reads
(a fragment: paths are written CASE, NEWCASE, TMP) and the exit code: 1 when the evidence
has findings, 2 when the command could not run. Each row is run by
tests/cli/test_bad_inputs.py, which also checks that no row prints a traceback or an
"internal error", and that a command that exits 2 leaves the case as it was.

Placeholders: CASE a sealed copy of the example case, NEWCASE an empty case, TMP a
scratch folder, ART the seed article, BIN 4 KiB of binary, EMPTY an empty file, MISSING
a path that does not exist, DIR a folder holding a file, KEY / PUB a key pair, DATA
tests/data/core.

| # | class | setup | command | message | exit |
|---|-------|-------|---------|---------|------|
"""


def write_doc(specs: list[tuple[str, str, str]], sealed: Path, scratch: Path) -> list[str]:
    """Run every (class, setup, command) and write the doc with the messages the tool
    gives; return the rows that misbehave (exit 0, a traceback, an internal error)."""
    problems = []
    lines = []
    for number, (name, setup, command) in enumerate(specs, 1):
        tmp = scratch / f"row-{number}"
        tmp.mkdir()
        case = tmp / "case"
        shutil.copytree(sealed, case)
        place = prepare(case, tmp)
        code, out, err, _ = run_row(Row(number, name, setup, command, "", 0), place)
        message = fragment(message_of(code, out, err))
        if code not in (1, 2) or "Traceback" in err or "internal error" in err or not message:
            problems.append(f"{number} {name}: exit {code}: {err.strip()[:200]} {out[:200]}")
        cell = message.replace("|", "\\|")
        lines.append(f"| {number} | {name} | `{setup}` | `{command}` | `{cell}` | {code} |")
        shutil.rmtree(tmp, ignore_errors=True)
    DOC.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return problems


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        sealed = Path(scratch) / "sealed"
        assert main(["demo", str(sealed)]) == 0
        for path in sealed.rglob("*"):
            if path.is_file():
                path.chmod(0o644)
        if len(sys.argv) > 1:  # new rows: ``class|setup|command`` lines
            lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
            specs = [(a, b, c) for a, b, c in (line.split("|") for line in lines)]
        else:  # the rows of the doc, their messages written again
            specs = [(r.name, r.setup, r.command) for r in load_rows()]
        for problem in write_doc(specs, sealed, Path(scratch)):
            print(problem)
