"""The command line as users meet it: help, exit codes, messages, scaffolds, schema, builds."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from contractgen import __version__

from .support import (
    FIXTURE_SPECS,
    REPO_ROOT,
    age_tree,
    available_targets,
    make_project,
    pyproject,
    run_cli,
    stat_tree,
    tree,
)

COMMANDS = ("build", "validate", "schema", "new")
KINDS = ("command", "query", "event", "model", "enum", "capability", "feature")
DIAGNOSTIC = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): error\[CG\d{3}\]: \S")
FAST_TARGETS = ["ir", "schema"]


# -- help, version, usage ---------------------------------------------------------------


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in COMMANDS:
        assert command in result.stdout
    assert "[tool.contractgen]" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command(command: str, tmp_path: Path) -> None:
    result = run_cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: contractgen {command}")


def test_build_help_documents_its_flags(tmp_path: Path) -> None:
    result = run_cli("build", "--help", cwd=tmp_path)
    for flag in ("--specs", "--out", "--target", "--check", "--timings", "--force"):
        assert flag in result.stdout


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"contractgen {__version__}"


def test_no_command_prints_help_and_exits_2(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path)
    assert result.returncode == 2
    assert "build" in result.stdout + result.stderr


def test_unknown_flag_exits_2(tmp_path: Path) -> None:
    result = run_cli("build", "--no-such-flag", cwd=tmp_path)
    assert result.returncode == 2
    assert "--no-such-flag" in result.stderr


# -- validate ---------------------------------------------------------------------------


def test_validate_valid_set(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", FAST_TARGETS)
    result = run_cli("validate", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "specs: ok (4 operations, 1 events" in result.stderr
    assert not (project / "generated").exists(), "validate must write nothing"


def test_validate_explain(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", FAST_TARGETS)
    result = run_cli("validate", "--explain", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "/carts/{cartId}/order" in result.stdout


BROKEN = {
    "shop/orders.yaml": """\
kind: command
key: shop.order.place
version: 1.0.0
title: Place Order
description: Place an order.
input:
  cartId: ID
  count: { type: Int, minimun: 1 }
output: { orderId: ID }
""",
    "shop/models.yaml": """\
kind: model
name: Money
description: An amount.
fields:
  amount: Int
