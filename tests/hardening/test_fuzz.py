"""Property tests: arbitrary spec text round-trips; arbitrary files never crash contractgen.

* Arbitrary text in every free-text slot, with arbitrary well-formed keys,
  names, field names and enum values: the spec set builds (``ir``,
  ``openapi``, ``docs`` in memory) and every surface carries the text
  exactly (IR dump, OpenAPI read back by a YAML 1.1 and a YAML 1.2 reader,
  the page text of the docs rendered by Python-Markdown), or, where the
  generated names collide, it is refused with positioned diagnostics.
* Python text: the escape-level contracts (``py_str``, ``py_literal``,
  ``py_docstring`` after the one ruff pass, ``py_comment``, ``terminal_text``),
  which is how every spec string reaches generated Python (the full python
  target is exercised by test_hostile_python.py).
* Arbitrary bytes, arbitrary YAML and spec-shaped documents full of wrong
  values, as a spec file: ``contractgen.cli.main`` returns 0 or 1, prints
  positioned diagnostics and never raises.

Profiles (tests/hardening/support.py): ``ci`` by default; ``HYPOTHESIS_PROFILE=long``
for a long manual run.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import io
import json
import re
import shutil
import subprocess
import tempfile
import tokenize
from pathlib import Path
from typing import Any

import markdown
import yaml
from hypothesis import assume, event, given
from hypothesis import strategies as st

from contractgen.cli import main
from contractgen.diagnostics import Diagnostics, SpecError
from contractgen.escape import (
    py_comment,
    py_docstring,
    py_literal,
    py_str,
    terminal_text,
    yaml_quoted,
)
from contractgen.ir.build import build_ir
from contractgen.output.format import RUFF_SETTINGS, ruff_binary
from contractgen.output.yaml_text import dump
from contractgen.pipeline import Timings, render_targets
from contractgen.spec.load import load_bytes
from contractgen.spec.yaml_reader import read_yaml

from .payloads import ALL
from .support import FUZZ, assert_inert, parse_html, settings_for, shown, undent

# -- text -----------------------------------------------------------------------------------

TRICKY = [
    *ALL,
    "",
    " ",
    "\n",
    "\\",
    '"',
    "'",
    '"""',
    "'''",
    "a\n",
    "  lead",
    "trail  ",
    "\t",
    "\r",
    "\x00",
    "\x1b[2J",
    "\u2028",
    "\x85",
    "\ufeff",
    "{",
    "}",
    "{{ x }}",
    "{% if %}",
    "<script>",
    "javascript:x",
    "| a |",
    "`",
    "---",
    "&a",
    "*a",
    "!!str",
    "yes",
    "1.10",
    "~",
    "# c",
    "- x",
    ": y",
]
PIECES = [t for t in TRICKY if len(t) <= 8]


