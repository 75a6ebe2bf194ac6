"""Typed settings tables: a TOML table or an environment string in, a validated dataclass out.

A settings table is a plain dataclass whose annotations say what each key holds
(``int``, ``float``, ``bool``, ``str``, ``X | None``, ``list[str]``,
``tuple[str, ...]``, ``dict[str, str]`` or another such dataclass). :func:`build`
checks every key of a table against them and raises :class:`SettingError` naming
the key; range checks live in the dataclass's ``__post_init__`` (raise
:class:`SettingError`) or its ``from_table`` classmethod, which :func:`build_table`
prefers when the class has one. :func:`render` writes a dataclass's defaults as
TOML, with the comment written beside each field in its source, for ``tidings init``.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class SettingError(ValueError):
    """One setting is not valid; ``key`` names it inside its table ("" for the table itself)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


def _describe(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False) if not isinstance(value, bool) else str(value).lower()


def _arms(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return (tp,)


def _expected(tp: Any) -> str:
    arms = [a for a in _arms(tp) if a is not type(None)]
    tp = arms[0] if len(arms) == 1 else tp
    origin = typing.get_origin(tp)
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp in (str, Path):
        return "a string"
    if origin in (list, tuple):
        return "a list"
    if origin is dict or dataclasses.is_dataclass(tp):
        return "a table"
    return str(tp)


def convert(value: Any, tp: Any, key: str) -> Any:
    """``value`` (as TOML parsed it) checked against the annotation ``tp``."""
    if tp is Any:
        return value
    arms = _arms(tp)
    if len(arms) > 1:
        real = [a for a in arms if a is not type(None)]
        if isinstance(value, dict) and (tables := [a for a in real if dataclasses.is_dataclass(a)]):
            return convert(value, tables[0], key)  # its own errors name the key inside it
        for arm in real:
            try:
                return convert(value, arm, key)
            except SettingError:
                continue
        raise SettingError(key, f"expected {_expected(tp)}, got {_describe(value)}")
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    ok = True
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif tp is str:
        ok = isinstance(value, str)
    elif tp is Path:
        ok = isinstance(value, str)
        value = Path(value) if ok else value
    elif origin in (list, tuple):
        if not isinstance(value, list):
            raise SettingError(key, f"expected a list, got {_describe(value)}")
        item = args[0] if args else Any
        items = [convert(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    elif origin is dict:
        if not isinstance(value, dict):
            raise SettingError(key, f"expected a table, got {_describe(value)}")
        item = args[1] if len(args) == 2 else Any
        return {str(k): convert(v, item, f"{key}.{k}") for k, v in value.items()}
    elif isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise SettingError(key, f"expected a table, got {_describe(value)}")
        try:
            return build_table(tp, value)
        except SettingError as exc:
            raise SettingError(f"{key}.{exc.key}" if exc.key else key, exc.message) from None
    if not ok:
        raise SettingError(key, f"expected {_expected(tp)}, got {_describe(value)}")
    return value


def hints(cls: type) -> dict[str, Any]:
    """The settable fields of a dataclass and their resolved annotations."""
    resolved = typing.get_type_hints(cls)
    return {f.name: resolved[f.name] for f in dataclasses.fields(cls) if f.init}


def build(cls: type, table: Mapping[str, Any]) -> Any:
    """A ``cls`` from ``table``: unknown keys, wrong types and missing required keys are a
    :class:`SettingError`; so is whatever the class's ``__post_init__`` refuses."""
    if not isinstance(table, Mapping):
        raise SettingError("", f"expected a table, got {_describe(table)}")
    known = hints(cls)
    kwargs = {}
    for key, value in table.items():
        if key not in known:
            raise SettingError(key, f"unknown setting (known: {', '.join(sorted(known))})")
        kwargs[key] = convert(value, known[key], key)
    for f in dataclasses.fields(cls):
        if f.init and f.name not in kwargs and f.default is dataclasses.MISSING \
                and f.default_factory is dataclasses.MISSING:
            raise SettingError(f.name, "missing (required)")
    try:
        return cls(**kwargs)
    except SettingError:
        raise
    except (TypeError, ValueError) as exc:
        raise SettingError("", str(exc)) from None


def build_table(cls: type, table: Mapping[str, Any]) -> Any:
    """Like :func:`build`, through the class's own ``from_table`` when it has one."""
    from_table = getattr(cls, "from_table", None)
    if from_table is None:
        return build(cls, table)
    try:
        return from_table(dict(table))
    except SettingError:
        raise
    except (TypeError, ValueError) as exc:
        raise SettingError("", str(exc)) from None


def from_env(text: str, tp: Any, name: str) -> Any:
    """An environment string as the TOML value of a field annotated ``tp``."""
    arms = [a for a in _arms(tp) if a is not type(None)]
    tp = arms[0] if len(arms) == 1 else tp
    origin = typing.get_origin(tp)
    if tp is bool:
        lowered = text.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise SettingError("", f"{name}: expected true or false, got {text!r}")
    if tp in (int, float):
        try:
            return tp(text.strip())
        except ValueError:
            raise SettingError("", f"{name}: expected {_expected(tp)}, got {text!r}") from None
    if origin in (list, tuple):
        return [part.strip() for part in text.split(",") if part.strip()]
    if tp in (str, Path, Any) or float in arms or int in arms:
        return text
    raise SettingError("", f"{name}: {_expected(tp)} cannot be set from the environment")


def is_scalar(tp: Any) -> bool:
    arms = [a for a in _arms(tp) if a is not type(None)]
    return all(a in (bool, int, float, str, Path) or typing.get_origin(a) in (list, tuple) for a in arms)


# ---------------------------------------------------------------------------------------------
# rendering the defaults for `tidings init`

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_FIELD_LINE = re.compile(r"^    ([A-Za-z_]\w*)\s*:")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (str, Path)):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if dataclasses.is_dataclass(value):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)
                 if getattr(value, f.name) is not None}
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def field_comments(cls: type) -> dict[str, str]:
    """The comment written beside (or on the lines just above) each field in the class's source."""
    import inspect
    import io
    import tokenize

    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    comment_at = {tok.start[0]: tok.string.lstrip("#").strip()
                  for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type == tokenize.COMMENT}
    lines = source.splitlines()
    names = {f.name for f in dataclasses.fields(cls)}
    comments: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        match = _FIELD_LINE.match(line)
        if not match or match.group(1) not in names:
            continue
        if number in comment_at:
            comments[match.group(1)] = comment_at[number]
            continue
        above: list[str] = []
        while number - 1 - len(above) >= 1 and lines[number - 2 - len(above)].strip().startswith("#"):
            above.append(comment_at.get(number - 1 - len(above), ""))
        if above:
            comments[match.group(1)] = " ".join(reversed(above))
    return comments


