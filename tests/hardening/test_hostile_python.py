"""The Python client of the hostile spec set: compiles, holds the text exactly, runs none of it.

Cases 2 (text breaking out of strings, docstrings, comments) and 3 (spec
values reaching code as literals), on the python surface:

* every generated module compiles, and spec text is only ever inside string
  tokens (never an f-string or a comment; names made from it are plain
  identifiers chosen by ir/naming.py);
* every docstring holds its slot's text exactly, by the contract of
  ``escape.py_docstring(text, indent)`` (:func:`support.undent`: exact for any
  text, tabs and trailing spaces included; ``inspect.cleandoc`` is not);
  Google-style ``Args:``/``Raises:`` entries by :func:`item`;
* defaults, enum values, error codes, wire names and paths are literals whose
  values (``ast.literal_eval``) are the spec's;
* importing every module, reading every docstring and validating every
  example with ``-W error`` creates no ``CANARY`` file.
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path
from typing import Any

import pytest

from contractgen.ir import naming

from .make_specs import enum_name, error_code, model_name
from .payloads import CANARY, PAYLOADS
from .support import PACKAGE, Built, undent

NAMES = sorted(PAYLOADS)


@pytest.fixture(scope="module")
def package(hostile_python: Built) -> Path:
    return hostile_python.out / "python" / PACKAGE


def own_modules(package: Path) -> list[Path]:
    """Generated modules (the runtime is copied verbatim from contractgen.runtime)."""
    return [p for p in sorted(package.rglob("*.py")) if "_runtime" not in p.parts]


def tree(package: Path, rel: str) -> ast.Module:
    return ast.parse((package / rel).read_text("utf-8"))


def classes(module: ast.Module) -> dict[str, ast.ClassDef]:
    return {n.name: n for n in module.body if isinstance(n, ast.ClassDef)}


def doc_of(node: ast.AST, indent: int) -> str:
    raw = ast.get_docstring(node, clean=False)  # type: ignore[arg-type]
    assert raw is not None, ast.dump(node)[:200]
    return undent(raw, indent)


def block(text: str) -> str:
    """A class docstring of several lines ends with a line break (closing quotes alone)."""
    return text + "\n" if "\n" in text else text


def item(name: str, text: str) -> str:
    """One ``name: text`` entry of an Args/Raises section (python_client._doc_item)."""
    lines = text.split("\n")
    out = f"    {name}: {lines[0]}".rstrip()
    for line in lines[1:]:
        out += "\n" + (f"        {line}" if line.strip() else "")
    return out


def member_docs(cls: ast.ClassDef, indent: int) -> dict[str, str]:
    """Attribute name -> the docstring that follows its statement."""
    out: dict[str, str] = {}
    for stmt, nxt in zip(cls.body, cls.body[1:], strict=False):
        target = stmt.target if isinstance(stmt, ast.AnnAssign) else None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
        if (
            isinstance(target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            out[target.id] = undent(nxt.value.value, indent)
    return out


def assignments(cls: ast.ClassDef) -> dict[str, Any]:
    """Attribute name -> the literal value assigned to it in the class body."""
    out: dict[str, Any] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            out[stmt.target.id] = ast.literal_eval(stmt.value)
        elif (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id != "model_config"
        ):
            out[stmt.targets[0].id] = ast.literal_eval(stmt.value)
    return out


def models_module(package: Path) -> str:
    [module] = [p.name for p in (package / "models").glob("*.py") if p.name != "__init__.py"]
    return f"models/{module}"


# -- it is Python, and the text stays inside strings ----------------------------------------


def test_every_module_compiles(package: Path) -> None:
    files = sorted(package.rglob("*.py"))
    assert len(files) > 8
    for path in files:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)


def test_spec_text_is_only_inside_string_literals(package: Path) -> None:
    for path in own_modules(package):
        text = path.read_text("utf-8")
        comments = []
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING:
                prefix = tok.string[: len(tok.string) - len(tok.string.lstrip("rRbBuUfF"))]
                assert "f" not in prefix.lower(), (path, tok.string[:80])  # no f-string
                continue
            if tok.type == tokenize.COMMENT:
                comments.append(tok.string)
                continue
            if tok.type == tokenize.NAME:
                # Names made from spec text (enum members, attributes) are identifiers
                # by construction (ir/naming.py); none is a call.
                assert tok.string.isidentifier() and tok.string != "__import__", (path, tok)
                continue
            assert CANARY not in tok.string and "__import__" not in tok.string, (path, tok)
        assert comments == ["# Generated by contractgen 0.1.0. Do not edit."], (path, comments)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Name | ast.Attribute):
                name = node.id if isinstance(node, ast.Name) else node.attr
                assert name not in ("__import__", "eval", "exec", "system", "popen", "touch"), path
            if isinstance(node, ast.JoinedStr):
                raise AssertionError(f"f-string in {path}")


# -- docstrings hold the text exactly ---------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_model_and_enum_docstrings(name: str, package: Path) -> None:
    p = PAYLOADS[name]
    found = classes(tree(package, models_module(package)))
    model = found[model_name(name)]
    assert doc_of(model, 4) == block(p)
    assert member_docs(model, 4) == {"text": p, "items": p, "children": p}
    enum = found[enum_name(name)]
    assert doc_of(enum, 4) == block(p)
    assert list(member_docs(enum, 4).values()) == [p, p]
    base = naming.pascal_case(f"hostile.{name}")
    assert member_docs(found[f"{base}RunInput"], 4) == {
        "run_id": p,
        "text": p,
        "mode": p,
        "note": p,
    }
    assert member_docs(found[f"{base}RunOutput"], 4) == {"run_id": p, "text": p}
    assert member_docs(found[f"{base}DonePayload"], 4) == {"run_id": p, "text": p}


@pytest.mark.parametrize("name", NAMES)
def test_error_class_docstring(name: str, package: Path) -> None:
    p = PAYLOADS[name]
    code = error_code(name)
    cls = classes(tree(package, "errors.py"))[naming.error_class(code)]
    assert doc_of(cls, 4) == block(
        f"{p}\n\nWhen: {p}\n\nError code ``{code}``, HTTP 409. Declared by:\n\n"
        f"- ``client.hostile.{name}.run()``"
    )


@pytest.mark.parametrize("name", NAMES)
def test_operation_docstrings(name: str, package: Path) -> None:
    p = PAYLOADS[name]
    code = error_code(name)
    found = classes(tree(package, "_operations/hostile.py"))
    cls_name = naming.pascal_case(f"hostile.{name}") + "Operations"
    for cls in (found[cls_name], found["Async" + cls_name]):
        [method] = [
            n
            for n in cls.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == "run"
        ]
        doc = doc_of(method, 8)
        head = f"{p}\n\n{p}\n\nGoal: {p}\n\nContext: {p}\n\n``POST /hostile/{name}/{{runId}}``:"
        assert doc.startswith(head), doc[:300]
        for entry in (
            item("run_id", f"{p} Sent as ``runId``."),
            item("mode", f"{p} Left out of the request when None."),
            item("note", f"{p} Left out of the request when None."),
            item(naming.error_class(code), f"HTTP 409 ``{code}``: {p} When: {p}"),
        ):
            assert "\n" + entry + "\n" in doc, entry


# -- values are literals ----------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_values_are_literals_equal_to_the_spec(name: str, package: Path) -> None:
    p = PAYLOADS[name]
    found = classes(tree(package, models_module(package)))
    assert assignments(found[model_name(name)]) == {"text": p, "items": [p, p], "children": None}
    enum = assignments(found[enum_name(name)])
    assert list(enum.values()) == [p, "plain"]
    base = naming.pascal_case(f"hostile.{name}")
    assert assignments(found[f"{base}RunInput"])["text"] == p
    assert assignments(found[f"{base}DonePayload"])["text"] == p
    code = error_code(name)
    error = assignments(classes(tree(package, "errors.py"))[naming.error_class(code)])
    assert error == {"error_code": code, "http_status": 409}
    ops = classes(tree(package, "_operations/hostile.py"))
    [method] = [
        n
        for n in ops[base + "Operations"].body
        if isinstance(n, ast.FunctionDef) and n.name == "run"
    ]
    defaults = {
        arg.arg: ast.literal_eval(d)
        for arg, d in zip(method.args.kwonlyargs, method.args.kw_defaults, strict=True)
        if d is not None
    }
    assert defaults == {"text": p, "mode": None, "note": None}
    calls = [n for n in ast.walk(method) if isinstance(n, ast.Call)]
    keywords = {k.arg: k.value for c in calls for k in c.keywords if k.arg}
    assert ast.literal_eval(keywords["path"]) == f"/hostile/{name}/{{runId}}"
    assert ast.literal_eval(keywords["method"]) == "POST"
    dict_keys = [
        ast.literal_eval(k)
        for n in ast.walk(method)
        if isinstance(n, ast.Dict)
        for k in n.keys
        if k
    ]
    assert sorted(set(dict_keys)) == ["mode", "note", "runId", "text"]


# -- importing runs nothing ---------------------------------------------------------------------

IMPORT_EVERYTHING = """
import importlib, inspect, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
payloads = json.loads(sys.argv[2])
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    module = importlib.import_module(info.name)
    inspect.getdoc(module)
    for value in vars(module).values():
        inspect.getdoc(value)
        for attr, member in vars(value).items() if inspect.isclass(value) else ():
            if not attr.startswith("__"):
                inspect.getdoc(member)