def texts(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text of ``min_size`` to ``max_size`` characters, heavy in what means something somewhere."""
    return st.one_of(
        st.sampled_from([t for t in TRICKY if min_size <= len(t) <= max_size]),
        st.text(min_size=min_size, max_size=min(max_size, 40)),
        st.lists(st.sampled_from(PIECES) | st.text(max_size=4), min_size=1, max_size=5)
        .map("".join)
        .filter(lambda t: min_size <= len(t) <= max_size),
    )


text = texts()
short = texts(1, 500)  # titles, labels, keys of examples and scenarios
long_ = texts(0, 20_000)
segments = st.from_regex(r"[a-z][a-z0-9]{0,6}([-_][a-z0-9]{1,4})?", fullmatch=True)
keys = st.lists(segments, min_size=2, max_size=3).map(".".join)
type_names = st.from_regex(r"[A-Z][A-Za-z0-9]{0,12}", fullmatch=True)
wire_names = st.one_of(
    st.sampled_from(["runId", "class", "@type", "model_dump", "ｆｉｅｌｄ"]), texts(1, 30)
)
enum_values = texts(1, 200)


# -- one spec set with the text in every slot ----------------------------------------------

SLOTS = [
    "title",
    "description",
    "goal",
    "context",
    "owner",
    "tag",
    "field",
    "default",
    "example",
    "error",
    "when",
    "label",
    "emit",
    "scenario",
    "step",
    "example_key",
    "example_text",
    "enum",
    "enum_value",
    "model",
    "cap",
    "reason",
    "feature",
]


@st.composite
def spec_sets(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, Any]]:
    t = {
        slot: draw(
            short
            if slot in ("title", "owner", "tag", "label", "scenario", "example_key")
            else long_
        )
        for slot in SLOTS
    }
    names = draw(st.lists(type_names, min_size=2, max_size=2, unique_by=str.lower))
    fields = draw(st.lists(wire_names, min_size=1, max_size=3, unique=True))
    values = draw(st.lists(enum_values, min_size=1, max_size=3, unique=True))
    domain = draw(st.one_of(st.just("shop"), texts(1, 40)))
    key = draw(keys)
    code = draw(st.from_regex(r"[A-Z][A-Z0-9]{0,8}(_[A-Z0-9]{1,5}){0,2}", fullmatch=True))
    model, enum = names
    op = {
        "kind": "command",
        "key": f"{key}.run",
        "version": "1.0.0",
        "title": t["title"],
        "description": t["description"],
        "goal": t["goal"],
        "context": t["context"],
        "domain": domain,
        "owners": [t["owner"]],
        "tags": [t["tag"]],
        "capability": f"{key}.cap@1.0.0",
        "input": {
            "id": {"type": "ID", "description": t["field"]},
            "text": {
                "type": "String",
                "description": t["field"],
                "default": t["default"],
                "examples": [t["example"]],
            },
            **{
                f: {"type": f"{enum}?", "description": t["field"]}
                for f in fields
                if f not in ("id", "text")
            },
        },
        "output": model,
        "errors": {code: {"http": 409, "description": t["error"], "when": t["when"]}},
        "policy": {"roles": [t["label"]], "permissions": [t["label"]], "flags": [t["label"]]},
        "sideEffects": {
            "emits": [{"event": f"{key}.done", "when": t["emit"]}],
            "analytics": [t["label"]],
            "audit": [t["label"]],
        },
        "transport": {"rest": {"path": "/things/{id}"}},
        "acceptance": {
            "scenarios": [
                {"key": t["scenario"], "given": t["step"], "when": [t["step"]], "then": t["step"]}
            ],
            "examples": [
                {
                    "key": t["example_key"],
                    "description": t["example_text"],
                    "input": {"id": t["example"], "text": t["example"]},
                }
            ],
        },
    }
    docs = [
        op,
        {
            "kind": "event",
            "key": f"{key}.done",
            "version": "1.0.0",
            "title": t["title"],
            "description": t["description"],
            "domain": domain,
            "payload": {"text": {"type": "String", "description": t["field"]}},
        },
        {
            "kind": "model",
            "name": model,
            "description": t["model"],
            "domain": domain,
            "fields": {
                "text": {"type": "String", "description": t["field"], "default": t["default"]},
                "self": {"type": f"{model}[]?"},
            },
        },
        {
            "kind": "enum",
            "name": enum,
            "description": t["enum"],
            "domain": domain,
            "values": [{"value": v, "description": t["enum_value"]} for v in values],
        },
        {
            "kind": "capability",
            "key": f"{key}.cap",
            "version": "1.0.0",
            "title": t["title"],
            "description": t["cap"],
            "domain": domain,
            "type": "api",
            "provides": {"operations": [f"{key}.run"], "events": [f"{key}.done"]},
            "requires": [{"capability": "other.cap", "optional": True, "reason": t["reason"]}],
        },
        {
            "kind": "feature",
            "key": f"{key}.feature",
            "version": "1.0.0",
            "title": t["title"],
            "description": t["feature"],
            "domain": domain,
            "operations": [f"{key}.run"],
        },
    ]
    return t, {
        "docs": docs,
        "fields": fields,
        "values": values,
        "key": key,
        "model": model,
        "enum": enum,
        "code": code,
    }


# Codes a spec set of valid parts may still get: generated names that collide.
NAME_COLLISIONS = {"CG102", "CG111", "CG119", "CG121", "CG122", "CG123", "CG124", "CG125"}
POSITIONED = re.compile(r"^[^\s:][^:]*:\d+:\d+: error\[CG\d{3}\]: ")


def _page_blocks(markdown_text: str) -> list[tuple[str, str]]:
    html = markdown.markdown(
        markdown_text,
        extensions=["tables", "admonition", "md_in_html", "toc", "pymdownx.superfences"],
    )
    doc = parse_html(html)
    assert_inert(doc, "page", content=True)
    return doc.blocks


@FUZZ
@given(spec_sets())
def test_free_text_round_trips_on_every_surface(
    case: tuple[dict[str, str], dict[str, Any]],
) -> None:
    t, s = case
    source = "---\n".join(dump(d) for d in s["docs"]).encode("utf-8")
    d = Diagnostics()
    loaded = load_bytes("spec.yaml", source, d)
    assert not d.has_errors, [x.plain() for x in d.items]
    try:
        contracts = build_ir(loaded, d)
    except SpecError as exc:
        problems = exc.diagnostics.errors
        assert problems and all(POSITIONED.match(p.plain()) for p in problems), [
            p.plain() for p in problems
        ]
        assert {p.code for p in problems} <= NAME_COLLISIONS, [p.plain() for p in problems]
        event("refused: " + ", ".join(sorted({p.code for p in problems})))
        return
    event("built")
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(Path("spec.yaml"), Path(tmp), ("ir", "openapi", "docs"))
        files = render_targets(contracts, settings, ["ir", "openapi", "docs"], Timings()).files
    key = s["key"]

    ir = json.loads(files["ir/contracts.json"])
    [op] = ir["operations"]
    assert (op["title"], op["description"], op["goal"], op["context"]) == (
        t["title"],
        t["description"],
        t["goal"],
        t["context"],
    )
    assert (op["owners"], op["tags"], op["analytics"], op["policy"]["roles"]) == (
        [t["owner"]],
        [t["tag"]],
        [t["label"]],
        [t["label"]],
    )
    assert op["errors"][0]["description"] == t["error"] and op["errors"][0]["when"] == t["when"]
    assert op["emits"][0]["when"] == t["emit"]
    assert op["scenarios"][0] == {
        "key": t["scenario"],
        "given": [t["step"]],
        "when": [t["step"]],
        "then": [t["step"]],
    }
    assert op["examples"][0]["description"] == t["example_text"]
    assert op["examples"][0]["input"] == {"id": t["example"], "text": t["example"]}
    [enum] = ir["enums"]
    assert [v["value"] for v in enum["values"]] == s["values"]
    assert {v["description"] for v in enum["values"]} == {t["enum_value"]}
    [cap] = ir["capabilities"]
    assert cap["requires"][0]["reason"] == t["reason"]

    yaml_text = files["openapi/openapi.yaml"].decode("utf-8")
    doc = json.loads(files["openapi/openapi.json"])
    assert yaml.safe_load(yaml_text) == doc
    d = Diagnostics()
    assert [x.data for x in read_yaml("openapi.yaml", yaml_text.encode("utf-8"), d)] == [doc]
    assert not d.items
    [item] = doc["paths"].values()
    o = item["post"]
    assert (o["summary"], o["x-owners"]) == (t["title"], [t["owner"]])
    assert (o.get("x-goal"), o.get("x-context")) == (t["goal"] or None, t["context"] or None)
    assert o["description"].startswith(t["description"] or t["title"])
    body = o["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert body["text"]["default"] == t["default"] and body["text"]["examples"] == [t["example"]]
    assert set(body) == {f for f in [*s["fields"], "text"] if f != "id"}
    assert doc["components"]["schemas"][s["enum"]]["enum"] == s["values"]

    page = files[f"docs/docs/operations/{key}.run.md"].decode("utf-8")
    blocks = _page_blocks(page)
    assert blocks[0] == ("h1", shown(t["title"]) or key + ".run")
    if shown(t["scenario"]):
        assert ("h3", f"Scenario: {shown(t['scenario'])}") in blocks
    tds = [text for tag, text in blocks if tag == "td"]
    assert [shown(t["error"]) or "—", shown(t["when"]) or "—"] == tds[
        tds.index("409") + 2 : tds.index("409") + 4
    ]
    _page_blocks(files[f"docs/docs/models/{s['enum']}.md"].decode("utf-8"))
    _page_blocks(files[f"docs/docs/capabilities/{key}.cap.md"].decode("utf-8"))


# -- Python text ----------------------------------------------------------------------------


@FUZZ
@given(text)
def test_py_str_is_one_exact_line(value: str) -> None:
    literal = py_str(value)
    assert "\n" not in literal and "\r" not in literal
    tokens = list(tokenize.generate_tokens(io.StringIO(f"x = {literal}\n").readline))
    assert [tok.type for tok in tokens[:3]] == [tokenize.NAME, tokenize.OP, tokenize.STRING]
    assert ast.literal_eval(literal) == value


@FUZZ
@given(text)
def test_yaml_quoted_is_one_exact_line(value: str) -> None:
    """mkdocs.yml's nav titles and site name: one double-quoted line, read back exactly."""
    quoted = yaml_quoted(value)
    assert quoted.startswith('"') and quoted.endswith('"')
    assert quoted.isprintable() and "\r" not in quoted  # no line break of any YAML version
    assert yaml.safe_load(quoted) == value  # PyYAML (YAML 1.1), as mkdocs reads it
    assert yaml.safe_load(f"nav:\n  - {quoted}: page.md\n") == {"nav": [{value: "page.md"}]}
    d = Diagnostics()
    assert [x.data for x in read_yaml("x.yaml", f"k: {quoted}\n".encode(), d)] == [{"k": value}]
    assert not d.items


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4)


