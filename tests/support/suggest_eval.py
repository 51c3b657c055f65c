# ruff: noqa: RUF002  (the text is Ukrainian and Russian on purpose)
"""Measuring ``evidence suggest`` against a labelled set of articles.

A labels file (YAML) names an article and lists the claims an analyst drew from it::

    article: uk-01-kyiv-morning.txt      # relative to the labels file
    language: uk
    split: dev                          # dev: the rules were written on it; test: held out
    meta: {publisher: Censor.NET}       # optional: metadata given to `evidence add`
    claims:
      - quote: у столиці загинули щонайменше 7 людей   # exactly as in the text
        category: casualties
        accept: [attack]                # other categories the passage fits too
        optional: false                 # a borderline label: neither hit nor miss
        facts: {killed: {value: 7, qualifier: at-least}}
        date: 2024-07-08
        places: [Kyiv]
        speaker: Андрій Ковальчук

A suggestion *matches* a label when their quotes overlap and its category is the
label's or one it accepts; matching is one to one (a maximum matching, so two
suggestions on one passage do not both count). Precision is the share of suggestions
that match a label, recall the share of labels matched. Over matched pairs the figures
are compared exactly (name, value, qualifier, maximum), and so are dates, places and
speakers (the speaker's identity across languages, :func:`~evidence.suggest.speakers.speaker_key`).

Example:
    >>> Score(tp=8, fp=2, fn=2).precision
    0.8
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence._fs import read_bytes
from evidence._yaml import load_yaml
from evidence.claims.anchor import find_quote
from evidence.errors import InputError
from evidence.ingest.text import parse_article
from evidence.suggest.speakers import speaker_key
from evidence.suggest.suggestions import Suggestion, suggest_text

__all__ = [
    "ArticleResult",
    "Label",
    "Score",
    "evaluate_article",
    "evaluate_set",
    "load_labels",
    "read_labels",
]


@dataclass(frozen=True)
class Label:
    """One labelled claim of an article."""

    start: int
    end: int
    quote: str
    category: str
    accept: frozenset[str]
    optional: bool
    facts: Mapping[str, Mapping[str, Any]]
    date: str | None
    places: tuple[str, ...]
    speaker: str | None

    def fits(self, category: str) -> bool:
        return category == self.category or category in self.accept

    def fits_any(self, s: Suggestion) -> bool:
        """Whether the suggestion's category, or another category its statement fits
        (:attr:`Suggestion.also`), is the label's: one suggestion stands for one
        statement, whatever category the analyst files it under."""
        return self.fits(s.category) or any(self.fits(c) for c in s.also)


@dataclass
class Score:
    """Counts of one evaluation, and the measures drawn from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    facts_gold: int = 0
    facts_exact: int = 0
    facts_suggested: int = 0
    facts_right: int = 0
    dates: int = 0
    dates_right: int = 0
    places: int = 0
    places_right: int = 0
    speakers: int = 0
    speakers_right: int = 0
    categories_right: int = 0
    """Matched pairs whose suggested category (not only one it also fits) is the label's."""

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def _ratio(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def precision(self) -> float:
        return self._ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self._ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "facts_exact": f"{self.facts_exact}/{self.facts_gold}",
            "facts_right": f"{self.facts_right}/{self.facts_suggested}",
            "dates_right": f"{self.dates_right}/{self.dates}",
            "places_right": f"{self.places_right}/{self.places}",
            "speakers_right": f"{self.speakers_right}/{self.speakers}",
        }


@dataclass
class ArticleResult:
    """The evaluation of one labelled article."""

    name: str
    language: str
    split: str
    score: Score
    misses: list[Label] = field(default_factory=list)
    false: list[Suggestion] = field(default_factory=list)
    wrong_facts: list[tuple[Label, Suggestion]] = field(default_factory=list)
    wrong_speakers: list[tuple[Label, Suggestion]] = field(default_factory=list)
    text: str = ""


def load_labels(path: Path) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """A labels file, the text of its article (normalised as ``add`` does) and the
    article's metadata.

    Raises:
        InputError: the file, or its article, cannot be read.
    """
    doc = load_yaml(read_bytes(path, what="labels file"), path=str(path)).data
    if not isinstance(doc, dict) or "article" not in doc:
        raise InputError("expected a mapping with `article` and `claims`", path=str(path))
    article_path = path.parent / str(doc["article"])
    article = parse_article(read_bytes(article_path, what="article"), path=str(article_path))
    meta = dict(article.meta)
    meta.update(doc.get("meta") or {})  # what `evidence add` would be told on its command line
    return doc, article.text, meta


