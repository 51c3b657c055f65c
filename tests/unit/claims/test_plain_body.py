"""A claim body built directly (_plain_body) is the model's, or is left to the model.

The compile step builds the body of a claim of the usual shape as a dict, without the
model's from_dict/to_dict round trip; anything else goes through the model, which builds
or refuses it. These tests hold the two paths together: for any claim data, the direct
path either declines or gives exactly the dict (and canonical bytes) the model gives, and
it declines wherever the model would refuse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.canonical import canonical_bytes, plain_canonical_bytes
from evidence.case import Case
from evidence.claims.anchor import find_quote
from evidence.claims.compile import (
    ClaimSpec,
    CompiledClaim,
    SourceView,
    _body,
    _compile_specs,
    _plain_body,
    _Sources,
    load_claim_specs,
)
from evidence.errors import EvidenceError
from evidence.model import Quote
from evidence.report import Report

_TEXTS = st.text(alphabet=st.sampled_from("ab é\n\t\u202e"), max_size=6)
_ANY = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | _TEXTS
_NUMBER = st.integers(0, 100) | (
    st.integers(2**53 - 2, 2**54) | st.floats(0, 1e6, allow_nan=False) | st.booleans()
)
_TEXT_OR_ANY = _TEXTS | st.none() | _ANY
# Claims of the shapes the claims-file schema lets through, with every value the model
# may still refuse (a range without max, a date that is not a calendar date, an as_of
# time that is not one), and, now and then, a field of another type.
_LINK = st.builds(
    lambda base, extra: {**base, **extra},
    st.fixed_dictionaries({"name": _TEXTS}, optional={"role": _TEXTS, "channel": _TEXTS}),
    st.just({})
    | st.dictionaries(
        st.sampled_from(["name", "role", "channel", "other"]), _TEXT_OR_ANY, max_size=1
    )
    | st.fixed_dictionaries(
        {"with": st.lists(st.fixed_dictionaries({"name": _TEXTS}), max_size=2)}
    ),
)
_FACT = st.builds(
    lambda base, extra: {**base, **extra},
    st.fixed_dictionaries(
        {"value": _NUMBER, "qualifier": st.sampled_from(["exact", "approx", "range"])},
        optional={"unit": _TEXTS, "text": _TEXTS},
    ),
    st.one_of(st.just({}), st.just({}), st.just({}))
    | st.dictionaries(
        st.sampled_from(["max", "as_of", "unit", "qualifier", "other"]),
        _NUMBER
        | _TEXT_OR_ANY
        | st.sampled_from(["2024-07-08T10:15", "2024-13-45T10:15", "2024-07-08"]),
        max_size=1,
    ),
)
# Member names beyond the BMP and above U+E000 sort apart in UTF-16 and code point order.
_FACT_NAMES = st.sampled_from(["killed", "injured", "a_b"]) | st.sampled_from(
    ["\U0001d400x", "\uffe0x", "é"]
)
_DATES = st.sampled_from(
    ["2024-07-08", "2024-02-30", "2024-07-08/2024-07-09", "2024-07-08/2024-02-31", "8 July"]
)
_CLAIMS = st.fixed_dictionaries(
    {"statement": _TEXTS},
    optional={
        "attributed_to": st.lists(_LINK, max_size=3) | st.lists(_ANY, max_size=1),
        "facts": st.dictionaries(_FACT_NAMES, _FACT, max_size=2)
        | st.dictionaries(_FACT_NAMES, _ANY, max_size=1),
        "date": _DATES,
        "places": st.lists(_TEXTS, max_size=3) | st.lists(_ANY, max_size=2),
        "category": st.sampled_from(["casualties", "other"]),
        "status": st.sampled_from(["reported", "verified"]),
        "note": _TEXTS | st.none(),
    },
)
# The same, with every field of the type the schema asks for (most take the direct path).
_SMALL = st.integers(0, 100)
_SCHEMA_FACT = st.builds(
    lambda base, extra: {**base, **extra},
    st.fixed_dictionaries(
        {
            "value": st.one_of(_SMALL, _SMALL, st.integers(2**53 - 2, 2**54), st.floats(0, 1e3)),
            "qualifier": st.sampled_from(["exact", "approx", "range"]),
        },
        optional={"unit": _TEXTS, "text": _TEXTS},
    ),
    st.one_of(
        st.just({}),
        st.fixed_dictionaries({"max": _SMALL}),
        st.fixed_dictionaries({"as_of": st.sampled_from(["2024-07-08T10:15", "2024-13-45T10:15"])}),
    ),
)
_ASCII_NAMES = st.sampled_from(["killed", "injured", "a_b"])
_SCHEMA_CLAIMS = st.fixed_dictionaries(
    {"statement": _TEXTS},
    optional={
        "attributed_to": st.lists(
            st.fixed_dictionaries(
                {"name": _TEXTS},
                optional={
                    "role": _TEXTS,
                    "channel": _TEXTS,
                    "with": st.lists(st.fixed_dictionaries({"name": _TEXTS}), max_size=1),
                },
            ),
            max_size=2,
        ),
        "facts": st.dictionaries(
            st.one_of(_ASCII_NAMES, _ASCII_NAMES, _FACT_NAMES), _SCHEMA_FACT, max_size=2
        ),
        "date": _DATES,
        "places": st.lists(_TEXTS, max_size=2),
        "note": _TEXTS,
    },
)
_FIELDS = ["statement", "attributed_to", "facts", "date", "places", "category", "status", "note"]
_BREAKAGE: st.SearchStrategy[dict[str, Any]] = st.just({}) | st.dictionaries(
    st.sampled_from(_FIELDS), _ANY | st.lists(_ANY, max_size=2), max_size=1
)


@pytest.fixture(scope="module")
def view(_demo_template: Path) -> SourceView:
    case = Case.open(_demo_template)
    found = _Sources(case, case.state()).get("SRC-0001")
    assert found is not None
    assert found.text is not None
    return found


def _by_model(spec: ClaimSpec, view: SourceView, quote: Quote | None) -> tuple[Any, ...]:
    try:
        body = _body(spec, view, quote).to_dict()
    except EvidenceError as exc:
        return ("refused", exc.message)
    except Exception as exc:  # what the model does, whatever it is
        return ("raised", type(exc))
    return ("built", body)


def _same_or_declined(spec: ClaimSpec, view: SourceView, quote: Quote | None) -> bool:
    """Whether the direct path declined ``spec`` or gave the model's dict and bytes."""
    direct = _plain_body(spec, view, quote)
    if direct is None:
        return False  # the model builds or refuses it, as before
    assert _by_model(spec, view, quote) == ("built", direct)
    assert plain_canonical_bytes(direct) == canonical_bytes(direct)
    return True