def _yaml_containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(text | st.integers(), inner, max_size=4)


def _small_containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    _containers,
    max_leaves=12,
)


@FUZZ
@given(json_values)
def test_py_literal_is_the_value(value: Any) -> None:
    source = py_literal(value)
    tree = ast.parse(source, mode="eval")
    assert all(not isinstance(n, ast.Call | ast.Name | ast.Attribute) for n in ast.walk(tree))
    assert ast.literal_eval(source) == value


@FUZZ
@given(text)
def test_py_comment_and_terminal_text_stay_on_one_line(value: str) -> None:
    comment = py_comment(value)
    tokens = list(tokenize.generate_tokens(io.StringIO(f"x = 1  # {comment}\ny = 2\n").readline))
    assert [tok.type for tok in tokens if tok.type == tokenize.COMMENT] == [tokenize.COMMENT]
    assert [tok.string for tok in tokens if tok.type == tokenize.NAME] == ["x", "y"]
    shown_text = terminal_text(value)
    assert shown_text.isprintable() and "\x1b" not in shown_text
    assert terminal_text(shown_text) == shown_text


@FUZZ
@given(st.lists(text, min_size=1, max_size=12))
def test_py_docstring_is_exact_after_the_ruff_pass(texts: list[str]) -> None:
    """Docstrings at module, class and method level, once formatted, hold the text exactly."""
    lines = [py_docstring(texts[0]), "", "", "class A:", "    " + py_docstring(texts[0], 4), ""]
    for i, value in enumerate(texts):
        lines += [
            f"    def f{i}(self) -> None:",
            "        " + py_docstring(value, 8),
            "        return None",
            "",
        ]
        lines += [f"    x{i}: int = {i}", "    " + py_docstring(value, 4), ""]
    source = "\n".join(lines) + "\n"
    ast.parse(source)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.py"
        path.write_text(source, "utf-8")
        subprocess.run(
            [ruff_binary(), "format", *RUFF_SETTINGS, "--no-cache", str(path)],
            check=True,
            capture_output=True,
        )
        formatted = path.read_text("utf-8")
    module = ast.parse(formatted)
    assert undent(ast.get_docstring(module, clean=False) or "", 0) == texts[0]
    cls = module.body[1]
    assert isinstance(cls, ast.ClassDef)
    assert undent(ast.get_docstring(cls, clean=False) or "", 4) == texts[0]
    body = cls.body[1:]
    for i, value in enumerate(texts):
        method, attr, doc = body[3 * i : 3 * i + 3]
        assert undent(ast.get_docstring(method, clean=False) or "", 8) == value  # type: ignore[arg-type]
        assert isinstance(attr, ast.AnnAssign) and isinstance(doc, ast.Expr)
        assert isinstance(doc.value, ast.Constant) and undent(doc.value.value, 4) == value


