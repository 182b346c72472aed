"""Names from spec text: keywords, reserved and protected names, non-identifiers (cases 5, 6).

``specs/names`` holds wire names that are Python keywords or soft keywords,
names pydantic reserves (``model_config``, ``schema``, ``validate``) or
protects (``model_dump*``, ``model_validate*``), names with a leading ``_``,
non-identifiers (``@type``, ``run-id``, ``x&y=z``), names NFKC changes
(``ｆｕｌｌ``, ``ℌello``), error codes that are builtin exception names
(``TYPE`` -> ``TypeError``) and enum values that are not identifiers. Every
surface keeps the wire name exactly; the Python client uses the one name
``ir/naming.py`` chose (pinned here), with the wire name as alias, and
imports with warnings as errors. Collisions after conversion are errors:
tests/hardening/test_diagnostics.py.

``specs/linebreaks`` holds enum values and defaults with characters that
``str.splitlines()`` takes for line breaks but Python's tokenizer does not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml

from contractgen.diagnostics import Diagnostics
from contractgen.pipeline import load_contracts

from .support import SPECS, Built, build_into, parse_html, settings_for

NAMES = SPECS / "names"

# wire name -> Python name, as ir/naming.py decides it
EXPECTED = {
    "class": "class_",
    "from": "from_",
    "import": "import_",
    "None": "none",
    "True": "true",
    "async": "async_",
    "await": "await_",
    "match": "match",
    "case": "case",
    "kind": "kind",
    "self": "self",
    "model_config": "model_config_",
    "model_fields": "model_fields_",
    "model_dump": "field_model_dump",
    "modelValidateJson": "field_model_validate_json",
    "schema": "schema_",
    "validate": "validate_",
    "json": "json_",
    "dict": "dict_",
    "copy": "copy_",
    "fields": "fields_",
    "construct": "construct_",
    "_private": "private",
    "__dunder__": "dunder",
    "@type": "type",
    "run-id": "run_id",
    "2fa": "field_2fa",
    "x y": "x_y",
    "a.b": "a_b",
    "$ref": "ref",
    "ｆｕｌｌ": "full",
    "ℌello": "hello",
    "naïve": "na_ve",
    "日本": "field",
    'weird"key': "weird_key",
    "it's": "it_s",
    "back\\slash": "back_slash",
    "{{ x }}": "x",
    "<b>": "b",
    "line\nbreak": "line_break",
    "nl\n": "nl",
    "_input": "input",
    "_compact": "compact",
    "typing": "typing",
    "datetime": "datetime",
    "cls": "cls",
    "print": "print",
    "httpx": "httpx",
    "pydantic": "pydantic",
    "status": "status",
}
ENUM = [
    ("{{ x }}", "X"),
    ("2x", "VALUE_2X"),
    ("class", "CLASS"),
    ("None", "NONE"),
    ("ÿes", "ES"),
    ('a"b', "A_B"),
    ("mro", "MRO"),
    ("name", "NAME"),
    ("__init__", "INIT"),
    ("_missing_", "MISSING"),
    ("tab\there", "TAB_HERE"),
]
ERRORS = [
    ("TYPE", "TypeError"),
    ("TIMEOUT", "TimeoutError"),
    ("NONE", "NoneError"),
    ("CLASS_1", "Class1Error"),
]


@pytest.fixture(scope="module")
def names(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("names") / "generated"
    return build_into(NAMES, out, ("openapi", "docs", "python"), package="names_client")


def test_the_ir_names_are_pinned(tmp_path: Path) -> None:
    d = Diagnostics()
    cs = load_contracts(settings_for(NAMES, tmp_path, ("ir",)), d)
    echo = cs.model("NamesAllEchoInput")
    assert {f.name: f.py_name for f in echo.fields} == EXPECTED
    assert [(v.value, v.py_name) for v in cs.enum("NamesMode").values] == ENUM
    assert [(e.code, e.py_class) for e in cs.operations[0].errors] == ERRORS
    # Every change beyond plain snake_case is a reported decision (CG201).
    decided = {n.wire: n.chosen for n in cs.naming if n.source.line < 60}
    plain = {"None", "True", "run-id"}  # snake_case only: None -> none, run-id -> run_id
    assert decided == {w: p for w, p in EXPECTED.items() if w != p and w not in plain}


def test_openapi_keeps_every_wire_name(names: Built) -> None:
    doc = json.loads(names.read("openapi/openapi.json"))
    assert yaml.safe_load(names.read("openapi/openapi.yaml")) == doc
    schemas = doc["components"]["schemas"]
    assert list(schemas["NamesAllEchoInput"]["properties"]) == list(EXPECTED)
    find = doc["paths"]["/v1/names/all/find"]["get"]
    assert [p["name"] for p in find["parameters"]] == [
        "class",
        "@type",
        "run-id",
        "x&y=z",
        "a b",
        "#frag",
    ]
    assert schemas["NamesMode"]["enum"] == [v for v, _ in ENUM]
    assert schemas["NamesMode"]["x-enum-varnames"] == [m for _, m in ENUM]


def test_docs_show_wire_and_python_names(names: Built) -> None:
    # The inline input model is shown on its operation's page (no page of its own).
    page = names.read("docs/docs/operations/names.all.echo.md")
    assert "\nPython class `NamesAllEchoInput`.\n" in page
    section = page[page.index("\n## Input\n") : page.index("\n## Output\n")]
    html = markdown.markdown(section, extensions=["tables", "md_in_html", "admonition"])
    cells = [text for tag, text in parse_html(html).blocks if tag == "td"][: 7 * len(EXPECTED)]
    rows = {cells[i]: cells[i + 1] for i in range(0, len(cells), 7)}
    assert rows == {" ".join(w.split()): p for w, p in EXPECTED.items()}


CHECK_NAMES = """
import builtins, inspect, json, sys
import names_client
from names_client import errors, models
expected, enum, codes = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
client = names_client.Client("http://127.0.0.1:9", token="t")
echo = inspect.signature(client.names.all.echo).parameters
assert sorted(echo) == sorted(expected.values()), sorted(set(echo) ^ set(expected.values()))
assert echo["import_"].default == 3
model = models.NamesAllEchoInput
assert list(model.model_fields) == list(expected.values())
for wire, py in expected.items():
    assert model.model_fields[py].alias == (None if wire == py else wire), wire
