"""Edits as files: quotes from selections, text edits that keep the analyst's layout,
validation as `evidence check`, and nothing sealed ever rewritten."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.case import Case
from evidence.check import check_case
from evidence.claims.anchor import find_quote
from evidence.errors import QuoteError
from evidence.serve._edits import Editor, selection_quote, version_of
from evidence.serve._index import ClaimView, _segments
from tests.serve.conftest import TOKEN, Served

TEXTS = st.text(alphabet=st.sampled_from("ab \n😀ї"), min_size=1, max_size=40)


@given(TEXTS, st.data())
def test_a_selection_is_anchored_where_it_was_made(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    try:
        chosen = selection_quote(text, start, end)
    except QuoteError:
        assert not text[start:end].strip()
        return
    assert chosen.quote == text[start:end].strip()
    assert find_quote(text, chosen.quote, chosen.occurrence).start == chosen.start


@given(TEXTS, st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6))
def test_segments_cover_the_text_exactly(text: str, spans: list[tuple[int, int]]) -> None:
    claims = [
        ClaimView(f"k{i}", "pending", {}, min(a, b, len(text)), min(max(a, b), len(text)))
        for i, (a, b) in enumerate(spans)
    ]
    segments = _segments(text + "\u202e", claims)
    assert "".join(s.text for s in segments) == text + "\u202e"
    assert segments[-1].bidi


def test_an_appended_claim_keeps_comments_and_layout(sealed_case: Path) -> None:
    editor = Editor(Case.open(sealed_case))
    path = sealed_case / "claims" / "SRC-0001.yaml"
    before, version = editor.load(path)
    assert before is not None
    claim = {
        "key": "added",
        "statement": "A statement.",
        "quote": "dozens of dead",
        "status": "reported",
    }
    data = editor.appended(path, version, "SRC-0001", claim)
    assert data.startswith(before)  # every byte the analyst wrote is still there
    editor.write([(path, version, data)])
    assert check_case(sealed_case).ok


@pytest.fixture
def client(served: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base) as c:
        c.get(f"/?token={TOKEN}")
        yield c


@pytest.fixture
def case_root(served: Served) -> Path:
    return served.root


def _csrf(client: httpx.Client, path: str) -> str:
    html = client.get(path).text
    return html.split('name="csrf" value="')[1].split('"')[0]


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for sub in ("records", "seals", "objects")
        for p in (root / sub).rglob("*")
        if p.is_file()
    }


def test_an_invalid_edit_is_refused_with_the_findings(
    client: httpx.Client, case_root: Path
) -> None:
    sealed_case = case_root
    path = sealed_case / "claims" / "SRC-0001.yaml"
    before = path.read_bytes()
    sealed = _tree(sealed_case)
    csrf = _csrf(client, "/files/SRC-0001.yaml")
    bad = before.decode().replace("quote: the enemy has launched", "quote: the foe has launched")
    r = client.post(
        "/files/SRC-0001.yaml", data={"csrf": csrf, "content": bad, "version": version_of(before)}
    )
    assert r.status_code == 422
    assert "quote not found" in r.text
    assert "claims/SRC-0001.yaml:" in r.text
    assert path.read_bytes() == before
    r = client.post(
        "/files/case.yaml",
        data={
            "csrf": csrf,
            "content": "id: [",
            "version": version_of((sealed_case / "case.yaml").read_bytes()),
        },
    )
    assert r.status_code == 422
    assert _tree(sealed_case) == sealed


def test_a_valid_edit_of_a_sealed_claim_changes_the_file_never_the_record(
    client: httpx.Client, case_root: Path
) -> None:
    sealed_case = case_root
    path = sealed_case / "claims" / "SRC-0001.yaml"
    before = path.read_bytes()
    sealed = _tree(sealed_case)
    csrf = _csrf(client, "/files/SRC-0001.yaml")
    edited = before.decode().replace(
        "launched at Ukraine on 8 July 2024.", "launched at Ukraine on 8 July 2024 (edited).", 1
    )
    r = client.post(
        "/files/SRC-0001.yaml",
        data={"csrf": csrf, "content": edited, "version": version_of(before)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert path.read_text(encoding="utf-8") == edited
    assert _tree(sealed_case) == sealed
    page = client.get("/sources/SRC-0001").text
    assert "missiles-launched-count-pending" in page  # changed since the seal


def test_claims_taken_out_one_by_one_then_one_put_back(sealed_case: Path) -> None:
    editor = Editor(Case.open(sealed_case))
    path = sealed_case / "claims" / "SRC-0001.yaml"
    count = len(path.read_text(encoding="utf-8").split("\n  - key: ")) - 1
    for _ in range(count):
        _, version = editor.load(path)
        text = path.read_text(encoding="utf-8")
        key = text.split("\n  - key: ", 1)[1].split("\n", 1)[0]
        editor.write([(path, version, editor.removed(path, version, 0, key))])
    assert "claims: []" in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("# Claims made in the Censor.NET")
    _, version = editor.load(path)
    claim = {"key": "again", "statement": "Again.", "quote": "dozens of dead"}
    editor.write([(path, version, editor.appended(path, version, "SRC-0001", claim))])
    assert check_case(sealed_case).ok


def test_a_suggestion_is_rejected(client: httpx.Client, case_root: Path) -> None:
    csrf = _csrf(client, "/sources/SRC-0002")
    r = client.post("/sources/SRC-0002/suggest", data={"csrf": csrf}, follow_redirects=True)
    assert r.status_code == 200
    path = case_root / "claims" / "SRC-0002.suggested.yaml"
    before = path.read_bytes()
    key = before.decode().split("- key: ", 1)[1].split("\n", 1)[0]
    r = client.post(
        "/sources/SRC-0002/suggestions/reject",
        data={"csrf": csrf, "index": "0", "key": key, "version": version_of(before)},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert f"key: {key}" not in path.read_text(encoding="utf-8")
    assert not (case_root / "claims" / "SRC-0002.yaml").exists()
    r = client.post(
        "/sources/SRC-0002/suggestions/reject",
        data={"csrf": csrf, "index": "0", "key": key, "version": version_of(before)},
    )
    assert r.status_code == 409  # the page's version is stale: refused with the difference
    assert "changed on disk" in r.text
