"""The quality of `evidence suggest`, measured on the labelled set (tests/data/suggest).

The figures themselves are printed by `benchmarks/bench_suggest.py`; these tests hold
the floor under them: on text the rules were written on (dev) nearly everything must be
found, and on the held-out articles (test, test2) the issue's aim, precision 0.8 and
recall 0.7, must hold per language. The labelled set itself is checked too: every label
anchors in its article, and every split and language is there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.claims.evaluate import ArticleResult, Score, evaluate_set, load_labels, read_labels
from evidence.claims.rules import CATEGORIES

LABELLED = Path(__file__).parents[2] / "data" / "suggest"
LABELS = sorted(LABELLED.glob("*.labels.yaml"))


@pytest.fixture(scope="module")
def results() -> list[ArticleResult]:
    return evaluate_set(LABELLED, splits=("dev", "test", "test2", "test3"))


def _score(results: list[ArticleResult], split: set[str],
           language: str | None = None) -> Score:
    score = Score()
    for result in results:
        if result.split in split and (language is None or result.language == language):
            score.add(result.score)
    return score


@pytest.mark.parametrize("path", LABELS, ids=[p.name for p in LABELS])
def test_every_label_anchors_and_is_well_formed(path: Path) -> None:
    doc, text, _ = load_labels(path)
    labels = read_labels(doc, text, path.name)
    assert labels
    assert doc["split"] in ("dev", "test", "test2", "test3")
    assert doc["language"] in ("en", "uk", "ru")
    for label in labels:
        assert label.category in CATEGORIES
        assert label.accept <= set(CATEGORIES)
        assert text[label.start : label.end] == label.quote


def test_the_set_covers_three_languages_held_out() -> None:
    seen = set()
    for path in LABELS:
        doc, _, _ = load_labels(path)
        seen.add((doc["language"], doc["split"] != "dev"))
    assert seen == {(lang, held) for lang in ("en", "uk", "ru") for held in (False, True)}


def test_on_the_text_the_rules_were_written_on(results: list[ArticleResult]) -> None:
    score = _score(results, {"dev"})
    assert score.precision >= 0.95, score.to_dict()
    assert score.recall >= 0.95, score.to_dict()
    assert score.facts_exact / score.facts_gold >= 0.95, score.to_dict()


@pytest.mark.parametrize("language", ["en", "uk", "ru"])
def test_on_held_out_text_the_issue_aim_holds(results: list[ArticleResult], language: str) -> None:
    score = _score(results, {"test", "test2"}, language)
    assert score.precision >= 0.8, score.to_dict()
    assert score.recall >= 0.7, score.to_dict()


def test_figures_dates_and_speakers_of_matched_claims(results: list[ArticleResult]) -> None:
    score = _score(results, {"test", "test2"})
    assert score.facts_exact / score.facts_gold >= 0.9, score.to_dict()
    assert score.dates_right / score.dates >= 0.8, score.to_dict()
    assert score.speakers_right / score.speakers >= 0.8, score.to_dict()