colour: red
""",
    "shop/syntax.yaml": "kind: event\nkey: [unclosed\n",
}


def test_validate_invalid_set_reports_every_problem_with_positions(tmp_path: Path) -> None:
    project = tmp_path / "p"
    for rel, text in BROKEN.items():
        (project / "specs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / "specs" / rel).write_text(text, encoding="utf-8")
    (project / "pyproject.toml").write_text(pyproject(FAST_TARGETS))

    result = run_cli("validate", cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback (most recent call last)" not in output
    found = {}
    for line in result.stderr.splitlines():
        m = DIAGNOSTIC.match(line)
        if m:
            found[m["file"]] = (int(m["line"]), int(m["col"]))
    # One problem in each file, each at its place.
    assert set(found) == {f"specs/{rel}" for rel in BROKEN}, result.stderr
    assert found["specs/shop/orders.yaml"][0] == 8  # minimun
    assert found["specs/shop/models.yaml"][0] == 6  # colour
    assert "minimun" in result.stderr and "minimum" in result.stderr  # with a suggestion
    assert re.search(r"^\d+ error\(s\)", result.stderr, re.M)


def test_build_with_invalid_specs_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "specs").mkdir(parents=True)
    (project / "specs" / "orders.yaml").write_text(BROKEN["shop/orders.yaml"])
    (project / "pyproject.toml").write_text(pyproject(FAST_TARGETS))
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" not in result.stdout + result.stderr
    assert DIAGNOSTIC.search(result.stderr.splitlines()[0])
    assert not (project / "generated").exists()


# -- usage and configuration errors: exit 2 ------------------------------------------


def test_unknown_target_flag_exits_2(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", FAST_TARGETS)
    result = run_cli("build", "--target", "cobol", cwd=project)
    assert result.returncode == 2
    assert "cobol" in result.stderr
    assert "Traceback (most recent call last)" not in result.stderr
    assert not (project / "generated").exists()


def test_unknown_target_in_config_exits_2(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", ["ir", "cobol"])
    result = run_cli("build", cwd=project)
    assert result.returncode == 2
    assert "cobol" in result.stderr
    assert not (project / "generated").exists()


BAD_CONFIGS = {
    "unknown-key": ('[tool.contractgen]\ntargetz = ["ir"]\n', ["targetz", "targets"]),
    "unknown-nested-key": ('[tool.contractgen.python]\npakage = "x"\n', ["pakage", "package"]),
    "wrong-type": ('[tool.contractgen]\ntargets = "ir"\n', ["targets"]),
    "wrong-type-path": ("[tool.contractgen]\nspecs = 3\n", ["specs"]),
    "bad-package-name": ('[tool.contractgen.python]\npackage = "not-valid"\n', ["python.package"]),
    "invalid-toml": ('[tool.contractgen]\ntargets = ["ir"\n', ["pyproject.toml", "TOML"]),
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_bad_config_exits_2_naming_the_setting(name: str, tmp_path: Path) -> None:
    text, mentions = BAD_CONFIGS[name]
    project = tmp_path / "p"
    shutil.copytree(FIXTURE_SPECS, project / "specs")
    (project / "pyproject.toml").write_text(text)
    # Every command reads the settings the same way; `new` and `validate` are checked once.
    for command in ("build", "validate", "new") if name == "unknown-key" else ("build",):
        args = ("new", "model", "Thing") if command == "new" else (command,)
        result = run_cli(*args, cwd=project)
        assert result.returncode == 2, (command, result.stderr)
        assert "Traceback (most recent call last)" not in result.stderr
        assert result.stderr.startswith("contractgen: error:"), result.stderr
        for word in mentions:
            assert word in result.stderr, (word, result.stderr)
    assert not (project / "generated").exists()
    assert not (project / "specs" / "models").exists()


def test_contractgen_toml_unknown_key_exits_2(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(FIXTURE_SPECS, project / "specs")
    (project / "contractgen.toml").write_text('targets = ["ir"]\nouts = "x"\n')
    result = run_cli("build", cwd=project)
    assert result.returncode == 2
    assert "contractgen.toml" in result.stderr and "outs" in result.stderr


# -- new: scaffolds validate as they are -------------------------------------------------

SCAFFOLD_KEYS = {
    "command": "shop.order.create",
    "query": "shop.order.get",
    "event": "shop.order.created",
    "model": "OrderNote",
    "enum": "OrderKind",
    "capability": "shop.orders",
    "feature": "shop.ordering",
}


@pytest.mark.parametrize("kind", KINDS)
def test_new_scaffold_validates(kind: str, tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text(pyproject(FAST_TARGETS))
    result = run_cli("new", kind, SCAFFOLD_KEYS[kind], cwd=project)
    assert result.returncode == 0, result.stderr
    written = sorted((project / "specs").rglob("*.yaml"))
    assert len(written) == 1
    assert result.stdout.strip() == f"wrote {written[0].relative_to(project).as_posix()}"
    check = run_cli("validate", cwd=project)
    assert check.returncode == 0, (
        f"`new {kind}` wrote a spec that does not validate:\n{check.stderr}"
    )
    build = run_cli("build", cwd=project)
    assert build.returncode == 0, build.stderr


@pytest.fixture(scope="module")
def scaffolds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project holding one scaffold of every kind."""
    project = tmp_path_factory.mktemp("scaffolds")
    (project / "pyproject.toml").write_text(pyproject(FAST_TARGETS))
    for kind in KINDS:
        result = run_cli("new", kind, SCAFFOLD_KEYS[kind], cwd=project)
        assert result.returncode == 0, result.stderr
    return project


def test_every_scaffold_together_validates(scaffolds: Path) -> None:
    result = run_cli("validate", cwd=scaffolds)
    assert result.returncode == 0, result.stderr


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text(pyproject(FAST_TARGETS))
    assert run_cli("new", "command", "shop.order.create", cwd=project).returncode == 0
    path = project / "specs" / "shop" / "shop.order.create.yaml"
    path.write_text(path.read_text() + "# my edit\n")
    before = path.read_bytes()
    result = run_cli("new", "command", "shop.order.create", cwd=project)
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(("kind", "key"), [("command", "Shop.Order"), ("model", "order_note")])
def test_new_rejects_a_bad_key(kind: str, key: str, tmp_path: Path) -> None:
    result = run_cli("new", kind, key, cwd=tmp_path)
    assert result.returncode == 2
    assert key in result.stderr
    assert not (tmp_path / "specs").exists()


# -- schema ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What `contractgen schema` prints."""
    result = run_cli("schema", cwd=tmp_path_factory.mktemp("schema"))
    assert result.returncode == 0, result.stderr
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def test_schema_is_a_draft_2020_12_schema(schema: dict[str, object], tmp_path: Path) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    out = tmp_path / "schema.json"
    assert run_cli("schema", "-o", out, cwd=tmp_path).returncode == 0
    assert json.loads(out.read_text()) == schema


SCHEMA_OF_KIND = {
    "command": "OperationSpec",
    "query": "OperationSpec",
    "event": "EventSpec",
    "model": "ModelSpec",
    "enum": "EnumSpec",
    "capability": "CapabilitySpec",
    "feature": "FeatureSpec",
}


def _deepest(error: jsonschema.exceptions.ValidationError) -> jsonschema.exceptions.ValidationError:
    """The most specific reason behind an anyOf failure."""
    if not error.context:
        return error
    return max((_deepest(e) for e in error.context), key=lambda e: len(e.absolute_path))


