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

from dataclasses import dataclass, field
from typing import Any, cast

import yaml

from evidence.errors import YamlError

__all__ = ["YamlDocument", "dump_yaml", "load_yaml"]

_MAX_BYTES = 16 * 1024 * 1024


class _Loader(yaml.SafeLoader):
    """SafeLoader without timestamps and without aliases."""


# Keep dates as the strings the author wrote.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document and the line of each node, by JSON pointer."""

    data: Any
    path: str
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, pointer: str) -> int | None:
        """The line of the node at ``pointer``, or of its nearest parent that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def _construct(node: yaml.Node, pointer: str, lines: dict[str, int], path: str) -> Any:
    lines[pointer] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("merge keys (<<) are not allowed", path=path,
                                line=key_node.start_mark.line + 1)
            key = _SCALARS.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            if key in out:
                raise YamlError(f"duplicate key {key!r}", path=path,
                                line=key_node.start_mark.line + 1)
            out[key] = _construct(value_node, f"{pointer}/{_escape(key)}", lines, path)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, f"{pointer}/{index}", lines, path)
            for index, item in enumerate(node.value)
        ]
    return _SCALARS.construct_object(node, deep=True)


# Builds scalar values (with the safe loader's rules) from nodes composed above.
_SCALARS = yaml.constructor.SafeConstructor()


def load_yaml(data: bytes, *, path: str) -> YamlDocument:
    """Parse one YAML document safely.

    Raises:
        YamlError: syntax error (with its line), an alias or anchor, a duplicate key,
            an empty document, or a file that is not UTF-8.
    """
    if len(data) > _MAX_BYTES:
        raise YamlError(f"file is larger than {_MAX_BYTES} bytes", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlError(f"not valid UTF-8 at byte {exc.start}", path=path) from exc
    loader = _Loader(text)
    try:
        if loader.check_event(yaml.StreamStartEvent):
            loader.get_event()
        if loader.check_event(yaml.StreamEndEvent):
            raise YamlError("file is empty, expected a YAML mapping", path=path)
        node = _compose_document(loader, path)
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.peek_event()
            raise YamlError("more than one YAML document in the file", path=path,
                            line=event.start_mark.line + 1)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise YamlError(f"YAML syntax error: {problem}", path=path, line=line) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}", path=path) from exc
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    try:
        value = _construct(node, "", lines, path)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise YamlError(f"cannot read value: {exc.problem}", path=path,
                        line=mark.line + 1 if mark else None) from exc
    finally:
        _SCALARS.constructed_objects.clear()
    return YamlDocument(value, path, lines)


def _compose_document(loader: _Loader, path: str) -> yaml.Node:
    """Compose one document, refusing anchors and aliases before anything expands."""
    loader.get_event()  # DocumentStartEvent
    node = _compose_node(loader, path)
    loader.get_event()  # DocumentEndEvent
    return node


def _compose_node(loader: _Loader, path: str) -> yaml.Node:
    event = loader.peek_event()
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
        raise YamlError(
            "YAML anchors and aliases (& and *) are not allowed in evidence files",
            path=path,
            line=event.start_mark.line + 1,
            hint="Write the value out in full; aliases can hide content and expand without bound.",
        )
    if isinstance(event, yaml.ScalarEvent):
        loader.get_event()
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        start, end_mark = cast(yaml.Mark, event.start_mark), cast(yaml.Mark, event.end_mark)
        return yaml.ScalarNode(tag, event.value, start, end_mark,
                               style=event.style)
    if isinstance(event, yaml.SequenceStartEvent):
        loader.get_event()
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.SequenceNode, None, event.implicit)
        items: list[yaml.Node] = []
        while not loader.check_event(yaml.SequenceEndEvent):
            items.append(_compose_node(loader, path))
        end = loader.get_event()
        marks = cast(yaml.Mark, event.start_mark), cast(yaml.Mark, end.end_mark)
        return yaml.SequenceNode(tag, items, *marks,
                                 flow_style=event.flow_style)
    if isinstance(event, yaml.MappingStartEvent):
        loader.get_event()
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.MappingNode, None, event.implicit)
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        while not loader.check_event(yaml.MappingEndEvent):
            key = _compose_node(loader, path)
            pairs.append((key, _compose_node(loader, path)))
        end = loader.get_event()
        marks = cast(yaml.Mark, event.start_mark), cast(yaml.Mark, end.end_mark)
        return yaml.MappingNode(tag, pairs, *marks,
                                flow_style=event.flow_style)
    raise YamlError(f"unexpected YAML event {type(event).__name__}", path=path,
                    line=event.start_mark.line + 1)


def dump_yaml(data: Any) -> str:
    """Serialise data as block-style YAML, keys in the order given, Unicode kept."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)
