"""Safe YAML for files people write: case.yaml and claims/*.yaml.

PyYAML's safe loader, tightened for evidence work:

- aliases and anchors are refused, so an "alias bomb" (a billion laughs) cannot expand;
- duplicate mapping keys are an error (PyYAML keeps the last one silently);
- dates and times stay strings (``2024-07-08`` is the text the analyst wrote; the
  schemas check its shape), so nothing depends on the loader's time zone handling;
- every node's line is kept, keyed by JSON pointer, so that a schema error names the
  line of the file it concerns.

Example:
    >>> doc = load_yaml(b"a:\\n  - 1\\n", path="x.yaml")
    >>> doc.data, doc.line_of("/a/0")
    ({'a': [1]}, 2)
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from evidence._text import HIDDEN, check_field
from evidence.errors import YamlError

__all__ = ["YamlDocument", "dump_yaml", "load_yaml"]

_MAX_BYTES = 16 * 1024 * 1024


# libyaml's parser (the C one) when PyYAML was built with it: ten times faster on large
# claims files. Composition and construction below are ours either way.
_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_SCALAR_NODE = yaml.ScalarNode
_SEQUENCE_NODE = yaml.SequenceNode
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

# Keep dates as the strings the author wrote.
_RESOLVERS: dict[str | None, list[tuple[str, Any]]] = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_WILDCARD = tuple(_RESOLVERS.get(None, ()))
_BY_FIRST: dict[str, tuple[tuple[str, Any], ...]] = {
    first: (*resolvers, *_WILDCARD) for first, resolvers in _RESOLVERS.items() if first is not None
}


class _Loader(_BASE):  # type: ignore[valid-type, misc]
    """The safe loader without timestamps (composition below refuses aliases)."""

    yaml_implicit_resolvers = _RESOLVERS

    # The composer calls these two for every node, to follow path resolvers, of which
    # the safe loader has none: C built-ins that do nothing (two Python calls a node less).
    descend_resolver = slice  # called as (parent, index)
    ascend_resolver = tuple  # called as ()

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        """PyYAML's resolver (BaseResolver.resolve) without its per-call list building:
        the same tags for the same scalars, a third of the time on large claims files.
        The safe loader has no path resolvers, which the stock method would consult."""
        if kind is _SCALAR_NODE:
            if implicit[0] and (value[:1] in _BY_FIRST or _WILDCARD):
                tag = _KNOWN_TAGS.get(value)
                if tag is None:
                    tag = _implicit_tag(value)
                    if len(value) <= 32 and len(_KNOWN_TAGS) < 4096:
                        _KNOWN_TAGS[value] = tag
                return tag
            return _STR
        return _SEQ if kind is _SEQUENCE_NODE else _MAP


def _implicit_tag(value: str) -> str:
    """The tag of a plain scalar, as the safe resolver (without timestamps) gives it."""
    for tag, regexp in _BY_FIRST.get(value[:1], _WILDCARD):
        if regexp.match(value):
            return str(tag)
    return _STR


# The tags of short plain scalars met before (keys, numbers, words such as "yes"): the
# same few recur in every claim of a large file, and a lookup costs less than the
# regular expressions. Bounded; a tag depends on nothing but the text.
_KNOWN_TAGS: dict[str, str] = {}


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document, and its node graph to name the line of any JSON pointer.

    Lines are looked up only when something needs one (an error, a claim's position), by
    walking the nodes, so reading a large claims file builds no table of lines.
    """

    data: Any
    path: str
    root: yaml.Node | None = field(default=None, repr=False, compare=False)

    def line_of(self, pointer: str) -> int | None:
        """The line of the node at ``pointer``, or of its nearest parent that has one."""
        node = self._node_at(pointer)
        return None if node is None else int(node.start_mark.line) + 1

    def item_lines(self, pointer: str) -> list[int]:
        """The line of each item of the list at ``pointer``, as :meth:`line_of` gives it
        for ``pointer/0``, ``pointer/1`` … (empty when there is no list there): one walk
        for the claims of a large file instead of one per claim."""
        node = self._node_at(pointer, exact=True)
        if not isinstance(node, yaml.SequenceNode):
            return []
        return [int(item.start_mark.line) + 1 for item in node.value]

    def _node_at(self, pointer: str, *, exact: bool = False) -> yaml.Node | None:
        """The node at ``pointer``, else its nearest parent (None with ``exact``)."""
        node = self.root
        if node is None:
            return None
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
        for token in tokens:
            child = None
            if isinstance(node, yaml.MappingNode):
                child = next(
                    (
                        v
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and _key_text(k) == token
                    ),
                    None,
                )
            elif isinstance(node, yaml.SequenceNode) and token.isdigit():
                index = int(token)
                child = node.value[index] if index < len(node.value) else None
            if child is None:
                return None if exact else node
            node = child
        return node