models, events = package.models, package.events
client = package.Client("http://127.0.0.1:9", token="t")
for name, p in payloads.items():
    base = "Hostile" + "".join(w.capitalize() for w in name.split("."))
    enum = getattr(models, "HostileEnum" + name.capitalize())
    assert enum(p).value == p
    model = getattr(models, "Hostile" + name.capitalize())
    made = model()
    assert made.text == p and made.items == [p, p]
    assert model.model_validate({"text": p, "children": [{"text": p}]}).children[0].text == p
    run_input = getattr(models, base + "RunInput").model_validate(
        {"runId": p, "text": p, "mode": p, "note": {"text": p}}
    )
    assert run_input.run_id == p and run_input.mode.value == p
    event = events.parse_event({"key": "hostile." + name + ".done", "version": "1.0.0", "payload": {"runId": p}})
    assert event.text == p
    method = getattr(getattr(client.hostile, name), "run")
    assert inspect.signature(method).parameters["text"].default == p
    inspect.getdoc(method)
client.close()
print("imported")
"""


def test_importing_the_package_runs_no_spec_text(hostile_python: Built, tmp_path: Path) -> None:
    import json

    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", IMPORT_EVERYTHING, PACKAGE, json.dumps(PAYLOADS)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(hostile_python.out / "python"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "imported"
    assert list(tmp_path.iterdir()) == [], "spec text ran"
    assert not (hostile_python.out / "python" / CANARY).exists()
    assert not (Path.cwd() / CANARY).exists()