def _schema_failures(schema: dict[str, object], files: list[Path], base: Path) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    failures = []
    for path in files:
        for index, document in enumerate(yaml.safe_load_all(path.read_text("utf-8"))):
            if validator.is_valid(document):
                continue
            # The top-level anyOf hides the reason: explain against the branch of the kind.
            branch = {**schema, "anyOf": [{"$ref": f"#/$defs/{SCHEMA_OF_KIND[document['kind']]}"}]}
            for error in jsonschema.Draft202012Validator(branch).iter_errors(document):
                error = _deepest(error)
                where = "/".join(str(p) for p in error.absolute_path)
                failures.append(
                    f"{path.relative_to(base).as_posix()} document {index} "
                    f"({document['kind']}) at '{where}': {error.message[:160]}"
                )
    return failures


def test_schema_accepts_every_harness_spec(schema: dict[str, object]) -> None:
    files = sorted((REPO_ROOT / "specs" / "harness").rglob("*.yaml"))
    assert len(files) >= 5, "specs/harness is missing"
    failures = _schema_failures(schema, files, REPO_ROOT)
    assert not failures, "valid specs rejected by `contractgen schema`:\n" + "\n".join(failures)


def test_schema_accepts_the_fixture_specs_and_scaffolds(
    schema: dict[str, object], scaffolds: Path
) -> None:
    failures = [
        *_schema_failures(schema, sorted(FIXTURE_SPECS.rglob("*.yaml")), FIXTURE_SPECS),
        *_schema_failures(schema, sorted((scaffolds / "specs").rglob("*.yaml")), scaffolds),
    ]
    assert not failures, "valid specs rejected by `contractgen schema`:\n" + "\n".join(failures)


def test_schema_rejects_an_unknown_key(schema: dict[str, object]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    document = {"kind": "enum", "name": "Colour", "values": [{"value": "red"}], "colour": "red"}
    assert not validator.is_valid(document)


# -- build -------------------------------------------------------------------------------

STAGE = re.compile(r"^(?P<stage>[a-z][a-z+ ]*?)\s+\d+\.\d ms$")


def test_build_timings_prints_stage_lines(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", FAST_TARGETS)
    result = run_cli("build", "--timings", cwd=project)
    assert result.returncode == 0, result.stderr
    stages = [m["stage"] for m in map(STAGE.match, result.stderr.splitlines()) if m]
    for stage in ("load", "check+ir", "target ir", "target schema", "write", "total"):
        assert stage in stages, result.stderr
    assert stages[-1] == "total"


def test_noop_second_build_rewrites_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", available_targets())
    first = run_cli("build", cwd=project)
    assert first.returncode == 0, first.stderr
    out = project / "generated"
    age_tree(out)
    before, before_stat = tree(out), stat_tree(out)

    second = run_cli("build", cwd=project)
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stderr
    assert tree(out) == before
    assert stat_tree(out) == before_stat, "an unchanged build rewrote files"

    # --force regenerates everything, and still writes nothing that did not change.
    forced = run_cli("build", "--force", cwd=project)
    assert forced.returncode == 0, forced.stderr
    assert "0 written, 0 deleted" in forced.stderr
    assert stat_tree(out) == before_stat, "--force rewrote unchanged files"


def test_build_writes_only_what_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", FAST_TARGETS)
    assert run_cli("build", cwd=project).returncode == 0
    out = project / "generated"
    age_tree(out)
    before = stat_tree(out)
    spec = project / "specs" / "shop" / "shop.order.refund.yaml"
    spec.write_text(spec.read_text().replace("money back", "money returned"))
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    after = stat_tree(out)
    changed = {p for p in before if before[p] != after.get(p)}
    assert changed == {"ir/contracts.json", ".contractgen-manifest.json"}
    assert "money returned" in (out / "ir" / "contracts.json").read_text()


def test_build_after_deleting_a_spec_removes_its_files_only(tmp_path: Path) -> None:
    targets = available_targets()
    project = make_project(tmp_path / "p", targets)
    assert run_cli("build", cwd=project).returncode == 0
    out = project / "generated"
    hand_written = {
        "NOTES.md": "# Written by hand\n",
        "docs/extra.md": "kept\n",
        "ir/shop.order.refund.txt": "not generated, even if the name says so\n",
    }
    for rel, text in hand_written.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    manifest = json.loads((out / ".contractgen-manifest.json").read_text())
    before = set(tree(out))

    (project / "specs" / "shop" / "shop.order.refund.yaml").unlink()
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    after = tree(out)

    deleted = before - set(after)
    assert deleted, f"no file was deleted; targets {targets} have no file per spec"
    assert deleted <= set(manifest["files"]), "deleted a file contractgen never generated"
    assert all("refund" in p.lower() for p in deleted), sorted(deleted)
    assert set(after) <= before, "deleting a spec created files"
    assert not any("refund" in p.lower() for p in after if p in manifest["files"]), sorted(after)
    for rel, text in hand_written.items():
        assert after[rel] == text.encode(), rel
    assert b"shop.order.refund" not in after["ir/contracts.json"]
    assert f"{len(deleted)} deleted" in result.stderr