@settings(max_examples=300)
@given(data=_SCHEMA_CLAIMS, quoted=st.booleans())
def test_the_direct_body_is_the_models_for_schema_valid_claims(
    view: SourceView, data: dict[str, Any], quoted: bool
) -> None:
    assert view.text is not None
    quote = find_quote(view.text, "the four dozen Kalibrs and daggers") if quoted else None
    _same_or_declined(ClaimSpec("a-claim", "SRC-0001", data, "x.yaml", "/claims/0", 3), view, quote)


@settings(max_examples=300)
@given(data=_CLAIMS, broken=_BREAKAGE, key=st.sampled_from(["a-claim"]) | st.integers(0, 2))
def test_the_direct_body_is_the_models_or_declines_for_any_data(
    view: SourceView, data: dict[str, Any], broken: dict[str, Any], key: Any
) -> None:
    spec = ClaimSpec(key, "SRC-0001", {**data, **broken}, "claims/x.yaml", "/claims/0", 3)
    _same_or_declined(spec, view, None)


USUAL = {
    "statement": "  Two   people\n were injured. ",
    "attributed_to": [{"name": "Official", "role": "spokesperson"}, {"name": "Outlet"}],
    "facts": {"injured": {"value": 2, "qualifier": "exact", "text": "two"}},
    "date": "2024-07-08",
    "places": ["Kyiv"],
    "category": "casualties",
}