# -- arbitrary files --------------------------------------------------------------------------

ERROR_LINE = re.compile(r"^[^\s].*: error\[CG\d{3}\]: ")
POSITIONED_OR_TREE = re.compile(r"^(spec\.yaml:\d+:\d+|generated): error\[CG\d{3}\]: ")


def _run_cli(project: Path, raw: bytes) -> tuple[int, str]:
    (project / "spec.yaml").write_bytes(raw)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                *("build", "--config", str(project / "contractgen.toml"), "--color", "never"),
                *(
                    "--target",
                    "ir",
                    "--target",
                    "openapi",
                    "--target",
                    "docs",
                    "--target",
                    "schema",
                ),
            ]
        )
    return code, err.getvalue()


def _check(code: int, err: str) -> None:
    assert code in (0, 1), err
    event(f"exit {code}")
    errors = [line for line in err.splitlines() if ": error[" in line]
    if code == 1:
        assert errors, err
    assert all(POSITIONED_OR_TREE.match(line) for line in errors), errors
    assert all(line.isprintable() for line in err.splitlines()), err


_PROJECT: dict[str, Path] = {}


def project() -> Path:
    """One project per session, reused by every example (the writer sees many builds)."""
    if "dir" not in _PROJECT:
        root = Path(tempfile.mkdtemp(prefix="contractgen-fuzz-"))
        atexit.register(shutil.rmtree, root, True)
        (root / "contractgen.toml").write_text('specs = "spec.yaml"\nout = "generated"\n', "utf-8")
        _PROJECT["dir"] = root
    return _PROJECT["dir"]


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    _check(*_run_cli(project(), raw))


yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    text,
    st.sampled_from(["*a", "&a x", "!!str x", "? x", "{", "]"]),
)
yaml_data = st.recursive(yaml_scalars, _yaml_containers, max_leaves=25)
splice = st.sampled_from(
    [
        "\t",
        "&a ",
        "*a",
        "!!python/object:os.system ",
        "? ",
        "---\n",
        "\x00",
        "\ufeff",
        "'",
        '"',
        ": ",
        "- ",
        "{",
        "[",
        "\n  ",
        "#",
    ]
)


@FUZZ
@given(yaml_data, st.lists(st.tuples(st.integers(min_value=0), splice), max_size=3), st.booleans())
def test_arbitrary_yaml_never_crashes(
    data: Any, edits: list[tuple[int, str]], pyyaml: bool
) -> None:
    source = yaml.safe_dump(data, allow_unicode=True) if pyyaml else _yaml(data)
    for at, piece in edits:
        at %= len(source) + 1
        source = source[:at] + piece + source[at:]
    _check(*_run_cli(project(), source.encode("utf-8", "surrogatepass")))


# Spec-shaped documents: the right keys, with values that are right, nearly right or wrong.
SPEC_KEYS = [
    "shop.order.get",
    "shop.order.create",
    "shop.orders",
    "shop.feature",
    "shop.order.created",
]
TYPES = [
    "Order",
    "OrderStatus",
    "Order[]",
    "Order?",
    "String",
    "Int",
    "JSON",
    "ID[]?",
    "Nope",
    "Float",
]
anything = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 700) | st.floats() | text,
    _small_containers,
    max_leaves=6,
)


def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(good, good, anything)


