"""Every option of ``add`` is checked before the first write (issue 11, item 3).

A file streamed into the object store (any non-article file) used to be stored before
``--published`` or ``--language`` were looked at; the case must be left as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.case import Case
from evidence.cli import main


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--published", "2024-13-45", "--published '2024-13-45' is not a real calendar date"),
        ("--published", "yesterday", "--published 'yesterday' is not a date"),
        ("--published", "2024-07-08T25:00:00Z", "is not a date or an RFC 3339 time"),
        ("--language", "english!!", "--language: expected a BCP 47 language tag"),
    ],
    ids=["bad-date", "not-a-date", "bad-time", "bad-language"],
)
@pytest.mark.parametrize("kind", ["article", "binary"])
def test_bad_option_writes_nothing(
    new_case: Case,
    tmp_path: Path,
    seed_article: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    message: str,
    kind: str,
) -> None:
    if kind == "article":
        src = seed_article
    else:
        src = tmp_path / "photo.bin"
        src.write_bytes(bytes(range(256)) * 64)
    before = _tree(new_case.root)
    code = main(["add", str(new_case.root), str(src), option, value])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "internal error" not in err
    assert _tree(new_case.root) == before
    assert not [p for p in (new_case.root / "objects").rglob("*") if p.is_file()]