by_wire = model.model_validate({wire: "v" for wire in expected if wire not in ("import", "datetime", "status")} | {"import": 1})
assert by_wire.model_dump(by_alias=True, exclude_unset=True) == {
    wire: ("v" if wire != "import" else 1) for wire in expected if wire not in ("datetime", "status")
}
by_py = models.NamesAll(class_="c", model_config_="m", field_model_dump="d", type="t", full="f", self="s")
assert by_py.model_dump(by_alias=True, exclude_unset=True) == {
    "class": "c", "model_config": "m", "model_dump": "d", "@type": "t", "ｆｕｌｌ": "f", "self": "s"
}
assert [(m.value, m.name) for m in models.NamesMode] == [tuple(x) for x in enum]
for code, cls in codes:
    error = getattr(errors, cls)
    assert issubclass(error, errors.ApiError) and error.error_code == code
assert builtins.TypeError is TypeError and errors.TypeError is not TypeError
find = inspect.signature(client.names.all.find).parameters
assert list(find) == ["class_", "type", "run_id", "x_y_z", "a_b", "frag"]
client.close()
print("ok")
"""


def test_python_client_uses_the_chosen_names(names: Built, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            CHECK_NAMES,
            json.dumps(EXPECTED),
            json.dumps(ENUM),
            json.dumps(ERRORS),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(names.out / "python"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"


def _member_values(text: str) -> list[Any]:
    import ast

    [cls] = [n for n in ast.parse(text).body if isinstance(n, ast.ClassDef) and n.name == "Breaks"]
    return [ast.literal_eval(s.value) for s in cls.body if isinstance(s, ast.Assign)]


def test_enum_values_with_unusual_line_breaks(tmp_path: Path) -> None:
    """VT, FF, FS, NEL, U+2028 and U+2029 inside enum values and defaults build and round-trip.

    Python's tokenizer keeps them inside a string literal; ``str.splitlines()``
    does not. Every surface must still carry the values exactly.
    """
    built = build_into(
        SPECS / "linebreaks", tmp_path / "generated", ("ir", "openapi", "python"), "breaks_client"
    )
    values = ["vt\x0bend", "ff\x0cend", "fs\x1cend", "nel\x85end", "ls\u2028end", "ps\u2029end"]
    doc = json.loads(built.read("openapi/openapi.json"))
    assert doc["components"]["schemas"]["Breaks"]["enum"] == values
    module = built.read("python/breaks_client/models/common.py")
    compile(module, "common.py", "exec")
    assert _member_values(module) == values