field_specs = maybe(
    st.one_of(
        st.sampled_from(TYPES),
        st.fixed_dictionaries(
            {"type": maybe(st.sampled_from(TYPES))},
            optional={
                "optional": maybe(st.booleans()),
                "nullable": maybe(st.booleans()),
                "default": anything,
                "examples": st.lists(anything, max_size=2),
                "description": maybe(text),
                "minimum": maybe(st.floats()),
                "maximum": maybe(st.integers()),
                "minLength": maybe(st.integers(-1, 5)),
                "pattern": maybe(st.sampled_from(["^a", "(", "[a-", "(?P<x>a)", "\\"])),
                "deprecated": maybe(st.booleans()),
            },
        ),
    )
)
fields_map = maybe(
    st.dictionaries(
        wire_names | st.sampled_from(["id", "status", "orderId"]), field_specs, max_size=4
    )
)
refs = maybe(
    st.sampled_from([*SPEC_KEYS, *(k + "@1.0.0" for k in SPEC_KEYS), "shop.order.get@9.9.9"])
)
spec_docs = st.fixed_dictionaries(
    {
        "kind": maybe(
            st.sampled_from(["command", "query", "event", "model", "enum", "capability", "feature"])
        )
    },
    optional={
        "key": maybe(st.sampled_from(SPEC_KEYS)),
        "version": maybe(st.sampled_from(["1.0.0", "2.0.0", "1.0.0-beta", "1.10"])),
        "name": maybe(st.sampled_from(["Order", "OrderStatus", "Client", "order"])),
        "title": maybe(text),
        "domain": maybe(st.sampled_from(["shop", "Shop", "con", "../.."])),
        "input": maybe(fields_map | st.sampled_from(["Order", "OrderStatus"])),
        "output": maybe(fields_map | st.sampled_from(["Order"])),
        "payload": fields_map,
        "fields": fields_map,
        "values": maybe(
            st.lists(maybe(text | st.fixed_dictionaries({"value": maybe(text)})), max_size=4)
        ),
        "errors": maybe(
            st.dictionaries(
                st.sampled_from(["NOT_FOUND", "A_B1", "A_B_1", "bad"]),
                maybe(
                    st.fixed_dictionaries(
                        {"http": maybe(st.integers(100, 700)), "description": maybe(text)}
                    )
                ),
                max_size=3,
            )
        ),
        "policy": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "auth": maybe(st.sampled_from(["user", "anonymous"])),
                    "pii": maybe(
                        st.lists(st.sampled_from(["input.id", "output.x", "id"]), max_size=2)
                    ),
                    "idempotent": maybe(st.booleans()),
                },
            )
        ),
        "transport": maybe(
            st.fixed_dictionaries(
                {
                    "rest": maybe(
                        st.fixed_dictionaries(
                            {},
                            optional={
                                "method": maybe(st.sampled_from(["GET", "POST", "DELETE"])),
                                "path": maybe(
                                    st.sampled_from(
                                        ["/a/{id}", "/a/{orderId}", "/a/../b", "/a/{x}", "/", "a"]
                                    )
                                    | text
                                ),
                            },
                        )
                    )
                }
            )
        ),
        "acceptance": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "examples": maybe(
                        st.lists(
                            maybe(
                                st.fixed_dictionaries(
                                    {"key": maybe(text)},
                                    optional={
                                        "input": anything,
                                        "output": anything,
                                        "error": maybe(st.sampled_from(["NOT_FOUND", "X"])),
                                    },
                                )
                            ),
                            max_size=2,
                        )
                    ),
                    "scenarios": anything,
                },
            )
        ),
        "capability": refs,
        "sideEffects": maybe(
            st.fixed_dictionaries(
                {
                    "emits": maybe(
                        st.lists(maybe(st.fixed_dictionaries({"event": refs})), max_size=2)
                    )
                }
            )
        ),
        "provides": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "operations": maybe(st.lists(refs, max_size=2)),
                    "events": maybe(st.lists(refs, max_size=2)),
                },
            )
        ),
        "requires": maybe(
            st.lists(
                maybe(
                    st.fixed_dictionaries(
                        {"capability": refs}, optional={"optional": maybe(st.booleans())}
                    )
                ),
                max_size=2,
            )
        ),
        "operations": maybe(st.lists(refs, max_size=2)),
        "type": maybe(st.sampled_from(["api", "data"])),
    },
)


def _yaml(data: Any) -> str:
    """contractgen's own serializer; PyYAML's where it refuses (.inf and .nan are legal YAML)."""
    try:
        return dump(data)
    except ValueError:
        return yaml.safe_dump(data, allow_unicode=True)


@FUZZ
@given(st.lists(spec_docs, min_size=1, max_size=5))
def test_spec_shaped_documents_never_crash(documents: list[dict[str, Any]]) -> None:
    assume(all(isinstance(d, dict) for d in documents))
    source = "---\n".join(_yaml(d) for d in documents)
    _check(*_run_cli(project(), source.encode("utf-8")))
