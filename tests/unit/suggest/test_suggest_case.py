# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""`evidence suggest` on real case folders: what it proposes, and what it writes.

Suggestions are checked the way the rest of the toolkit will treat them: the claims
file they make passes `check` (schema, keys, quotes anchoring), `seal` leaves them out
until an analyst accepts them, and an accepted suggestion seals. The file is replaced
only while it is exactly as the tool wrote it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.case import Case
from evidence.check import check_case
from evidence.claims.anchor import find_quote
from evidence.errors import InputError, UsageError
from evidence.ingest.add import add_source
from evidence.integrity.seal import seal_case
from evidence.suggest.suggestions import (
    SUGGESTED_SUFFIX,
    suggest_claims,
    suggest_text,
    write_suggestions,
)

ARTICLES = Path(__file__).parents[2] / "data" / "suggest"


def _add(case: Case, name: str, now: dt.datetime, **overrides: str) -> str:
    return str(
        add_source(case, ARTICLES / name, overrides=overrides, actor="tester", now=now).record.id
    )


def _accept_all(path: Path) -> None:
    """What an analyst does after review: every proposed claim becomes reported."""
    text = path.read_text(encoding="utf-8").replace("status: proposed", "status: reported")
    path.write_text(text, encoding="utf-8")


# -- on the example case ------------------------------------------------------------------------


def test_the_example_case_gets_only_what_its_analyst_did_not_claim(sealed_case: Path) -> None:
    case = Case.open(sealed_case)
    result = suggest_claims(case, "SRC-0001")
    assert result.covered >= 10  # the analyst's claims of the example are not proposed again
    assert result.suggestions
    keys = {s.key for s in result.suggestions}
    assert all(k.startswith("src-0001-") for k in keys)
    assert not keys & set(case.state().claim_keys)
    assert not result.written
    assert not result.path.exists()


def test_written_suggestions_check_and_are_left_out_of_the_seal(
    sealed_case: Path, now: dt.datetime
) -> None:
    case = Case.open(sealed_case)
    written = write_suggestions(case, suggest_claims(case, "SRC-0001", now=now))
    assert written.path == sealed_case / "claims" / f"SRC-0001{SUGGESTED_SUFFIX}"
    report = check_case(sealed_case)
    assert report.ok, [str(f) for f in report.findings]
    assert report.checked["proposed claims"] == len(written.suggestions)
    before = case.state().claim_keys
    result = seal_case(case, actor="tester", now=now)
    assert result.seal is None  # nothing new: proposed claims are not sealed
    assert case.state().claim_keys == before


def test_an_accepted_suggestion_seals(sealed_case: Path, now: dt.datetime) -> None:
    case = Case.open(sealed_case)
    written = write_suggestions(case, suggest_claims(case, "SRC-0001", now=now))
    _accept_all(written.path)
    result = seal_case(case, actor="tester", now=now)
    assert result.seal is not None
    sealed_keys = set(case.state().claim_keys)
    assert {s.key for s in written.suggestions} <= sealed_keys


def test_the_file_is_replaced_only_while_untouched(sealed_case: Path, now: dt.datetime) -> None:
    case = Case.open(sealed_case)
    first = write_suggestions(case, suggest_claims(case, "SRC-0001", now=now))
    later = now + dt.timedelta(hours=1)
    second = write_suggestions(case, suggest_claims(case, "SRC-0001", now=later))
    assert second.replaced
    assert first.path.read_text(encoding="utf-8") == second.document
    edited = second.document.replace("status: proposed", "status: reported", 1)
    first.path.write_text(edited, encoding="utf-8")
    with pytest.raises(InputError, match="edited after"):
        write_suggestions(case, suggest_claims(case, "SRC-0001", now=later))
    assert first.path.read_text(encoding="utf-8") == edited  # the analyst's edit stays


