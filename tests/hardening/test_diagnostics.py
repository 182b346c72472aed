"""Hostile and broken specs that must be refused: positioned diagnostics, exit 1, nothing written.

Each case is one spec file, built with every target by ``contractgen.cli.main``
in process; it must exit 1 with exactly the listed ``error[CODE]`` lines at
the listed ``line:col``, print no traceback, and leave the output directory
byte-identical. The case numbers are those of SECURITY.md. More refusals,
pinned by snapshot, are the fixtures of tests/foundation/broken/.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from contractgen.cli import main
from contractgen.spec.yaml_reader import MAX_DOCUMENTS, MAX_FILE_BYTES

ALL_TARGETS = ("ir", "schema", "openapi", "python", "docs")
LINE = re.compile(r"^spec\.yaml:(\d+):(\d+): error\[(CG\d{3})\]: .+$")

OP = "kind: command\nkey: shop.order.create\nversion: 1.0.0\n"


def rest(path: str, fields: str = "runId: ID") -> str:
    # A JSON string is a YAML double-quoted scalar: escapes such as \n are line breaks.
    return (
        OP
        + f"input: {{ {fields} }}\ntransport:\n  rest: {{ method: POST, path: {json.dumps(path)} }}\n"
    )


@dataclass(frozen=True)
class Case:
    case: int  # the numbered case of SECURITY.md
    name: str
    spec: str | bytes
    errors: tuple[tuple[str, str], ...]  # (code, "line:col"), in output order


CASES = [
    # 1. keys, names or paths that would place a file outside the output directory
    Case(
        1,
        "key with a path",
        "kind: query\nkey: ../etc.passwd\nversion: 1.0.0\n",
        (("CG033", "2:6"),),
    ),
    Case(
        1,
        "type name with a path",
        "kind: model\nname: ../Evil\nfields: { a: ID }\n",
        (("CG033", "2:7"),),
    ),
    Case(
        1,
        "type name with a separator",
        "kind: model\nname: Evil/X\nfields: { a: ID }\n",
        (("CG033", "2:7"),),
    ),
    Case(
        1,
        "key too long for a file name",
        f"kind: query\nkey: shop.{'x' * 150}\nversion: 1.0.0\n",
        (("CG125", "2:6"),),
    ),
    Case(
        1,
        "type name too long for a file name",
        f"kind: model\nname: A{'b' * 150}\nfields: {{ a: ID }}\n",
        (("CG125", "2:7"),),
    ),
    Case(
        1,
        "version too long for a file name",
        f"kind: query\nkey: shop.x\nversion: 1.0.0-{'a' * 50}\n",
        (("CG125", "3:10"),),
    ),
    Case(
        1,
        "domain too long for a file name",
        f"kind: model\nname: A\ndomain: {'d' * 200}\nfields: {{ a: ID }}\n",
        (("CG125", "3:9"),),
    ),
    Case(
        1,
        "versions that differ only in case",
        "kind: capability\nkey: shop.cap\nversion: 1.0.0-Beta\ntype: api\n---\n"
        "kind: capability\nkey: shop.cap\nversion: 1.0.0-beta\ntype: api\n",
        (("CG101", "8:10"),),
    ),
    Case(
        1,
        "domains that share a page",
        "kind: model\nname: A\ndomain: ../..\nfields: { a: ID }\n---\n"
        "kind: model\nname: B\ndomain: unnamed\nfields: { a: ID }\n",
        (("CG124", "8:9"),),
    ),
    Case(
        1,
        "domains that differ only in case",
        "kind: query\nkey: shop.order.get\nversion: 1.0.0\n---\n"
        "kind: model\nname: B\ndomain: Shop\nfields: { a: ID }\n",
        (("CG124", "7:9"),),
    ),
    # 3. spec values that reach code as code
    Case(
        3,
        "type expression with code",
        'kind: model\nname: A\nfields:\n  a: "String; import os"\n',
        (("CG033", "4:6"),),
    ),
    Case(
        3,
        "type name with code",
        'kind: model\nname: "A(B)"\nfields: { a: ID }\n',
        (("CG033", "2:7"),),
    ),
    Case(
        3,
        "default of the wrong type",
        "kind: model\nname: A\nfields:\n  a: { type: Int, default: \"__import__('os')\" }\n",
        (("CG114", "4:3"),),
    ),
    Case(
        3,
        "enum default that is not a value",
        "kind: enum\nname: E\nvalues: [a]\n---\nkind: model\nname: A\nfields:\n  e: { type: E, default: \"b'); import os; ('\" }\n",
        (("CG114", "8:3"),),
    ),
    Case(
        3,
        "example of the wrong type",
        OP
        + 'input: { n: Int }\nacceptance:\n  examples:\n    - { key: x, input: { n: "1; import os" } }\n',
        (("CG115", "7:24"),),
    ),
    Case(
        3,
        "error code with code",
        OP + "errors:\n  \"os.system('x')\": { http: 400, description: d }\n",
        (("CG110", "5:3"),),
    ),
    Case(
        3,
        "non-finite bound",
        "kind: model\nname: A\nfields:\n  a: { type: Float, maximum: .inf }\n",
        (("CG134", "4:30"),),
    ),
    Case(
        3,
        "pattern that does not compile",
        'kind: model\nname: A\nfields:\n  a: { type: String, pattern: "(" }\n',
        (("CG131", "4:31"),),
    ),
    # 4. REST paths with injected text or parameters that are not input fields
    Case(4, "query string in a path", rest("/orders/{runId}?admin=true"), (("CG108", "6:31"),)),
    Case(4, "line break after a path", rest("/orders/{runId}\n"), (("CG108", "6:31"),)),
    Case(4, "encoded dot segment", rest("/orders/%2e%2e/admin"), (("CG108", "6:31"),)),
    Case(4, "space in a path", rest("/orders/a b"), (("CG108", "6:31"),)),
    Case(4, "parameter inside a segment", rest("/orders/{runId}.json"), (("CG108", "6:31"),)),
    Case(
        4,
        "two parameters in a segment",
        rest("/orders/{runId}{x}", "runId: ID, x: ID"),
        (("CG108", "6:31"),),
    ),
    Case(4, "relative path", rest("orders/{runId}"), (("CG108", "6:31"),)),
    Case(4, "empty segment", rest("//orders/{runId}"), (("CG108", "6:31"),)),
    Case(4, "non-ASCII segment", rest("/ｏrders/{runId}"), (("CG108", "6:31"),)),
    Case(4, "parameter that is no input field", rest("/orders/{__class__}"), (("CG107", "6:31"),)),
    Case(4, "optional parameter", rest("/orders/{runId}", 'runId: "ID?"'), (("CG107", "6:31"),)),
    Case(4, "list parameter", rest("/orders/{runId}", 'runId: "ID[]"'), (("CG107", "6:31"),)),
    Case(4, "repeated parameter", rest("/orders/{runId}/{runId}"), (("CG107", "6:31"),)),
    # 5. field names that collide after case conversion or NFKC normalisation
    Case(5, "case conversion", OP + "input:\n  runID: ID\n  run_id: ID\n", (("CG111", "6:3"),)),
    Case(
        5, "NFKC normalisation", OP + "input:\n  field: ID\n  ｆｉｅｌｄ: ID\n", (("CG111", "6:3"),)
    ),
    Case(5, "non-identifier", OP + 'input:\n  type: ID\n  "@type": ID\n', (("CG111", "6:3"),)),
    Case(
        5, "leading underscore", OP + "input:\n  private: ID\n  _private: ID\n", (("CG111", "6:3"),)
    ),
    Case(
        5,
        "protected prefix",
        OP + "input:\n  model_dump: ID\n  field_model_dump: ID\n",
        (("CG111", "6:3"),),
    ),
    Case(
        5,
        "builtin the models use",
        "kind: model\nname: A\nfields:\n  str: String\n",
        (("CG960", "4:3"),),
    ),
    Case(
        5,
        "type name the models import",
        "kind: model\nname: BaseModel\nfields: { a: ID }\n",
        (("CG961", "2:7"),),
    ),
    # 6. error codes and enum values that are not identifiers, empty, or collide
    Case(6, "empty enum value", 'kind: enum\nname: E\nvalues: [""]\n', (("CG030", "3:10"),)),
    Case(
        6,
        "enum values that collide",
        'kind: enum\nname: E\nvalues: ["a b", a-b]\n',
        (("CG121", "3:17"),),
    ),
    Case(6, "enum value twice", "kind: enum\nname: E\nvalues: [x, x]\n", (("CG120", "3:13"),)),
    Case(
        6,
        "line break after an error code",
        OP + 'errors:\n  "NOT_FOUND\\n": { http: 404, description: d }\n',
        (("CG110", "5:3"),),
    ),
    Case(
        6,
        "empty error code",
        OP + 'errors:\n  "": { http: 400, description: d }\n',
        (("CG110", "5:3"),),
    ),
    Case(
        6,
        "lower-case error code",
        OP + "errors:\n  not_found: { http: 404, description: d }\n",
        (("CG110", "5:3"),),
    ),
    Case(
        6,
        "error codes that become one class",
        OP
        + "errors:\n  A_B1: { http: 400, description: d }\n  A_B_1: { http: 409, description: d }\n",
        (("CG123", "6:3"),),
    ),
    Case(
        6,
        "error class the client defines",
        OP + "errors:\n  INVALID_EVENT: { http: 400, description: d }\n",
        (("CG122", "5:3"),),
    ),
    Case(
        6,
        "error class that is a type name",
        OP
        + "errors:\n  NOT_FOUND: { http: 404, description: d }\n---\nkind: model\nname: NotFoundError\nfields: { a: ID }\n",
        (("CG122", "5:3"),),
    ),
    # 7. YAML traps
    Case(
        7,
        "duplicate key",
        "kind: model\nname: A\nname: B\nfields: { a: ID }\n",
        (("CG008", "3:1"),),
    ),
    Case(
        7,
        "keys that are one in JSON",
        'kind: model\nname: A\nfields:\n  a: { type: JSON, default: { 1: x, "1": y } }\n',
        (("CG008", "4:37"),),
    ),
    Case(
        7,
        "explicit tag",
        'kind: model\nname: !!python/object/apply:os.system ["touch CANARY"]\nfields: { a: ID }\n',
        (("CG005", "2:7"),),
    ),
    Case(
        7,
        "alias bomb",
        "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
        tuple(("CG004", p) for p in ("1:4", "2:4", "2:8", "2:12", "3:5", "3:9")),
    ),
    Case(
        7,
        "huge integer",
        "kind: model\nname: A\nfields:\n  a: { type: Int, default: " + "9" * 1001 + " }\n",
        (("CG006", "4:28"),),
    ),
    Case(
        7,
        "implicit number",
        "kind: query\nkey: shop.x\nversion: 1.0.0\ntitle: 1.10\n",
        (("CG030", "4:8"),),
    ),
    Case(
        7,
        "implicit boolean",
        "kind: model\nname: A\nfields:\n  a: { type: ID, nullable: on }\n",
        (("CG030", "4:28"),),
    ),
    Case(7, "UTF-16", "kind: model\n".encode("utf-16"), (("CG002", "1:1"),)),
    Case(7, "raw NUL byte", b"kind: model\nname: A\x00\n", (("CG003", "2:8"),)),
    Case(7, "raw escape byte", b"kind: model\nname: \x1b[2JA\n", (("CG003", "2:7"),)),
    Case(7, "tab indentation", "kind: model\nname: A\nfields:\n\ta: ID\n", (("CG003", "4:1"),)),
    Case(
        7, "complex key", "kind: model\nname: A\nfields:\n  ? [a, b]\n  : ID\n", (("CG007", "4:5"),)
    ),
    Case(7, "deep nesting", "a: " + "[" * 70 + "]" * 70 + "\n", (("CG006", "1:67"),)),
    Case(
        7,
        "too many documents",
        "---\na: 1\n" * (MAX_DOCUMENTS + 1),
        (("CG006", f"{2 * MAX_DOCUMENTS + 1}:1"),),
    ),
    Case(7, "huge file", b"a: " + b"x" * MAX_FILE_BYTES + b"\n", (("CG001", "1:1"),)),
]


def _id(case: Case) -> str:
    return f"{case.case}-{case.name.replace(' ', '-')}"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("diagnostics")
    (root / "contractgen.toml").write_text(
        'specs = "spec.yaml"\nout = "generated"\n[python]\npackage = "shop_client"\n', "utf-8"
    )
    out = root / "generated"
    out.mkdir()
    (out / "keep.txt").write_text("written by hand\n", "utf-8")
    return root / "contractgen.toml"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_refused_with_positioned_diagnostics(
    case: Case, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = config.parent
    spec = root / "spec.yaml"
    spec.write_bytes(case.spec if isinstance(case.spec, bytes) else case.spec.encode("utf-8"))
    args = ["build", "--config", str(config), "--color", "never"]
    for target in ALL_TARGETS:
        args += ["--target", target]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "Traceback" not in out + err
    errors = [line for line in err.splitlines() if "error[" in line]
    assert all(LINE.match(line) for line in errors), errors
    got = tuple((m[3], f"{m[1]}:{m[2]}") for m in map(LINE.match, errors) if m)
    assert got == case.errors, err
    assert err.rstrip().endswith("contractgen: nothing was written")
    assert sorted(p.name for p in (root / "generated").iterdir()) == ["keep.txt"]


def test_every_numbered_case_has_refusals() -> None:
    assert {c.case for c in CASES} == {1, 3, 4, 5, 6, 7}
