"""Safe YAML for what people write: aliases, duplicate keys, tags, syntax errors with lines."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence._yaml import dump_yaml, load_yaml
from evidence.errors import YamlError

CORE = Path(__file__).parents[1] / "data" / "core"


def test_lines_are_kept_by_json_pointer() -> None:
    doc = load_yaml(
        b"source: SRC-0001\nclaims:\n  - key: a\n    statement: x\n  - key: b/c~d\n"
        b"    places:\n      - Kyiv\n",
        path="claims/a.yaml",
    )
    assert doc.data["claims"][1]["key"] == "b/c~d"
    assert doc.line_of("") == 1
    assert doc.line_of("/source") == 1
    assert doc.line_of("/claims/0") == 3
    assert doc.line_of("/claims/0/statement") == 4
    assert doc.line_of("/claims/1/places/0") == 7
    # A pointer to something missing names its nearest parent's line.
    assert doc.line_of("/claims/1/quote") == 5
    assert doc.line_of("/claims/7/quote") == 3  # the list of claims starts on line 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"date: 2024-07-08\n", "2024-07-08"),
        (b"date: 2024-07-08T10:15:00Z\n", "2024-07-08T10:15:00Z"),
        (b"date: '2024-07-08'\n", "2024-07-08"),
        (b"date: 1\n", 1),
        (b"date: yes\n", True),
        (b"date: null\n", None),
        (b"date: 2.5\n", 2.5),
        (b'date: "\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2"\n', "Київ"),
    ],
    ids=["date", "timestamp", "quoted-date", "int", "bool", "null", "float", "ukrainian"],
)
def test_scalars(text: bytes, expected: object) -> None:
    assert load_yaml(text, path="x.yaml").data == {"date": expected}


def test_byte_order_mark_is_accepted() -> None:
    assert load_yaml(b"\xef\xbb\xbfa: 1\n", path="x.yaml").data == {"a": 1}


def test_non_string_keys_become_strings() -> None:
    assert load_yaml(b"1: a\ntrue: b\n", path="x.yaml").data == {"1": "a", "true": "b"}


BAD = [
    ("claims_duplicate_keys.yaml", "duplicate key 'statement'", 7),
    ("claims_syntax_error.yaml", "YAML syntax error", 6),
    ("claims_two_documents.yaml", "YAML syntax error", 3),
    ("claims_empty.yaml", "file is empty", None),
    ("claims_only_comment.yaml", "file is empty", None),
    ("claims_python_tag.yaml", "python/object/apply", 4),
    ("claims_alias_bomb.yaml", "anchors and aliases", 6),  # the line of the anchor
]


@pytest.mark.parametrize(("name", "message", "line"), BAD, ids=[b[0][7:-5] for b in BAD])
def test_bad_claims_files(name: str, message: str, line: int | None) -> None:
    shown = f"claims/{name}"
    with pytest.raises(YamlError, match=message) as info:
        load_yaml((CORE / name).read_bytes(), path=shown)
    assert info.value.path == shown
    assert info.value.line == line
    assert str(info.value).startswith(shown)


def test_alias_bomb_is_refused_at_once() -> None:
    data = (CORE / "claims_alias_bomb.yaml").read_bytes()
    started = time.perf_counter()
    with pytest.raises(YamlError, match="aliases"):
        load_yaml(data, path="bomb.yaml")
    # Not a timed assertion of speed: an expanding loader would take hours, not 5 s.
    assert time.perf_counter() - started < 5


def test_a_single_alias_is_refused_too() -> None:
    with pytest.raises(YamlError, match="aliases") as info:
        load_yaml(b"a: &x [1, 2]\nb: *x\n", path="x.yaml")
    assert info.value.line in (1, 2)  # the anchor's line or the alias's


def test_merge_keys_are_refused() -> None:
    with pytest.raises(YamlError, match=r"merge keys|aliases"):
        load_yaml(b"base: &b {a: 1}\nother:\n  <<: *b\n", path="x.yaml")


def test_invalid_utf8_names_the_byte() -> None:
    data = (CORE / "claims_invalid_utf8.yaml").read_bytes()
    first_bad = data.index(bytes([0xCF]))
    with pytest.raises(YamlError, match=f"not valid UTF-8 at byte {first_bad}"):
        load_yaml(data, path="claims/k.yaml")


def test_nesting_bomb_is_refused() -> None:
    depth = 100_000
    data = b"a: " + b"[" * depth + b"]" * depth + b"\n"
    with pytest.raises(YamlError):
        load_yaml(data, path="deep.yaml")


def test_oversized_file_is_refused_before_parsing() -> None:
    data = b"a: '" + b"x" * (16 * 1024 * 1024) + b"'\n"
    with pytest.raises(YamlError, match="larger than"):
        load_yaml(data, path="big.yaml")


@pytest.mark.parametrize(
    "text",
    [
        b"a: !!python/object/new:os.system ['echo pwned']\n",
        b"a: !!python/object:collections.OrderedDict {x: 1}\n",
        b"a: !!python/name:os.system\n",
        b"a: !!python/tuple [1, 2]\n",
        b"!!python/object:os.x {a: 1}\n",
        b"a: !custom {x: 1}\n",
        b"a: !custom 1\n",
    ],
    ids=[
        "new-sequence",
        "object-mapping",
        "name-scalar",
        "tuple",
        "object-root",
        "local-tag-mapping",
        "local-tag-scalar",
    ],
)
def test_python_and_unknown_tags_are_refused(text: bytes) -> None:
    # claims_python_tag.yaml has the classic one (object/apply on a sequence).
    # Whatever node they sit on, such tags mean something this file format does not have:
    # accepting them silently (as a plain list or mapping) hides what the author wrote.
    with pytest.raises(YamlError) as info:
        load_yaml(text, path="x.yaml")
    assert info.value.line == 1


@pytest.mark.parametrize(
    "text",
    [
        b"a: [1\n",
        b"a: \x00\n",
        b"a:\n\t- 1\n",
        b"- a\nb: 1\n",
        b"a: 'unterminated\n",
        b"? [1]\n: 2\n",
        b"{a: 1}}\n",
    ],
    ids=[
        "unclosed",
        "nul-byte",
        "tab-indent",
        "mixed-root",
        "unterminated-string",
        "complex-key",
        "stray-brace",
    ],
)
def test_every_error_is_one_line_with_its_line(text: bytes) -> None:
    with pytest.raises(YamlError) as info:
        load_yaml(text, path="x.yaml")
    assert "\n" not in str(info.value)
    assert info.value.line is not None


def test_dump_then_load_round_trips() -> None:
    data = {
        "id": "UKR-OKH-2024",
        "title": "Удар по «Охматдиту»",
        "requests": ["a", "b"],
        "submitter": {"name": "Olena", "email": "o@example.org"},
        "created": "2024-07-08",
    }
    assert load_yaml(dump_yaml(data).encode(), path="case.yaml").data == data
    assert list(load_yaml(dump_yaml(data).encode(), path="case.yaml").data) == list(data)


@given(st.text(alphabet=st.sampled_from("0123456789.+-_eE:xoXOabnNyYtTfF~ "), max_size=12))
def test_resolver_gives_the_stock_tags(value: str) -> None:
    """The loader's own resolve() tags every plain scalar as PyYAML's safe resolver
    (without timestamps) does, the first time and from its memo."""
    import yaml

    from evidence import _yaml

    class Stock(yaml.resolver.BaseResolver):
        yaml_implicit_resolvers = _yaml._RESOLVERS

    loader = _yaml._Loader("")
    try:
        for implicit in ((True, False), (False, True)):
            expected = Stock().resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
            assert loader.resolve(yaml.ScalarNode, value, implicit) == expected
            # Again: a short plain scalar's tag now comes from the loader's memo.
            assert loader.resolve(yaml.ScalarNode, value, implicit) == expected
    finally:
        loader.dispose()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(b'a: "one\\u202etwo"\n', 1, id="bidi-escape-in-value"),
        pytest.param(b'a:\n  - "x\\ey"\n', 2, id="escape-char-escape-in-list"),
        pytest.param(b"a: b\nc: 'x\x1by'\n", 2, id="raw-escape-character"),
        pytest.param(b"? |\n  two\n  lines\n: v\n", 1, id="line-feed-in-a-key"),
        pytest.param(b'? "two\n\n  lines"\n: v\n', 1, id="folded-line-feed-in-a-key"),
        pytest.param(b'a: b\n"x\ty": v\n', 2, id="tab-in-a-key"),
    ],
)
def test_hidden_characters_refused_with_or_without_escapes(text: bytes, line: int) -> None:
    with pytest.raises(YamlError, match="is not allowed") as caught:
        load_yaml(text, path="x.yaml")
    assert caught.value.line == line


def test_tabs_and_line_feeds_in_values_are_kept() -> None:
    doc = load_yaml(b'a: "x\\ty"\nb: |\n  one\n  two\n', path="x.yaml")
    assert doc.data == {"a": "x\ty", "b": "one\ntwo\n"}


# -- the fast construction gives what PyYAML's safe constructor gives ----------------------

_PLAIN_WORDS = st.sampled_from(
    [
        "yes",
        "No",
        "on",
        "OFF",
        "~",
        "null",
        "0x1F",
        "0o17",
        "017",
        "1_000",
        "-12",
        "+3",
        "1:20",
        "190:20:30",
        ".inf",
        "-.Inf",
        ".nan",
        "1e3",
        "6.8523015e+5",
        "2024-07-08",
        "2001-12-14t21:59:43.10-05:00",
        "true",
        "False",
        "é",
        "a b",
        "3 * 4",
        "<<x",
    ]
)
_SCALAR_TEXT = _PLAIN_WORDS | st.text(
    alphabet=st.sampled_from("0123456789.+-_eE:xoXOabnNyYtTfF~ é"), max_size=10
)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | _SCALAR_TEXT,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_SCALAR_TEXT.filter(lambda k: k.strip() == k and k), inner, max_size=4)
    ),
    max_leaves=12,
)


def _reference(text: str) -> object:
    """PyYAML's safe constructor (pure Python, timestamps left as strings): the values the
    loader's own construction must give."""
    import yaml

    from evidence import _yaml

    class Reference(yaml.SafeLoader):
        yaml_implicit_resolvers = _yaml._RESOLVERS

    return yaml.load(text, Loader=Reference)  # a safe loader (SafeLoader)