def _key_text(node: yaml.ScalarNode) -> str:
    """A mapping key as the document's dicts hold it (always a string)."""
    key = _scalar(node)
    if isinstance(key, str):
        return key
    return str(key).lower() if isinstance(key, bool) else str(key)


_PLAIN_COLLECTIONS = frozenset({_MAP, _SEQ})

# What check_field refuses in a value: HIDDEN but tabs and line feeds (find_hidden with
# allow="\t\n", in one search instead of a Python step per line of the file).
_HIDDEN_IN_VALUES = re.compile(f"(?![\t\n]){HIDDEN.pattern}")


def _one_line(text: object) -> str:
    """libyaml's messages span lines ("... in '<unicode string>', position 3"): keep the fact."""
    first = str(text).strip().split("\n", 1)[0]
    return " ".join(first.split())


_Trail = tuple[Any, ...] | None
"""Where a node is, as (parent trail, token): made into a JSON pointer only for a message."""


def _pointer(trail: _Trail) -> str:
    tokens: list[str] = []
    while trail is not None:
        trail, token = trail
        tokens.append(str(token))
    return "".join(f"/{token}" for token in reversed(tokens))


def _construct(
    node: yaml.Node, path: str, seen: set[int] | None, *, check_values: bool, tabs: bool = True
) -> Any:
    """Build plain values from a node graph; an alias (a node reached twice) is refused.

    ``seen`` is None for a text with no ``*``, where libyaml makes no alias.
    ``check_values=False`` skips the per-value check for control and bidi characters, for
    a document whose whole text was found free of them but for tabs and line feeds.
    Keys are always checked (a key may hold neither); in such a document without a tab
    (``tabs=False``), a line feed is the only one a key can hold."""

    def build(node: yaml.Node, trail: _Trail) -> Any:
        if seen is not None:
            if id(node) in seen:
                raise YamlError(
                    "YAML anchors and aliases (& and *) are not allowed in evidence files",
                    path=path,
                    line=node.start_mark.line + 1,
                    hint="Write the value out in full; aliases can hide content and expand "
                    "without bound.",
                )
            seen.add(id(node))
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            value = node.value if tag is _STR or tag == _STR else _scalar(node)
            # None in what people write: the message is made only for a value that has one.
            if check_values and type(value) is str and HIDDEN.search(value):
                check_field(
                    value,
                    field=_pointer(trail) or "/",
                    path=path,
                    line=node.start_mark.line + 1,
                    error=YamlError,
                )
            return value
        if tag is not _MAP and tag is not _SEQ and tag not in _PLAIN_COLLECTIONS:
            raise YamlError(
                f"YAML tag {tag!r} is not allowed; write plain mappings and lists",
                path=path,
                line=node.start_mark.line + 1,
            )
        if isinstance(node, yaml.SequenceNode):
            if plain:
                return [
                    item.value
                    if item.tag is _STR and item.__class__ is _SCALAR_NODE
                    else build(item, (trail, index))
                    for index, item in enumerate(node.value)
                ]
            return [build(item, (trail, index)) for index, item in enumerate(node.value)]
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if (key_tag is _STR or key_tag == _STR) and key_node.__class__ is _SCALAR_NODE:
                key = key_node.value
            else:
                if key_tag == "tag:yaml.org,2002:merge":
                    raise YamlError(
                        "merge keys (<<) are not allowed",
                        path=path,
                        line=key_node.start_mark.line + 1,
                    )
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlError(
                        "a mapping key must be a plain value",
                        path=path,
                        line=key_node.start_mark.line + 1,
                    )
                key = _key_text(key_node)
            if HIDDEN.search(key) if check_keys else "\n" in key:
                check_field(
                    key,
                    field=f"{_pointer(trail)}/ (a key)",
                    path=path,
                    line=key_node.start_mark.line + 1,
                    allow="",
                    error=YamlError,
                )
            if key in out:
                raise YamlError(
                    f"duplicate key {key!r}", path=path, line=key_node.start_mark.line + 1
                )
            if plain and value_node.tag is _STR and value_node.__class__ is _SCALAR_NODE:
                out[key] = value_node.value  # what build() gives such a node, without the call
            else:
                out[key] = build(value_node, (trail, key))
        return out

    # No alias to look for and no value to check: a string scalar is its own value.
    plain = seen is None and not check_values
    check_keys = check_values or tabs
    return build(node, None)


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag == _STR:
        return node.value
    try:
        build = _PLAIN_SCALARS.get(node.tag)
        if build is not None:
            return build(node)
        value = _SCALARS.construct_object(node, deep=True)
    except (KeyError, ValueError) as exc:
        # PyYAML's constructors fail with bare errors on a value their tag cannot hold
        # (`!!bool maybe`, `0x_`, which the int pattern lets through).
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"{node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]}; quote it if it is text",
            node.start_mark,
        ) from exc
    if isinstance(value, (bytes, set, datetime.date)):
        raise yaml.constructor.ConstructorError(
            None, None, f"a {node.tag} value has no JSON form; write it as text", node.start_mark
        )
    return value