@pytest.mark.parametrize(
    ("change", "direct"),
    [
        pytest.param({}, True, id="usual"),
        pytest.param({"note": None, "status": "verified"}, True, id="note-null"),
        pytest.param({"date": "2024-02-30"}, False, id="no-such-date"),
        pytest.param(
            {"facts": {"k": {"value": 10, "max": 5, "qualifier": "range"}}}, False, id="range"
        ),
        pytest.param({"facts": {"k": {"value": 10, "qualifier": "range"}}}, False, id="no-max"),
        pytest.param({"facts": {"k": {"value": 1.5, "qualifier": "exact"}}}, False, id="fraction"),
        pytest.param(
            {"facts": {"k": {"value": 1, "qualifier": "exact", "as_of": "2024-07-08T10:15"}}},
            False,
            id="as-of",
        ),
        pytest.param(
            {"facts": {"k": {"value": 1, "qualifier": "exact", "x": 1}}}, False, id="extra"
        ),
        pytest.param(
            {"facts": {"\uffe0": {"value": 1, "qualifier": "exact"}}}, False, id="non-ascii"
        ),
        pytest.param({"attributed_to": [{"name": "A", "role": 1}]}, False, id="role-number"),
        pytest.param({"attributed_to": [{"name": "A", "channel": 1}]}, False, id="channel-number"),
        pytest.param({"attributed_to": [{"name": "A", "x": "y"}]}, False, id="link-extra"),
        pytest.param({"attributed_to": None}, False, id="links-null"),
        pytest.param({"places": ["A", 1]}, False, id="place-number"),
        pytest.param({"facts": {"k": {"value": 1, "qualifier": 1}}}, False, id="qualifier-number"),
        pytest.param(
            {"facts": {"k": {"value": 1, "qualifier": "exact", "unit": 2}}}, False, id="unit-number"
        ),
        pytest.param({"date": "2024-07-08/2024-02-30"}, False, id="no-such-end-date"),
        pytest.param({"facts": {"k": {"value": 2**53, "qualifier": "exact"}}}, False, id="big"),
        pytest.param({"facts": {"k": {"value": True, "qualifier": "exact"}}}, False, id="bool"),
        pytest.param(
            {"attributed_to": [{"name": "A", "with": [{"name": "B"}]}]}, False, id="co-speaker"
        ),
    ],
)
def test_which_claims_take_the_direct_path(
    view: SourceView, change: dict[str, Any], direct: bool
) -> None:
    spec = ClaimSpec("a-claim", "SRC-0001", {**USUAL, **change}, "claims/x.yaml", "/claims/0", 3)
    built = _plain_body(spec, view, None)
    assert (built is not None) == direct
    if built is not None:
        assert built == _body(spec, view, None).to_dict()


def test_the_example_claims_compile_to_the_models_bytes(sealed_case: Path) -> None:
    """Every claim of the example case: the same bytes as through the model, and most
    of them by the direct path."""
    case = Case.open(sealed_case)
    state = case.state()
    specs = [s for s in load_claim_specs(case, Report()) if not s.proposed]
    sources = _Sources(case, state)
    compiled = [CompiledClaim(*row) for row in _compile_specs(sources, specs, Report())]
    assert len(compiled) == len(specs)
    direct = 0
    for spec, claim in zip(specs, compiled, strict=True):
        view = sources.get(str(spec.source))
        assert view is not None
        quote_text = spec.data.get("quote")
        assert view.text is not None
        quote = None if quote_text is None else find_quote(view.text, quote_text)
        assert claim.body_bytes == canonical_bytes(_body(spec, view, quote).to_dict())
        direct += _plain_body(spec, view, quote) is not None
    assert direct >= len(specs) * 3 // 4, (direct, len(specs))
