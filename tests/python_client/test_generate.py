"""What the python target generates: layout, names and aliases, escaping, cost, determinism."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import inspect
import io
import itertools
import json
import os
import subprocess
import sys
import tokenize
import typing
from pathlib import Path

import pytest

from contractgen.config import PythonSettings, Settings
from contractgen.diagnostics import Diagnostics, SpecError
from contractgen.ir.models import ContractSet
from contractgen.pipeline import GENERATOR, load_contracts
from contractgen.targets import python_models
from contractgen.targets.base import RenderContext
from contractgen.targets.python_client import RUNTIME_DIR, PythonClientTarget

from .conftest import (
    KITCHEN_SPECS,
    REPO,
    Generated,
    harness_settings,
    import_generated,
    kitchen_settings,
)

HOSTILE_MODEL_DOC = 'Model """ doc \\ {{ x }} {% if %}\r\nline "q" \'single\''
HOSTILE_FIELD_DOC = '""")\nimport os  # injected?'
HOSTILE_OP_DOC = (
    'Triple """ quotes, a backslash \\ and \\n, a CR\r\nthen {{ x }} and {% if %} '
    "and 'single' \"double\"."
)


def _tree(gen: Generated, rel: str) -> ast.Module:
    return ast.parse((gen.package_dir / rel).read_text("utf-8"))


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}


def _doc(node: ast.AST) -> str:
    """A docstring as help() shows it (cleaned), exactly."""
    raw = ast.get_docstring(node, clean=False)  # type: ignore[arg-type]
    assert raw is not None
    return inspect.cleandoc(raw)


def _render(cs: ContractSet, settings: Settings) -> dict[str, bytes]:
    return (
        PythonClientTarget().render(cs, RenderContext(settings=settings, generator=GENERATOR)).files
    )


def _contracts(specs: Path) -> ContractSet:
    return load_contracts(Settings(root=REPO, specs=specs), Diagnostics())


# -- layout ---------------------------------------------------------------------------------


def test_layout_is_few_files_per_domain(harness: Generated) -> None:
    files = set(harness.files())
    pkg = "harness_client"
    assert files == {
        "README.md",
        "pyproject.toml",
        f"{pkg}/__init__.py",
        f"{pkg}/py.typed",
        f"{pkg}/_client.py",
        f"{pkg}/errors.py",
        f"{pkg}/events.py",
        f"{pkg}/models/__init__.py",
        f"{pkg}/models/harness.py",
        f"{pkg}/_operations/__init__.py",
        f"{pkg}/_operations/_base.py",
        f"{pkg}/_operations/harness.py",
        *(f"{pkg}/_runtime/{p.name}" for p in RUNTIME_DIR.glob("*.py")),
    }


def test_runtime_is_copied_verbatim(harness: Generated) -> None:
    for src in sorted(RUNTIME_DIR.glob("*.py")):
        copied = harness.package_dir / "_runtime" / src.name
        assert copied.read_bytes() == src.read_bytes(), src.name


