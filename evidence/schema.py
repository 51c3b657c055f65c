"""JSON Schema validation (draft 2020-12) of every document kind in a case.

The schemas ship in the package (``schemas/*.schema.json``), each with an ``$id``, and
reference each other through a ``referencing`` registry. Validators are compiled once per
process. Two engines, one set of schemas:

- ``jsonschema`` (the reference implementation) explains every failure: JSON pointer,
  line (for YAML files), and what was expected;
- ``jsonschema-rs`` gates tool-written documents in bulk (a verify of 100,000 records),
  where the reference implementation would cost ten times more; when it says a document
  is invalid, the reference implementation says why. Tests check that both agree.

Example:
    >>> validate("custody-event", {"seq": 0}, path="custody.jsonl")
    Traceback (most recent call last):
    ...
    evidence.errors.SchemaError: custody.jsonl: /seq: expected a number at least 1, found 0
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import jsonschema_rs

from evidence._resources import resource
from evidence._yaml import YamlDocument
from evidence.errors import SchemaError

if TYPE_CHECKING:
    import jsonschema
    import referencing

# The reference implementation (jsonschema, referencing) is imported when a document
# fails and must be explained; a command that only writes valid documents never pays
# for importing it.

__all__ = [
    "SCHEMA_IDS",
    "SchemaIssue",
    "SchemaName",
    "is_valid",
    "issues",
    "schema_document",
    "validate",
]

SchemaName = Literal[
    "defs",
    "case",
    "claims-file",
    "front-matter",
    "source",
    "claim",
    "record",
    "seal",
    "custody-event",
    "template",
    "inclusion-proof",
    "disclosure",
]

SCHEMA_IDS: Final[dict[str, str]] = {}


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One way a document fails its schema."""

    pointer: str
    message: str
    line: int | None = None


@functools.cache
def _documents() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for entry in resource("schemas").iterdir():
        if entry.name.endswith(".schema.json"):
            doc = json.loads(entry.read_bytes())
            docs[entry.name.removesuffix(".schema.json")] = doc
            SCHEMA_IDS[entry.name.removesuffix(".schema.json")] = doc["$id"]
    return docs


def schema_document(name: str) -> dict[str, Any]:
    """The parsed schema ``name`` (as shipped: ``schemas/<name>.schema.json``)."""
    try:
        return _documents()[name]
    except KeyError:
        raise SchemaError(f"no schema named {name!r}") from None


@functools.cache
def _registry() -> referencing.Registry[Any]:
    import referencing
    import referencing.jsonschema

    resources = [
        (doc["$id"], referencing.jsonschema.DRAFT202012.create_resource(doc))
        for doc in _documents().values()
    ]
    return referencing.Registry().with_resources(resources)


@functools.cache
def _reference_validator(name: str) -> jsonschema.protocols.Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(schema_document(name), registry=_registry())


@functools.cache
def _fast_validator(name: str) -> Any:
    registry = jsonschema_rs.Registry([(d["$id"], d) for d in _documents().values()])
    return jsonschema_rs.Draft202012Validator(schema_document(name), registry=registry)


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "a value")


def _describe(error: jsonschema.ValidationError) -> tuple[str, str]:
    """(pointer, message) for one error, worded for the person who wrote the file."""
    pointer = _pointer(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    found: Any = error.instance
    expected: Any = error.validator_value
    match error.validator:
        case "required":
            missing = [k for k in expected if k not in found] or ["?"]
            names = ", ".join(repr(k) for k in missing)
            plural = "s" if len(missing) > 1 else ""
            return f"{pointer}/{missing[0]}", f"missing required field{plural} {names}"
        case "additionalProperties":
            extra = sorted(k for k in found if k not in schema.get("properties", {}))
            allowed = ", ".join(sorted(schema.get("properties", {})))
            return (
                f"{pointer}/{extra[0]}" if extra else pointer,
                f"unknown field {extra[0]!r}; expected one of: {allowed}"
                if extra
                else error.message,
            )
        case "type":
            wanted = " or ".join(expected) if isinstance(expected, list) else expected
            return pointer, f"expected {wanted}, found {_kind(found)} {_shown(found)}"
        case "enum":
            options = ", ".join(str(o) for o in expected)
            return pointer, f"expected one of: {options}; found {_shown(found)}"
        case "const":
            return pointer, f"expected {_shown(error.validator_value)}, found {_shown(found)}"
        case "pattern":
            what = schema.get("description", f"text matching {error.validator_value}")
            return pointer, f"expected {what}, found {_shown(found)}"
        case "minimum":
            return pointer, f"expected a number at least {error.validator_value}, found {found}"
        case "minLength":
            return pointer, "expected a non-empty text"
        case "oneOf" | "anyOf":
            described = [
                e
                for e in (error.context or [])
                if e.validator not in ("type",) or not isinstance(found, type(None))
            ]
            from jsonschema.exceptions import best_match

            best = best_match(described) if described else None
            if best is not None and best.validator not in ("oneOf", "anyOf"):
                return _describe(best)
            what = schema.get("description")
            return pointer, f"expected {what}, found {_shown(found)}" if what else error.message
        case _:
            return pointer, error.message


def issues(
    name: SchemaName, instance: Any, *, doc: YamlDocument | None = None
) -> list[SchemaIssue]:
    """Every way ``instance`` fails schema ``name``, most relevant first."""
    validator = _reference_validator(name)
    out = []
    seen: set[tuple[str, str]] = set()
    from jsonschema.exceptions import relevance

    for error in sorted(validator.iter_errors(instance), key=relevance):
        pointer, message = _describe(error)
        if (pointer, message) in seen:  # branches of a oneOf can say the same thing twice
            continue
        seen.add((pointer, message))
        out.append(SchemaIssue(pointer, message, doc.line_of(pointer) if doc else None))
    return out


def is_valid(name: SchemaName, instance: Any) -> bool:
    """Fast yes/no validation, for documents the tool wrote (compiled once per process)."""
    try:
        return bool(_fast_validator(name).is_valid(instance))
    except (ValueError, TypeError):  # a value with no JSON form (bytes, a set …)
        return False


def validate(
    name: SchemaName, instance: Any, *, path: str, doc: YamlDocument | None = None
) -> None:
    """Raise :class:`SchemaError` naming the file, line, JSON pointer and what was expected.

    Args:
        name: the schema (``schemas/<name>.schema.json``).
        instance: the parsed document.
        path: the file, as the user would name it.
        doc: the YAML document ``instance`` came from, to name lines.
    """
    if is_valid(name, instance):
        return
    found = issues(name, instance, doc=doc)
    if not found:  # the engines disagree: fail closed, and say so
        raise SchemaError(f"document failed schema {name!r} (no detail available)", path=path)
    first = found[0]
    more = ""
    if len(found) > 1:
        more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})"
    raise SchemaError(
        first.message + more, path=path, line=first.line, pointer=first.pointer or "/"
    )
