"""Cases for the dossier tests and the render benchmark, built with the library as a user
would (init, add, claims files, seal).

Every text here was written by the team for the tests: a short Ukrainian and a short
Russian report, an English text full of markup and other hostile strings, and generated
reports of numbered sentences for the 1,000-claim case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evidence.case import Case
from evidence.ingest.add import add_sources
from evidence.integrity.seal import seal_case

__all__ = [
    "HOSTILE",
    "LONG_WORD",
    "Source",
    "big_case",
    "build_case",
    "cyrillic_case",
    "cyrillic_data",
    "hostile_case",
    "multilingual_case",
    "multilingual_data",
]

NOW = dt.datetime(2026, 11, 29, 10, 12, 3, 123456, tzinfo=dt.UTC)
ACTOR = "tester"


@dataclass(frozen=True)
class Source:
    """A text file to add, its metadata, and the claims drawn from it."""

    filename: str
    text: str
    meta: Mapping[str, Any]
    claims: Sequence[Mapping[str, Any]]


def build_case(
    root: Path,
    sources: Sequence[Source],
    *,
    case_id: str = "TEST-RENDER",
    title: str = "Render test case",
    extra: Mapping[str, Any] | None = None,
    submitter: Mapping[str, str] | None = None,
    now: dt.datetime = NOW,
) -> Case:
    """Init a case, add the sources in one batch, write one claims file per source, seal."""
    case = Case.init(
        root,
        case_id=case_id,
        title=title,
        ern_prefix="TST-R",
        actor=ACTOR,
        situation="Situation in Testland",
        now=now,
        submitter=submitter
        or {"organisation": "Test Documentation Unit", "name": "Test Analyst", "role": "Analyst"},
        extra={
            "reference": "TDU-2026-07",
            "addressee": "Test Prosecutor",
            "summary": "A case built by the test suite.",
            **(extra or {}),
        },
    )
    staging = root.parent / f".{root.name}-sources"
    staging.mkdir(exist_ok=True)
    paths = []
    for source in sources:
        path = staging / source.filename
        path.write_text(source.text, encoding="utf-8")
        paths.append(path)
    results = []
    for source, path in zip(sources, paths, strict=True):  # metadata differs per file
        results += add_sources(case, [path], overrides=dict(source.meta), actor=ACTOR, now=now)
    for source, result in zip(sources, results, strict=True):
        if not source.claims:
            continue
        doc = {"source": result.record.id, "claims": list(source.claims)}
        (case.claims_dir / f"{result.record.id}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
        )
    sealed = seal_case(case, actor=ACTOR, now=now)
    assert sealed.seal is not None
    return case


# -- Cyrillic ----------------------------------------------------------------------------

CYRILLIC = Path(__file__).parent / "data" / "cyrillic-case.yaml"


def cyrillic_data() -> dict[str, Any]:
    """The Ukrainian and Russian reports, their claims, and what the pages must print."""
    data: dict[str, Any] = yaml.safe_load(CYRILLIC.read_text(encoding="utf-8"))
    return data


def cyrillic_case(root: Path) -> Case:
    """A Ukrainian and a Russian report, with claims in four statuses."""
    data = cyrillic_data()
    sources = [Source(s["file"], s["text"], s["meta"], s["claims"]) for s in data["sources"]]
    return build_case(
        root,
        sources,
        case_id="TEST-CYRILLIC",
        title="Strikes of 8 July 2024",
        extra={"language": "uk"},
    )


# -- the UN languages and further scripts ---------------------------------------------------

UN_LANGUAGES = Path(__file__).parent / "data" / "un-languages.yaml"


def multilingual_data() -> list[dict[str, Any]]:
    """The reports in Arabic, Chinese, English, French, Russian, Spanish, Amharic and
    Burmese, each with the passage its claim quotes."""
    data: dict[str, Any] = yaml.safe_load(UN_LANGUAGES.read_text(encoding="utf-8"))
    sources: list[dict[str, Any]] = data["sources"]
    return sources


def multilingual_case(root: Path, *, only: Sequence[str] | None = None) -> Case:
    """One source per language of :func:`multilingual_data` (or those in ``only``), each
    with one claim quoting it."""
    items = []
    for s in multilingual_data():
        if only is not None and s["language"] not in only:
            continue
        claim = {
            "key": f"injured-{s['language']}",
            "statement": s["statement"],
            "quote": s["quote"],
            "attributed_to": [{"name": s["speaker"]}],
            "category": "casualties",
            "date": "2024-03-03",
            "status": "reported",
        }
        items.append(
            Source(
                s["file"],
                s["text"],
                {
                    "title": s["title"],
                    "publisher": s["publisher"],
                    "published": "2024-03-04",
                    "language": s["language"],
                },
                [claim],
            )
        )
    return build_case(root, items, case_id="TEST-SCRIPTS", title="Shelling of the market")


# -- hostile strings -----------------------------------------------------------------------

LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitän" * 8
LONG_URL = (
    "https://example.org/" + "/".join(f"segment{i:03d}" for i in range(40)) + "?q=" + "a" * 120
)
HOSTILE = (
    '<font color="red" size="40">ALERT</font>',
    "Smith & Sons <b>bold</b>",
    "line<br/>break",
    '<a href="javascript:alert(1)">click</a>',
    "&amp; &lt;literal&gt; &#x41; &nbsp;",
    "]]> <![CDATA[x]]> <para> </para>",
    '<img src="x"/> <unknown attr=1>',
)
HOSTILE_TEXT = (
    "A report that quotes markup as data.\n\n"
    + "\n\n".join(f"Item {i}: {s} is what the page said." for i, s in enumerate(HOSTILE))
    + f"\n\nA very long word: {LONG_WORD}.\n\nA very long address: {LONG_URL}\n\n"
    "A digest as text: 0fc5f8ce0cc685f50cc48a12c811515580357c8302ccff3551a000de2b9e7582.\n"
)


def hostile_case(root: Path) -> Case:
    """Titles, quotes, statements, names and notes full of markup and overlong words."""
    claims: list[dict[str, Any]] = []
    for i, s in enumerate(HOSTILE):
        claims.append(
            {
                "key": f"hostile-{i}",
                "statement": f"The page said {s} (item {i}).",
                "quote": f"Item {i}: {s} is what the page said.",
                "attributed_to": [
                    {
                        "name": f"<i>Anonymous</i> & Co {i}",
                        "role": "<b>source</b>",
                        "channel": "<br/>",
                    }
                ],
                "category": "statement",
                "status": "reported" if i % 2 else "verified",
                "note": f"Note with {s}",
            }
        )
    claims.append(
        {
            "key": "long-word",
            "statement": f"The page used the word {LONG_WORD}.",
            "quote": LONG_WORD,
            "attributed_to": [{"name": "Page"}],
            "category": "other",
            "status": "reported",
        }
    )
    source = Source(
        "hostile.txt",
        HOSTILE_TEXT,
        {
            "title": 'Title with <font size="40">big</font> & <br/> markup',
            "publisher": "Outlet <&>",
            "published": "2024-07-08",
            "language": "en",
            "url": LONG_URL,
        },
        claims,
    )
    return build_case(
        root,
        [source],
        case_id="TEST-HOSTILE",
        title="Case <b>title</b> & <br/> more",
        extra={
            "summary": "Summary with <font color='red'>markup</font> & more.",
            "requests": ["Request <b>one</b> & two"],
            "legal_characterisation": "Text with <br/> and &amp;.",
        },
    )


# -- a large case ----------------------------------------------------------------------------

_DISTRICTS = ("northern", "eastern", "southern", "western", "central", "river", "harbour")


def report_text(report: int, sentences: int) -> str:
    """A generated report of numbered sentences (the team's own wording)."""
    lines = [f"Report {report} of the generated test series."]
    for i in range(sentences):
        district = _DISTRICTS[(report + i) % len(_DISTRICTS)]
        lines.append(
            f"In report {report}, witness {i} stated that {3 + i % 17} shells struck "
            f"the {district} district on the morning of {1 + i % 28} March."
        )
        if i % 5 == 4:
            lines.append("")
    return "\n".join(lines) + "\n"


def big_case(root: Path, *, sources: int = 20, per_source: int = 50) -> Case:
    """``sources`` generated reports with ``per_source`` claims each (1,000 by default)."""
    items = []
    for s in range(1, sources + 1):
        claims = []
        for i in range(per_source):
            district = _DISTRICTS[(s + i) % len(_DISTRICTS)]
            status = (
                "verified"
                if i % 10 == 0
                else "corroborated"
                if i % 7 == 0
                else "contested"
                if i % 13 == 0
                else "reported"
            )
            claims.append(
                {
                    "key": f"r{s}-w{i}",
                    "statement": f"Witness {i} of report {s} says that {3 + i % 17} shells struck "
                    f"the {district} district.",
                    "quote": f"In report {s}, witness {i} stated that {3 + i % 17} shells struck "
                    f"the {district} district on the morning of {1 + i % 28} March.",
                    "attributed_to": [
                        {"name": f"Witness {i}", "role": "resident"},
                        {"name": f"Outlet {s}", "channel": "online article"},
                    ],
                    "category": "attack",
                    "facts": {"shells": {"value": 3 + i % 17, "qualifier": "exact"}},
                    "date": f"2024-03-{1 + i % 28:02d}",
                    "places": [f"{district} district"],
                    "status": status,
                }
            )
        items.append(
            Source(
                f"report-{s:03d}.txt",
                report_text(s, per_source),
                {
                    "title": f"Generated report {s}",
                    "publisher": f"Outlet {s}",
                    "published": "2024-03-30",
                    "language": "en",
                },
                claims,
            )
        )
    return build_case(root, items, case_id="TEST-BIG", title="A thousand claims")