# Builds scalar values (with the safe loader's rules) from nodes composed above.
_SCALARS = yaml.constructor.SafeConstructor()

# The safe constructor's own methods for the plain scalars people write, called directly
# (construct_object would look them up and track each node for a scalar that has no
# children): the same values.
_PLAIN_SCALARS: dict[str, Callable[[yaml.ScalarNode], Any]] = {
    "tag:yaml.org,2002:null": _SCALARS.construct_yaml_null,
    "tag:yaml.org,2002:bool": _SCALARS.construct_yaml_bool,
    "tag:yaml.org,2002:int": _SCALARS.construct_yaml_int,
    "tag:yaml.org,2002:float": _SCALARS.construct_yaml_float,
}


def load_yaml(data: bytes, *, path: str) -> YamlDocument:
    """Parse one YAML document safely.

    Raises:
        YamlError: syntax error (with its line), an alias, a duplicate key, an empty
            document, more than one document, or a file that is not UTF-8.
    """
    if len(data) > _MAX_BYTES:
        raise YamlError(f"file is larger than {_MAX_BYTES} bytes", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlError(f"not valid UTF-8 at byte {exc.start}", path=path) from exc
    # Composition (libyaml's, in C, when available) shares an aliased node rather than
    # copying it, so an alias bomb costs nothing here; _construct refuses the alias.
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = _one_line(exc.problem or exc.context or "syntax error")
        raise YamlError(f"YAML syntax error: {problem}", path=path, line=line) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlError(
            f"YAML error: character {exc.character!r} is not allowed (position {exc.position})",
            path=path,
            line=line,
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {_one_line(exc)}", path=path) from exc
    finally:
        loader.dispose()
    if node is None:
        raise YamlError("file is empty, expected a YAML mapping", path=path)
    # A value can hold a character its file does not only through a backslash escape in
    # a double-quoted scalar: a text with neither a refused character (tabs and line feeds
    # are allowed in values) nor a backslash needs no check per value.
    check_values = "\\" in text or _HIDDEN_IN_VALUES.search(text) is not None
    try:
        seen: set[int] | None = set() if "*" in text else None  # an alias is written with a *
        value = _construct(node, path, seen, check_values=check_values, tabs="\t" in text)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise YamlError(
            f"cannot read value: {_one_line(exc.problem)}",
            path=path,
            line=mark.line + 1 if mark else None,
        ) from exc
    finally:
        _SCALARS.constructed_objects.clear()
        _SCALARS.recursive_objects.clear()  # holds the node a constructor failed on
    return YamlDocument(value, path, node)


def dump_yaml(data: Any) -> str:
    """Serialise data as block-style YAML, keys in the order given, Unicode kept."""
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