def test_project_metadata(kitchen: Generated) -> None:
    import tomllib

    project = tomllib.loads((kitchen.root / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["name"] == "kitchen-client"
    assert project["project"]["version"] == "2.1.0"
    deps = project["project"]["dependencies"]
    assert any(d.startswith("pydantic>=2") for d in deps) and any(
        d.startswith("httpx") for d in deps
    )
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["kitchen_client"]
    pkg = import_generated(kitchen)
    assert pkg.__version__ == "2.1.0"
    assert {"Client", "AsyncClient", "RetryPolicy", "ApiError", "ClientError"} <= set(pkg.__all__)


# -- names and aliases ---------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["harness", "kitchen"])
def test_model_names_and_aliases_are_the_irs(which: str, request: pytest.FixtureRequest) -> None:
    gen: Generated = request.getfixturevalue(which)
    models = import_generated(gen, "models")
    for m in gen.contracts.models:
        cls = getattr(models, m.name)
        assert cls.__name__ == m.name
        assert list(cls.model_fields) == [f.py_name for f in m.fields], m.name
        for f in m.fields:
            alias = cls.model_fields[f.py_name].alias
            assert alias == (None if f.py_name == f.name else f.name), (m.name, f.name)
    for e in gen.contracts.enums:
        cls = getattr(models, e.name)
        assert [(member.name, member.value) for member in cls] == [
            (v.py_name, v.value) for v in e.values
        ]


def test_fields_accept_python_and_wire_names(kitchen: Generated) -> None:
    models = import_generated(kitchen, "models")
    by_py = models.OrderLine(sku="A", unit_price=1.0)
    by_wire = models.OrderLine.model_validate({"sku": "A", "unitPrice": 1.0})
    assert by_py == by_wire
    assert by_py.model_dump(by_alias=True, exclude_unset=True) == {"sku": "A", "unitPrice": 1.0}
    invoice = models.Invoice(invoice_id="i", total=1)
    assert invoice.currency == "EUR"  # spec default


def test_models_of_domains_in_a_cycle_share_one_module(kitchen: Generated) -> None:
    shop = (kitchen.package_dir / "models" / "shop.py").read_text("utf-8")
    billing = (kitchen.package_dir / "models" / "billing.py").read_text("utf-8")
    assert "class Invoice(BaseModel)" in shop and "class Order(BaseModel)" in shop
    assert "from .shop import" in billing and "class " not in billing
    models = import_generated(kitchen, "models")
    billing_mod = import_generated(kitchen, "models.billing")
    assert billing_mod.Invoice is models.Invoice


def test_signatures(kitchen: Generated, harness: Generated) -> None:
    kpkg = import_generated(kitchen)
    client = kpkg.Client("https://kitchen.example", token="t")
    sig = inspect.signature(client.shop.order.get)
    params = sig.parameters
    assert list(params) == ["order_id", "expand", "status", "since", "limit", "flag"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert params["order_id"].default is inspect.Parameter.empty
    assert params["limit"].default == 10 and params["expand"].default is None
    create = inspect.signature(client.shop.order.create).parameters
    assert create["status"].default is import_generated(kitchen, "models").OrderStatus.IN_PROGRESS
    assert "self" in create  # a field named self: the receiver is _self
    assert inspect.signature(kpkg.Client).parameters["api_key_header"].default == "X-Kitchen-Key"
    assert inspect.signature(kpkg.Client).parameters["base_url"].default is inspect.Parameter.empty
    hpkg = import_generated(harness)
    server = harness_settings(REPO).openapi.servers[0].url
    assert inspect.signature(hpkg.Client).parameters["base_url"].default == server
    assert "api_key" not in inspect.signature(hpkg.Client).parameters  # bearer only
    client.close()
    doc = inspect.getdoc(client.shop.order.get)
    assert doc is not None
    assert doc.startswith(
        "Get Order\n\nFetch one order.\n\nGoal: Show an order.\n\nContext: Used by"
    )
    for section in (
        "Args:\n    order_id: The order. Sent as ``orderId``.",
        "Returns:\n    Order:",
        "Raises:\n    OrderNotFoundError: HTTP 404",
    ):
        assert section in doc


# -- errors and events ----------------------------------------------------------------------------


def test_one_error_class_per_code(kitchen: Generated) -> None:
    errors = import_generated(kitchen, "errors")
    tree = _tree(kitchen, "errors.py")
    classes = _classes(tree)
    declared = {e.py_class: e for op in kitchen.contracts.operations for e in op.errors}
    assert set(classes) == set(declared)
    cls = errors.OrderNotFoundError
    assert issubclass(cls, errors.ApiError) and issubclass(cls, errors.ClientError)
    assert (cls.error_code, cls.http_status) == ("ORDER_NOT_FOUND", 404)
    doc = _doc(classes["OrderNotFoundError"])
    assert doc.startswith("No order has this id.\n\nWhen: The orderId matches no order.")
    for call in (
        "client.shop.order.get()",
        "client.shop.order.cancel()",
        "client.shop.order.replace()",
    ):
        assert f"``{call}``" in doc
    for name in (
        "UnexpectedStatusError",
        "TransportError",
        "RequestTimeoutError",
        "ResponseDecodeError",
        "UnknownEventError",
    ):
        assert name in errors.__all__ and issubclass(getattr(errors, name), errors.ClientError)


def test_parse_event(harness: Generated, kitchen: Generated) -> None:
    events = import_generated(harness, "events")
    models = import_generated(harness, "models")
    assert set(events.EVENT_TYPES) == {(e.key, e.version) for e in harness.contracts.events}
    assert set(typing.get_args(events.Event)) == {
        getattr(models, e.payload) for e in harness.contracts.events
    }
    envelope = {
        "key": "harness.run.started",
        "version": "1.0.0",
        "id": "evt_1",
        "occurredAt": "2026-01-01T00:00:00Z",
        "payload": {"runId": "r1", "mode": "browser", "startedAt": "2026-01-01T00:00:00Z"},
    }
    payload = events.parse_event(envelope)
    assert isinstance(payload, models.HarnessRunStartedPayload) and payload.run_id == "r1"
    assert events.parse_event(json.dumps(envelope)) == payload
    with pytest.raises(events.UnknownEventError) as unknown:
        events.parse_event({**envelope, "key": "harness.run.exploded"})
    assert unknown.value.known_versions == ()
    with pytest.raises(events.UnknownEventError) as version:
        events.parse_event({**envelope, "version": "9.0.0"})
    assert version.value.known_versions == ("1.0.0",)
    with pytest.raises(events.InvalidEventError):
        events.parse_event({**envelope, "payload": {"runId": "r1"}})

    kevents = import_generated(kitchen, "events")
    kmodels = import_generated(kitchen, "models")
    old = kevents.parse_event(
        {"key": "shop.order.cancelled", "version": "1.0.0", "payload": {"orderId": "o"}}
    )
    new = kevents.parse_event(
        {"key": "shop.order.cancelled", "version": "2.0.0", "payload": {"orderId": "o"}}
    )
    assert type(old) is kmodels.ShopOrderCancelledV1_0_0Payload
    assert type(new) is kmodels.ShopOrderCancelledPayload


# -- spec text is data ----------------------------------------------------------------------------


def test_hostile_spec_text_becomes_exact_docstrings(kitchen: Generated) -> None:
    models = _classes(_tree(kitchen, "models/hostile.py"))
    assert _doc(models["HostileText"]) == HOSTILE_MODEL_DOC
    body = models["HostileText"].body
    field_docs = [
        (stmt.target.id, inspect.cleandoc(ast.literal_eval(nxt.value)))
        for stmt, nxt in itertools.pairwise(body)
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and isinstance(nxt, ast.Expr)
        and isinstance(nxt.value, ast.Constant)
    ]
    assert ("text", HOSTILE_FIELD_DOC) in field_docs
    assert _doc(models["HostileMode"]) == 'Enum """ {{ x }}'
    ops = _classes(_tree(kitchen, "_operations/hostile.py"))
    echo = next(
        n
        for n in ops["HostileTextOperations"].body
        if isinstance(n, ast.FunctionDef) and n.name == "echo"
    )
    doc = _doc(echo)
    assert doc.startswith(
        'Echo """ \' {{ x }}\n\n' + HOSTILE_OP_DOC + '\n\nGoal: Goal with """ and \\\n\n'
    )
    assert "Context: Context {% raw %} \r end" in doc
    errors = _classes(_tree(kitchen, "errors.py"))
    assert _doc(errors["HostileErrorError"]).startswith(
        'Error """ {{ x }} \\\n\nWhen: When """ {% if %} \r'
    )
    # The wire names are aliases, exactly.
    from_models = import_generated(kitchen, "models")
    assert from_models.HostileText.model_fields["weird_key"].alias == 'weird"key'
    assert from_models.HostileMode("{{ x }}") is from_models.HostileMode.X


def test_no_spec_text_outside_string_literals(kitchen: Generated) -> None:
    """The hostile text is only ever inside string tokens, and adds no import or name."""
    allowed = {
        "__future__",
        "collections.abc",
        "datetime",
        "enum",
        "functools",
        "typing",
        "httpx",
        "pydantic",
    }
    for path in sorted(kitchen.package_dir.rglob("*.py")):
        if "_runtime" in path.parts:
            continue  # copied verbatim from contractgen/runtime
        text = path.read_text("utf-8")
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type not in (tokenize.STRING, tokenize.COMMENT):
                assert tok.string not in ("{{", "{%", "os", "injected"), (path, tok)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                assert {a.name for a in node.names} <= allowed, (path, ast.unparse(node))
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module in allowed, (path, ast.unparse(node))
            elif isinstance(node, ast.Name):
                assert node.id != "os", path


def test_generated_source_has_no_raw_control_characters(kitchen: Generated) -> None:
    """Separators and controls in spec text (NEL, LS, VT, FF, bidi) appear only as escapes."""
    for path in sorted(kitchen.package_dir.rglob("*.py")):
        text = path.read_text("utf-8")
        raw = sorted({hex(ord(ch)) for ch in text if ch != "\n" and not ch.isprintable()})
        assert raw == [], (path, raw)
    models = import_generated(kitchen, "models")
    assert models.HostileText(text="t").note == "line\u2028sep\x85nel\x0bvt\x0cff\u202ebidi"
    assert models.HostileMode("nel\x85vt\x0bff\x0c") is models.HostileMode.NEL_VT_FF


# -- cost, caching, determinism -------------------------------------------------------------------


def _load_gen_specs() -> typing.Any:
    spec = importlib.util.spec_from_file_location("gen_specs", REPO / "bench" / "gen_specs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_model_generator_runs_once_per_module_not_per_model(tmp_path: Path) -> None:
    gen_specs = _load_gen_specs()
    settings = Settings(root=REPO, python=PythonSettings(package="bench_client"))
    counts = {}
    for n in (50, 100):
        gen_specs.generate(n, tmp_path / str(n))
        cs = _contracts(tmp_path / str(n))
        python_models._cache.clear()
        before = python_models.calls
        files = _render(cs, settings)
        modules = [p for p in files if "/models/" in p and not p.endswith("__init__.py")]
        counts[n] = (python_models.calls - before, len(modules), len(cs.models))
        # A second render of the same IR reuses every module: no generator call.
        again = python_models.calls
        assert _render(cs, settings) == files
        assert python_models.calls == again
    # One call per output module, however many models (and operations) it holds.
    for calls, modules, _ in counts.values():
        assert calls == modules
    assert counts[100][2] > counts[50][2] and counts[100][0] == 2 * counts[50][0]


def test_output_does_not_depend_on_hash_seed(kitchen: Generated, tmp_path: Path) -> None:
    script = (
        "import sys, hashlib, json\n"
        "from pathlib import Path\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from python_client.conftest import kitchen_settings\n"
        "from contractgen.pipeline import build\n"
        "s = kitchen_settings(Path(sys.argv[2]))\n"
        "build(s, ['python'], force=True)\n"
    )
    procs = []
    for seed in ("1", "987"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = tmp_path / seed
        procs.append(
            (
                out,
                subprocess.Popen(
                    [sys.executable, "-c", script, str(REPO / "tests"), str(out)],
                    env=env,
                    cwd=REPO,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    expected = {p: hashlib.sha256(t.encode()).hexdigest() for p, t in kitchen.files().items()}
    for out, proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        got = {
            p.relative_to(out / "python").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((out / "python").rglob("*"))
            if p.is_file()
        }
        assert got == expected


# -- names the generated code cannot take are reported at their spec ----------------------------


def _errors_of(text: str, tmp_path: Path) -> list[str]:
    (tmp_path / "s.yaml").write_text(text, "utf-8")
    cs = _contracts(tmp_path)
    with pytest.raises(SpecError) as info:
        _render(cs, kitchen_settings(tmp_path / "out"))
    return [d.plain() for d in info.value.diagnostics.sorted()]


def test_field_the_models_cannot_name_is_reported(tmp_path: Path) -> None:
    errors = _errors_of(
        "kind: model\nname: Thing\nfields:\n  ok: String\n  str: String\n", tmp_path
    )
    assert len(errors) == 1
    assert (
        "s.yaml:5:3: error[CG960]: field 'str' of Thing cannot be the Python attribute 'str'"
        in errors[0]
    )


def test_type_named_like_a_model_import_is_reported(tmp_path: Path) -> None:
    errors = _errors_of("kind: model\nname: Field\nfields:\n  a: String\n", tmp_path)
    assert len(errors) == 1 and "error[CG961]: type name 'Field'" in errors[0]


def test_namespace_named_like_a_client_attribute_is_reported(tmp_path: Path) -> None:
    errors = _errors_of("kind: query\nkey: user_agent.ping\nversion: 1.0.0\n", tmp_path)
    assert len(errors) == 1 and "error[CG962]: client.user_agent" in errors[0]


def test_kitchen_specs_exist() -> None:
    assert sorted(p.name for p in KITCHEN_SPECS.glob("*.yaml")) == [
        "events.yaml",
        "hostile.yaml",
        "models.yaml",
        "operations.yaml",
    ]
