"""JSON Schema validators, built once per schema and reused.

jsonschema is the authority: `errors` (every problem, explained), `monitor
check` and the tests use it. The hot path asks `is_valid` first: the same
schema compiled to Python by fastjsonschema, with jsonschema's own format
checks (rfc3987 URIs, RFC 3339 date-times, ISO dates), about ten times
faster. Only when that says no does `valid_or_errors` ask jsonschema, whose
verdict stands (tests/test_schemas.py shows both agree on every alert of the
benchmark corpus and the eval set). Neither library is imported before it is
needed: a command that validates nothing starts without them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
# Installed as a package, the schemas travel inside it.
if not SCHEMA_DIR.is_dir():  # pragma: no cover - wheel install layout
    SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def schema_path(name: str) -> Path:
    return SCHEMA_DIR / f"{name}.schema.json"


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator for schemas/NAME.schema.json, with format checking on."""
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_path(name).read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    # Local "$ref"s inlined: the same rules, checked without reference resolution
    # (a quarter of the cost of validating an alert with many evidence items).
    return Draft202012Validator(_inline_refs(schema, schema.get("$defs", {})),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """A copy of `node` with every non-recursive "#/$defs/NAME" reference inlined."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
            target = defs.get(ref[len("#/$defs/"):])
            if target is not None and "$ref" not in json.dumps(target):
                return _inline_refs(target, defs)
        return {k: _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def key_path(err: ValidationError) -> str:
    """A readable key path such as `feeds[2].url` for an error."""
    out = ""
    for part in err.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


# Keywords that mean the same to fastjsonschema (drafts 4-7) as to draft 2020-12.
# A schema using any other (prefixItems, unevaluatedProperties, ...) or a "$ref"
# beside other checks (ignored before 2019-09) is not compiled: jsonschema checks it.
SAME_MEANING = frozenset({
    "$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "default",
    "examples", "type", "enum", "const", "properties", "required", "additionalProperties",
    "patternProperties", "items", "minItems", "maxItems", "uniqueItems", "minLength",
    "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "anyOf", "allOf", "oneOf", "not", "minProperties",
    "maxProperties"})
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment"})


def compilable(node: Any) -> bool:
    """Whether fastjsonschema reads this schema exactly as draft 2020-12 does."""
    if isinstance(node, list):
        return all(compilable(v) for v in node)
    if not isinstance(node, dict):
        return True
    if not SAME_MEANING.issuperset(node):
        return False
    if "$ref" in node and set(node) - _ANNOTATIONS - {"$ref"}:
        return False
    if isinstance(node.get("items"), list):  # a tuple of schemas: prefixItems now
        return False
    for k, v in node.items():
        named = k in ("properties", "$defs", "patternProperties") and isinstance(v, dict)
        if not (compilable(list(v.values())) if named else
                k in ("enum", "const", "examples", "default") or compilable(v)):
            return False
    return True


@cache
def compiled(name: str) -> Callable[[Any], Any]:
    """schemas/NAME.schema.json compiled by fastjsonschema (raises on invalid data);
    a schema it would read otherwise than draft 2020-12 goes to jsonschema instead."""
    import fastjsonschema

    schema = json.loads(schema_path(name).read_text("utf-8"))
    if not compilable(schema):
        return _by_jsonschema(name)
    return fastjsonschema.compile(schema, formats=_formats())  # type: ignore[no-any-return]


def _by_jsonschema(name: str) -> Callable[[Any], None]:
    def check(instance: Any) -> None:
        import fastjsonschema

        if not validator(name).is_valid(instance):
            raise fastjsonschema.JsonSchemaValueException(f"{name}: not valid")
    return check


def is_valid(name: str, instance: Any) -> bool:
    """Whether `instance` meets its schema, by the compiled validator (fast)."""
    import fastjsonschema

    try:
        compiled(name)(instance)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def valid_or_errors(name: str, instance: Any) -> list[str]:
    """No problems (fast, the usual case), else jsonschema's verdict and explanation."""
    return [] if is_valid(name, instance) else errors(name, instance)


_RE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _formats() -> dict[str, Callable[[str], bool]]:
    """The format checks jsonschema's FORMAT_CHECKER makes, by the same libraries
    (each imported when a value of its format is first checked)."""
    return {"uri": _is_uri, "date-time": _is_datetime, "date": _is_date}


def _is_uri(v: str) -> bool:
    import rfc3987

    try:
        return bool(rfc3987.parse(v, rule="URI"))
    except ValueError:
        return False


def _is_datetime(v: str) -> bool:
    from rfc3339_validator import validate_rfc3339

    return bool(validate_rfc3339(v.upper()))


def _is_date(v: str) -> bool:
    try:
        return bool(_RE_DATE.fullmatch(v) and date.fromisoformat(v))
    except ValueError:
        return False


def errors(name: str, instance: Any) -> list[str]:
    """Every validation problem of `instance`, as `key.path: message` lines."""
    errs = sorted(validator(name).iter_errors(instance),
                  key=lambda e: list(map(str, e.absolute_path)))
    return [f"{key_path(e)}: {_message(e)}" for e in errs]


def _message(err: ValidationError) -> str:
    if err.validator == "pattern" and list(err.absolute_path)[-1:] == ["url"]:
        # Not quoted: a URL may hold a password or key.
        return "not an http(s) URL, file:// URL or path (without spaces)"
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        return "unknown key " + ", ".join(repr(k) for k in extra)
    return err.message