def render(cls: type, name: str, *, commented: bool) -> list[str]:
    """The lines of ``[name]`` with every default of ``cls`` and its comment (a table-valued
    default as a sub-table after the others); ``commented`` writes them as comments. A sub-table
    the class names in ``NESTED`` (``[summarize.llm]``) is written after it, always as comments:
    writing it turns it on."""
    lines = [f"[{name}]"]
    subtables: list[str] = []
    nested_tables: list[str] = []
    defaults = cls()
    comments = field_comments(cls)
    nested = getattr(cls, "NESTED", {})
    for key in hints(cls):
        if key in nested:
            module, _, class_name = nested[key].partition(":")
            inner = getattr(importlib.import_module(module), class_name)
            nested_tables += [""] + render(inner, f"{name}.{key}", commented=True)
            continue
        value = getattr(defaults, key)
        comment = comments.get(key, "")
        if isinstance(value, dict) and value:
            subtables += [""] + ([f"# {comment}"] if comment else []) + [f"[{name}.{key}]"]
            subtables += [f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()]
            continue
        shown = f"# {key} =   (not set)" if value is None else f"{key} = {toml_value(value)}"
        if comment and len(shown) + len(comment) > 96:
            lines += [f"# {comment}", shown]
        else:
            lines.append(shown + (f"   # {comment}" if comment else ""))
    lines += subtables
    if commented:
        lines = [line if not line or line.startswith("#") else f"# {line}" for line in lines]
    return lines + nested_tables
