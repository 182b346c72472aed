"""Read YAML safely, keeping the source position of every node.

Spec files are untrusted input, so this reader is deliberately narrow:

* safe parsing only (PyYAML's composer, never its object constructor);
* anchors, aliases and explicit tags are refused: they buy nothing in a spec
  and open the door to alias bombs and type confusion;
* plain scalars are typed by YAML 1.2 core rules, not 1.1: ``on``/``yes``
  stay strings, ``1.10`` is the number 1.1 (and the raw text is kept so a
  diagnostic can say "quote it");
* duplicate keys (also ``1`` and ``"1"``, which JSON cannot tell apart),
  files over :data:`MAX_FILE_BYTES`, nesting deeper than :data:`MAX_DEPTH`,
  integers of more than :data:`MAX_INT_DIGITS` digits, invalid UTF-8 and
  control characters are errors.

The result is plain Python data plus a :class:`PositionMap` from a path
(tuple of keys and indexes) to the line/column of the key and of the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from contractgen.diagnostics import Diagnostics, Position

# libyaml's parser when PyYAML was built with it (every wheel is): ~10x faster.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_DOCUMENTS = 1000
# Longer integers cannot be converted to or from text by Python's default
# limits (4,300 digits), so they could not reach any output.
MAX_INT_DIGITS = 1000
_INT_LIMIT: int = 10**MAX_INT_DIGITS

Path_ = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL)?$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
# Plain scalars that YAML 1.1 tools read as booleans; we keep them strings and
# use this set to explain a type error.
YAML11_BOOLEANS = frozenset(
    [
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
    ]
)


@dataclass
class PositionMap:
    """Where each path of a document sits in its file.

    Positions are kept packed (``line << 32 | col``, see :func:`_packed`) and
    made into :class:`Position` objects when asked for: a large spec set has
    millions of them (memory).
    """

    file: str
    values: dict[Path_, int] = field(default_factory=dict)
    keys: dict[Path_, int] = field(default_factory=dict)
    # Raw text of plain scalars that were typed as numbers or booleans.
    plain_text: dict[Path_, str] = field(default_factory=dict)

    def value(self, path: Path_) -> Position:
        return self._nearest(self.values, path)

    def key(self, path: Path_) -> Position:
        if path in self.keys:
            return self._unpack(self.keys[path])
        return self.value(path)

    def _nearest(self, table: dict[Path_, int], path: Path_) -> Position:
        for end in range(len(path), -1, -1):
            if path[:end] in table:
                return self._unpack(table[path[:end]])
        return Position(self.file, 1, 1)

    def _unpack(self, packed: int) -> Position:
        return Position(self.file, packed >> 32, packed & 0xFFFFFFFF)


@dataclass
class YamlDocument:
    file: str
    index: int
    data: Any
    positions: PositionMap
    text: str
    start_line: int


def _pos(file: str, mark: Any) -> Position:
    return Position(file, mark.line + 1, mark.column + 1)


def _packed(mark: Any) -> int:
    """A mark's 1-based line and column as one int (:meth:`PositionMap._unpack`)."""
    line: int = mark.line + 1
    col: int = mark.column + 1
    return (line << 32) | col


def read_yaml(display_name: str, raw: bytes, diagnostics: Diagnostics) -> list[YamlDocument]:
    """Parse every document of one file; problems go to ``diagnostics``."""
    top = Position(display_name, 1, 1)
    if len(raw) > MAX_FILE_BYTES:
        diagnostics.add(
            top,
            "CG001",
            f"file is {len(raw):,} bytes; spec files are limited to {MAX_FILE_BYTES:,} bytes",
            hint="split the specs over several files",
        )
        return []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.add(
            Position(display_name, line, col),
            "CG002",
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            hint="save the file as UTF-8",
        )
        return []
    if not _precheck(display_name, text, diagnostics):
        return []
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        _yaml_error(display_name, exc, diagnostics, text)
        return []
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML always marks its errors
        diagnostics.add(top, "CG003", f"invalid YAML: {exc}")
        return []
    lines = text.splitlines(keepends=True)
    documents: list[YamlDocument] = []
    for index, node in enumerate(nodes):
        if node is None:
            continue
        positions = PositionMap(display_name)
        data = _construct(node, (), positions, diagnostics)
        start = node.start_mark.line
        # A block node ends at column 0 of the line after its last content.
        end = node.end_mark.line + (0 if node.end_mark.column == 0 else 1)
        doc_text = "".join(lines[start:end]).rstrip() + "\n"
        documents.append(YamlDocument(display_name, index, data, positions, doc_text, start + 1))
    return documents