@given(_VALUES, st.sampled_from(["block", "flow", "plain-strings"]))
def test_construction_gives_the_safe_constructors_values(value: object, style: str) -> None:
    import yaml

    doc = {"v": value}
    if style == "plain-strings":
        # Strings written as plain scalars, so that each is resolved (int, bool, null …).
        text = yaml.safe_dump(doc, default_flow_style=None, allow_unicode=True).replace("'", "")
        try:
            expected = _reference(text)
            yaml.load(text, Loader=yaml.CSafeLoader)  # libyaml's own parser too
        except yaml.YAMLError:
            # Not a document once unquoted, or one only PyYAML's pure-Python parser
            # takes (a flow item such as `[E:]`): nothing to compare.
            return
    else:
        text = yaml.safe_dump(doc, default_flow_style=style == "flow", allow_unicode=True)
        expected = _reference(text)
    if isinstance(expected, dict) and _keys_are_strings(expected):
        assert _typed(load_yaml(text.encode(), path="x.yaml").data) == _typed(expected)


def _typed(value: object) -> object:
    """``value`` with each scalar's type beside it (1 == 1.0 == True in Python)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _keys_are_strings(value: object) -> bool:
    if isinstance(value, dict):
        return all(type(k) is str and _keys_are_strings(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_keys_are_strings(v) for v in value)
    return not isinstance(value, float) or value == value  # NaN never equals itself


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(b"a: &x 1\nb: *x\n", 1, id="alias-of-a-scalar"),
        pytest.param(b"a: [1, 2]\nb: 'a * b'\nc: &k {d: 1}\ne: *k\n", 3, id="star-in-a-value"),
    ],
)
def test_aliases_are_refused_where_the_text_has_a_star(text: bytes, line: int) -> None:
    # The line is the anchored node's (libyaml shares it), as before.
    with pytest.raises(YamlError, match="aliases") as caught:
        load_yaml(text, path="x.yaml")
    assert caught.value.line == line


def test_a_hidden_character_is_named_with_its_pointer() -> None:
    with pytest.raises(YamlError, match=r"/claims/1/places/0: character 2 is U\+202E") as caught:
        load_yaml(b'claims:\n  - {a: 1}\n  - places: ["x\\u202ey"]\n', path="x.yaml")
    assert caught.value.line == 3
    with pytest.raises(YamlError, match=r"/claims/0/ \(a key\)") as caught:
        load_yaml(b'claims:\n  - "k\\u202e": 1\n', path="x.yaml")
    assert caught.value.line == 2


@pytest.mark.parametrize(
    "text",
    [b"a: 0x_\n", b"a: 0b_\n", b"a:\n  b: !!bool maybe\n", b"a:\n  b: !!int abc\n"],
)
def test_a_value_its_tag_cannot_hold_is_a_clear_error(text: bytes) -> None:
    with pytest.raises(
        YamlError, match=r"cannot read value: .* is not a valid (int|bool)"
    ) as caught:
        load_yaml(text, path="x.yaml")
    assert caught.value.line == text.count(b"\n")


def test_item_lines_are_what_line_of_gives_for_each_item() -> None:
    doc = load_yaml(
        b"source: SRC-0001\nclaims:\n  - key: a\n    statement: x\n\n  - {key: b}\n"
        b"  -\n    key: c\n  - [d]\n",
        path="x.yaml",
    )
    count = len(doc.data["claims"])
    assert doc.item_lines("/claims") == [doc.line_of(f"/claims/{n}") for n in range(count)]
    assert doc.item_lines("/claims") == [3, 6, 8, 9]
    assert doc.item_lines("/source") == []  # not a list
    assert doc.item_lines("/missing") == []  # line_of names a parent; item_lines nothing


@given(
    st.text(
        alphabet=st.sampled_from("ab\t\n\r\x00\x1b\x7f\x85\x9f\xa0\u202a\u202e\u2066\u2069\u2070"),
        max_size=8,
    )
)
def test_the_text_wide_hidden_check_is_find_hidden_without_tab_and_line_feed(text: str) -> None:
    from evidence import _yaml
    from evidence._text import find_hidden

    found = _yaml._HIDDEN_IN_VALUES.search(text) is not None
    assert found == (find_hidden(text, allow="\t\n") is not None)


def test_the_composer_hooks_for_path_resolvers_do_nothing() -> None:
    """The safe loader has no path resolvers: descending and ascending track nothing."""
    import yaml

    from evidence import _yaml

    assert not yaml.SafeLoader.yaml_path_resolvers
    assert not getattr(_yaml._Loader, "yaml_path_resolvers", {})