def read_labels(doc: Mapping[str, Any], text: str, path: str) -> list[Label]:
    """The labels of a labels file, each anchored in the article's text.

    Raises:
        InputError: a label's quote does not occur in the text.
    """
    out = []
    for index, item in enumerate(doc.get("claims") or []):
        try:
            anchored = find_quote(text, str(item["quote"]), item.get("occurrence"))
        except (InputError, KeyError) as exc:
            raise InputError(f"/claims/{index}/quote: {exc}", path=path) from exc
        out.append(
            Label(
                anchored.start,
                anchored.end,
                anchored.exact,
                str(item["category"]),
                frozenset(item.get("accept") or ()),
                bool(item.get("optional", False)),
                dict(item.get("facts") or {}),
                item.get("date"),
                tuple(item.get("places") or ()),
                item.get("speaker"),
            )
        )
    return out


def _overlap(s: Suggestion, label: Label) -> int:
    return min(s.end, label.end) - max(s.start, label.start)


def _match(suggestions: Sequence[Suggestion], labels: Sequence[Label]) -> dict[int, int]:
    """A maximum one-to-one matching, suggestion index -> label index (Kuhn's method)."""
    edges = {
        i: sorted(
            (j for j, g in enumerate(labels) if _overlap(s, g) > 0 and g.fits_any(s)),
            key=lambda j: (labels[j].category != s.category, -_overlap(s, labels[j])),
        )
        for i, s in enumerate(suggestions)
    }
    # Suggestions of a label's own category first: a label fits them best.
    order = sorted(
        edges,
        key=lambda i: not any(labels[j].category == suggestions[i].category for j in edges[i]),
    )
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in order:
        augment(i, set())
    return {i: j for j, i in owner.items()}


def _same_fact(gold: Mapping[str, Any], found: Mapping[str, Any]) -> bool:
    return (
        gold.get("value") == found.get("value")
        and gold.get("qualifier") == found.get("qualifier")
        and gold.get("max") == found.get("max")
    )


def _speaker_right(label: Label, s: Suggestion, publisher: str | None) -> bool:
    chain = list(s.attributed_to)
    gold = str(label.speaker)
    if len(chain) == 1:  # the outlet's own words
        return publisher is not None and publisher.casefold().startswith(gold.casefold())
    return speaker_key(chain[0]["name"]) == speaker_key(gold)


def evaluate_article(
    name: str, doc: Mapping[str, Any], text: str, meta: Mapping[str, Any]
) -> ArticleResult:
    """Suggest on one labelled article and score the suggestions against its labels."""
    labels = read_labels(doc, text, name)
    publisher = meta.get("publisher")
    suggestions, _ = suggest_text(
        text, source_id="SRC-0001", publisher=publisher, published=meta.get("published")
    )
    required = [g for g in labels if not g.optional]
    optional = [g for g in labels if g.optional]
    matched = _match(suggestions, required)
    rest = [i for i in range(len(suggestions)) if i not in matched]
    matched_optional = _match([suggestions[i] for i in rest], optional)
    score = Score(
        tp=len(matched), fn=len(required) - len(matched), fp=len(rest) - len(matched_optional)
    )
    result = ArticleResult(
        name, str(doc.get("language", "")), str(doc.get("split", "")), score, text=text
    )
    hit = set(matched.values())
    result.misses = [g for j, g in enumerate(required) if j not in hit]
    optional_hit = {rest[i] for i in matched_optional}
    result.false = [suggestions[i] for i in rest if i not in optional_hit]
    for i, j in matched.items():
        s, g = suggestions[i], required[j]
        score.categories_right += int(g.fits(s.category))
        score.facts_gold += len(g.facts)
        score.facts_suggested += len(s.facts)
        exact = sum(1 for k, v in g.facts.items() if k in s.facts and _same_fact(v, s.facts[k]))
        score.facts_exact += exact
        score.facts_right += sum(
            1 for k, v in s.facts.items() if k in g.facts and _same_fact(g.facts[k], v)
        )
        if exact < len(g.facts) or len(s.facts) > exact:
            result.wrong_facts.append((g, s))
        if g.date:
            score.dates += 1
            score.dates_right += int(s.date == str(g.date))
        if g.places:
            score.places += 1
            score.places_right += int(set(s.places) == set(g.places))
        if g.speaker:
            score.speakers += 1
            right = _speaker_right(g, s, publisher)
            score.speakers_right += int(right)
            if not right:
                result.wrong_speakers.append((g, s))
    return result


def evaluate_set(folder: Path, *, splits: Iterable[str] = ("dev", "test")) -> list[ArticleResult]:
    """Every ``*.labels.yaml`` of ``folder`` whose split is in ``splits``, evaluated."""
    wanted = set(splits)
    results = []
    for path in sorted(folder.glob("*.labels.yaml")):
        doc, text, meta = load_labels(path)
        if str(doc.get("split")) in wanted:
            results.append(
                evaluate_article(path.name.removesuffix(".labels.yaml"), doc, text, meta)
            )
    return results