def test_a_hand_written_file_at_the_path_is_never_overwritten(sealed_case: Path) -> None:
    case = Case.open(sealed_case)
    path = sealed_case / "claims" / f"SRC-0001{SUGGESTED_SUFFIX}"
    path.write_text("source: SRC-0001\nclaims: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="never overwritten"):
        write_suggestions(case, suggest_claims(case, "SRC-0001"))
    assert path.read_text(encoding="utf-8") == "source: SRC-0001\nclaims: []\n"


def test_suggestions_already_accepted_are_not_proposed_again(
    sealed_case: Path, now: dt.datetime
) -> None:
    case = Case.open(sealed_case)
    written = write_suggestions(case, suggest_claims(case, "SRC-0001", now=now))
    accepted = sealed_case / "claims" / "SRC-0001.accepted.yaml"
    shutil.move(written.path, accepted)
    _accept_all(accepted)
    again = suggest_claims(case, "SRC-0001", now=now)
    assert again.suggestions == []
    assert again.covered >= len(written.suggestions)


# -- the team's articles in three languages ---------------------------------------------------


@pytest.fixture
def three_languages(new_case: Case, now: dt.datetime) -> tuple[Case, list[str]]:
    ids = [
        _add(new_case, "uk-01-kyiv-morning.txt", now),
        _add(new_case, "ru-01-kyiv-evening.txt", now),
        _add(new_case, "en-02-odesa-port.txt", now),
    ]
    return new_case, ids


def test_keys_never_collide_across_sources(
    three_languages: tuple[Case, list[str]], now: dt.datetime
) -> None:
    case, ids = three_languages
    keys: list[str] = []
    for source in ids:
        written = write_suggestions(case, suggest_claims(case, source, now=now))
        _accept_all(written.path)
        keys.extend(s.key for s in written.suggestions)
    assert len(keys) == len(set(keys))
    report = check_case(case.root)
    assert report.ok, [str(f) for f in report.findings]
    result = seal_case(case, actor="tester", now=now)
    assert result.seal is not None
    assert len(result.added) == len(keys)


def test_ukrainian_suggestions_read_speaker_role_channel_facts_and_places(
    three_languages: tuple[Case, list[str]],
) -> None:
    case, ids = three_languages
    result = suggest_claims(case, ids[0])
    casualties = next(s for s in result.suggestions if "killed" in s.facts)
    assert casualties.facts["killed"] == {
        "value": 7,
        "qualifier": "at-least",
        "text": "щонайменше 7",
    }
    assert casualties.places == ("Kyiv",)
    assert casualties.date == "2024-07-08"
    speaker, outlet = casualties.attributed_to
    assert speaker == {
        "name": "Андрій Ковальчук",
        "role": "Head of the Kyiv City Military Administration",
        "channel": "Telegram post",
    }
    assert outlet["role"] == "news outlet"
    assert "очільника КМВА" in casualties.why


def test_the_document_is_a_claims_file_with_a_digest(
    three_languages: tuple[Case, list[str]], now: dt.datetime
) -> None:
    case, ids = three_languages
    result = suggest_claims(case, ids[1], now=now)
    doc = yaml.safe_load(result.document)
    assert doc["source"] == ids[1]
    assert {c["status"] for c in doc["claims"]} == {"proposed"}
    assert all(c["why"] for c in doc["claims"])
    assert "# suggest-digest: blake3:" in result.document
    assert "2026-11-29T10:12:03" in result.document  # the time is a parameter


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_id", "error", "message"),
    [
        ("SRC-0009", UsageError, "no source SRC-0009"),
        ("src-1", UsageError, "is not a source id"),
        ("CLM-0001", UsageError, "is not a source id"),
    ],
    ids=["unknown", "malformed", "a claim id"],
)
def test_a_source_that_does_not_exist(
    sealed_case: Path, source_id: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        suggest_claims(Case.open(sealed_case), source_id)


def test_a_source_without_text(new_case: Case, tmp_path: Path, now: dt.datetime) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    source = str(add_source(new_case, photo, actor="tester", now=now).record.id)
    with pytest.raises(InputError, match="has no text"):
        suggest_claims(new_case, source)
    assert not list(new_case.claims_dir.glob(f"*{SUGGESTED_SUFFIX}"))


def test_a_text_with_no_claims_writes_nothing(
    new_case: Case, tmp_path: Path, now: dt.datetime
) -> None:
    article = tmp_path / "quiet.txt"
    article.write_text(
        "The weather in the city was mild.\nThe market opened as usual.\n", encoding="utf-8"
    )
    source = str(add_source(new_case, article, actor="tester", now=now).record.id)
    result = suggest_claims(new_case, source)
    assert result.suggestions == []
    assert result.sentences == 2
    with pytest.raises(UsageError, match="nothing to write"):
        write_suggestions(new_case, result)
    assert not result.path.exists()


def test_an_extremely_long_sentence_is_read_in_pieces() -> None:
    text = "У Харкові загинули 3 людини, " + "і тривала повітряна тривога, " * 1200 + "кінець."
    items, analysis = suggest_text(text, source_id="SRC-0001", published="2024-07-08")
    assert any("longer than" in note for note in analysis.notes)
    assert items
    assert items[0].facts["killed"]["value"] == 3
    assert all(len(s.quote) <= 1000 for s in items)


def test_mixed_scripts_are_read_and_reported_and_quotes_keep_them() -> None:
    text = "Вибух у Kиєві: загинули 3 людини."  # a Latin K inside a Cyrillic word
    items, analysis = suggest_text(text, source_id="SRC-0001", published="2024-07-08")
    assert any("mix Latin and Cyrillic" in note for note in analysis.notes)
    [item] = items
    assert item.places == ("Kyiv",)
    assert "Kиєві" in item.quote
    assert find_quote(text, item.quote).start == item.start


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n", "«»", "---", "1 2 3"],
    ids=["empty", "blank", "marks", "dashes", "digits"],
)
def test_texts_with_nothing_in_them(text: str) -> None:
    items, analysis = suggest_text(text, source_id="SRC-0001", published="2024-07-08")
    assert items == []
    assert analysis.candidates == []


def test_a_repeated_quote_gets_its_occurrence() -> None:
    text = "Загинули 3 людини.\nІнша новина.\nЗагинули 3 людини."
    items, _ = suggest_text(text, source_id="SRC-0001", published="2024-07-08")
    assert [(s.quote, s.occurrence) for s in items] == [
        ("Загинули 3 людини.", 1),
        ("Загинули 3 людини.", 2),
    ]
    assert len({s.key for s in items}) == 2


SENTENCES = [
    line
    for path in sorted(ARTICLES.glob("*.txt"))
    for line in path.read_text(encoding="utf-8").split("\n")
    if line.strip()
    and not line.startswith(("---", "title:", "publisher:", "published:", "language:", "url:"))
]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=8),
    st.sampled_from(["\n", " ", "\n\n"]),
)
def test_every_suggestion_anchors_where_it_says(lines: list[str], joiner: str) -> None:
    text = joiner.join(lines)
    items, _ = suggest_text(text, source_id="SRC-0001", published="2024-07-08")
    for item in items:
        assert text[item.start : item.end] == item.quote
        assert find_quote(text, item.quote, item.occurrence).start == item.start
    assert len({s.key for s in items}) == len(items)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_text_is_read_without_error(text: str) -> None:
    items, _ = suggest_text(text, source_id="SRC-0001", published=None)
    for item in items:
        assert text[item.start : item.end] == item.quote