def _precheck(file: str, text: str, diagnostics: Diagnostics) -> bool:
    """Walk the event stream once: refuse aliases, anchors and tags; bound depth.

    Done on events, before composing, so a deeply nested or alias-heavy file
    never reaches the recursive composer.
    """
    depth = 0
    documents = 0
    ok = True
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            mark = event.start_mark
            if isinstance(event, yaml.AliasEvent):
                diagnostics.add(
                    _pos(file, mark),
                    "CG004",
                    f"YAML alias '*{event.anchor}' is not allowed in spec files",
                    hint="write the value out; use a shared model to reuse fields",
                )
                ok = False
                continue
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                diagnostics.add(
                    _pos(file, mark),
                    "CG004",
                    f"YAML anchor '&{anchor}' is not allowed in spec files",
                    hint="write the value out; use a shared model to reuse fields",
                )
                ok = False
            tag = getattr(event, "tag", None)
            if tag is not None and tag != "!":
                diagnostics.add(
                    _pos(file, mark),
                    "CG005",
                    f"explicit YAML tag '{tag}' is not allowed in spec files",
                    hint="remove the tag; quote the value if it must be a string",
                )
                ok = False
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > MAX_DOCUMENTS:
                    diagnostics.add(
                        _pos(file, mark),
                        "CG006",
                        f"more than {MAX_DOCUMENTS} documents in one file",
                    )
                    return False
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    diagnostics.add(
                        _pos(file, mark),
                        "CG006",
                        f"nesting is deeper than {MAX_DEPTH} levels",
                        hint="specs never need this depth; is the file generated wrongly?",
                    )
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        _yaml_error(file, exc, diagnostics, text)
        return False
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        diagnostics.add(
            Position(file, line, col),
            "CG003",
            f"invalid YAML: control character U+{exc.character:04X} is not allowed",
            hint="remove it, or write it as an escape inside a double-quoted string",
        )
        return False
    return ok


def _yaml_error(file: str, exc: yaml.MarkedYAMLError, diagnostics: Diagnostics, text: str) -> None:
    mark = exc.problem_mark or exc.context_mark
    position = _pos(file, mark) if mark is not None else Position(file, 1, 1)
    problem = exc.problem or "invalid YAML"
    hint = None
    lines = text.splitlines()
    # The character the parser stopped at explains most errors better than its message.
    line = lines[position.line - 1] if 0 < position.line <= len(lines) else ""
    before = line[: position.col - 1]
    at = line[position.col - 1 : position.col]
    if at == "\t" or "\t" in before.strip(" ") or (not before.strip() and "\t" in before):
        hint = "indent with spaces, not tabs"
    elif "flow" in (exc.context or "") and "?" in line:
        hint = 'inside { } write optional types in quotes: "String?"'
    message = f"invalid YAML: {problem}"
    if exc.context:
        context_mark = exc.context_mark
        opened = (
            f" started at line {context_mark.line + 1}, column {context_mark.column + 1}"
            if context_mark is not None and mark is not None and context_mark.line != mark.line
            else ""
        )
        message += f" ({exc.context}{opened})"
    diagnostics.add(position, "CG003", message, hint=hint)


def _construct(
    node: yaml.Node, path: Path_, positions: PositionMap, diagnostics: Diagnostics
) -> Any:
    file = positions.file
    positions.values.setdefault(path, _packed(node.start_mark))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        texts: dict[str, Any] = {}  # str(key) -> key: 1 and "1" are one key in JSON
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                diagnostics.add(
                    _pos(file, key_node.start_mark), "CG007", "mapping keys must be plain scalars"
                )
                continue
            key = _scalar(key_node, (*path, "<key>"), positions, diagnostics)
            if isinstance(key, (bool, float)) or key is None:
                key = key_node.value  # keep the text; the model check reports the key
            same = texts.get(str(key), key)
            if same in result:
                first = positions.keys.get((*path, same))
                where = f" (first at line {first >> 32})" if first else ""
                diagnostics.add(
                    _pos(file, key_node.start_mark),
                    "CG008",
                    f"duplicate key '{key}'{where}",
                    hint="YAML keeps only the last value; remove one of them",
                )
                continue
            positions.keys[(*path, key)] = _packed(key_node.start_mark)
            texts[str(key)] = key
            result[key] = _construct(value_node, (*path, key), positions, diagnostics)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, (*path, i), positions, diagnostics)
            for i, item in enumerate(node.value)
        ]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node, path, positions, diagnostics)


def _scalar(
    node: yaml.ScalarNode, path: Path_, positions: PositionMap, diagnostics: Diagnostics
) -> Any:
    text: str = node.value
    if node.style:  # quoted or block scalar: always a string (plain is None or "")
        return text
    if _too_long_int(text):
        diagnostics.add(
            _pos(positions.file, node.start_mark),
            "CG006",
            f"integer of {len(text):,} characters; numbers are limited to "
            f"{MAX_INT_DIGITS:,} digits",
            hint="quote it if it is text",
        )
        return text
    value = _plain(text)
    if not isinstance(value, str):
        positions.plain_text[path] = text
    return value


def _too_long_int(text: str) -> bool:
    """A plain integer (decimal, octal or hex) of more than MAX_INT_DIGITS decimal digits."""
    if len(text) <= MAX_INT_DIGITS:
        return False
    if _INT.match(text):
        return True  # even leading zeros count towards Python's conversion limit
    if _OCT.match(text) or _HEX.match(text):
        return int(text[2:], 8 if text[1] == "o" else 16) >= _INT_LIMIT
    return False


def _plain(text: str) -> Any:
    """Type a plain scalar by the YAML 1.2 core schema."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text
