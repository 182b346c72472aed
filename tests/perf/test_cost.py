"""Cost tests: they count work (ruff runs, generator calls, cache misses, files
written), not time, so they hold on any machine and catch a regression to
per-model or per-file work before a benchmark would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.diagnostics import SpecError
from contractgen.output.cache import CACHE_DIR
from contractgen.targets import python_models

from .conftest import Project, model_modules

MakeProject = Callable[[int], Project]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


# -- a cold build: the work grows with modules, not with models -------------------------


def test_one_ruff_run_and_one_generator_call_per_module_as_the_set_grows(
    project: MakeProject,
) -> None:
    seen = {}
    for n in (50, 150):
        p = project(n)
        built = p.build(use_cache=False)
        modules = model_modules(built.result)
        models = len(built.result.contracts.models) if built.result.contracts else 0
        seen[n] = (built.ruff, built.generator, len(modules), models)
        assert built.ruff == 1
        assert built.generator == len(modules)
    # Three times the operations: three times the models and modules, still one ruff run.
    assert seen[150][3] > 2.5 * seen[50][3]
    assert seen[150][1] == seen[150][2] == 3 * seen[50][2]


def test_worker_processes_make_the_same_models(
    project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = project(150)
    monkeypatch.setenv("CONTRACTGEN_MODEL_WORKERS", "0")
    in_process = p.build(use_cache=False, force=True)
    expected = p.tree()
    python_models._cache.clear()
    monkeypatch.setenv("CONTRACTGEN_MODEL_WORKERS", "2")
    pooled = p.build(use_cache=False, force=True)
    assert pooled.result.written == [] and p.tree() == expected
    assert pooled.generator == in_process.generator == len(model_modules(pooled.result))


def test_the_pool_starts_only_for_enough_models() -> None:
    small = [_job(100), _job(100)]
    large = [_job(300), _job(300)]
    env = os.environ.pop("CONTRACTGEN_MODEL_WORKERS", None)
    try:
        assert python_models._pool_workers(small) == 0
        assert python_models._pool_workers(large[:1]) == 0  # one module: nothing to share
        assert python_models._pool_workers(large) == min(2, os.cpu_count() or 1) or (
            (os.cpu_count() or 1) < 2
        )
    finally:
        if env is not None:
            os.environ["CONTRACTGEN_MODEL_WORKERS"] = env


def _job(models: int) -> python_models.ModelJob:
    group = python_models._Group(["m"])
    group.models.extend([None] * models)  # type: ignore[list-item]
    return python_models.ModelJob(group, {}, "", "p", "h")


# -- a build with nothing to do -----------------------------------------------------------


def test_a_no_op_build_rewrites_no_file(project: MakeProject) -> None:
    p = project(50)
    p.build()
    before = {f: os.stat(p.out / f).st_mtime_ns for f in p.tree()}
    again = p.build()
    assert again.result.up_to_date_fast and again.result.written == []
    assert again.ruff == again.generator == 0
    # Forced through every stage, it still writes nothing, runs neither ruff nor the
    # generator (the cache has every module and every formatted file).
    forced = p.build(force=True)
    assert forced.result.written == [] and forced.result.deleted == []
    assert forced.ruff == forced.generator == 0
    assert forced.misses("models") == forced.misses("format") == 0
    assert {f: os.stat(p.out / f).st_mtime_ns for f in p.tree()} == before


def test_an_unchanged_tree_is_verified_without_reading_it(project: MakeProject) -> None:
    p = project(50)
    p.build()
    p.build()  # the first build's newest files were too recent to trust by stat
    # A file edited by hand after the build is found (size and mtime changed).
    target = p.out / "docs" / "docs" / "index.md"
    target.write_bytes(target.read_bytes() + b"\n")
    again = p.build()
    assert not again.result.up_to_date_fast
    assert again.result.written == ["docs/docs/index.md"]


# -- one spec edited ------------------------------------------------------------------------


def test_an_edited_description_reruns_no_generator_and_one_module(
    project: MakeProject, tmp_path: Path
) -> None:
    p = project(100)
    first = p.build()
    modules = model_modules(first.result)
    edit(p.spec_files()[0], "description: Detail of a account.", "description: Edited detail.")
    again = p.build()
    # The generator never sees descriptions: no call. One module's docstrings changed.
    assert again.generator == 0
    assert again.misses("models") == 1 and again.hits("models") == len(modules) - 1
    assert again.ruff == 1 and again.misses("format") <= 3
    # OpenAPI: only the schema holding the description is written again.
    assert again.misses("openapi") == 1 and again.hits("openapi") > 100
    written = again.result.written
    assert "python/bench_client/models/account.py" in written
    assert len(written) <= 8, written
    # Exactly what a cold build of the edited specs makes.
    cold = p.copy(tmp_path / "cold")
    shutil.rmtree(cold.out)
    cold.build(use_cache=False)
    assert cold.tree() == p.tree()


def test_an_edited_type_reruns_the_generator_for_its_module_only(project: MakeProject) -> None:
    p = project(100)
    p.build()
    edit(p.spec_files()[0], "weight: { type: Float,", "weight: { type: Int,")
    again = p.build()
    assert again.generator == 1
    assert again.misses("models") == 1


@pytest.mark.parametrize(
    "change",
    ["add-spec", "remove-spec", "rename-field", "enum-value"],
)
def test_a_cached_build_equals_a_cold_build(
    project: MakeProject, tmp_path: Path, change: str
) -> None:
    p = project(50)
    p.build()
    files = p.spec_files()
    if change == "add-spec":
        (p.root / "specs" / "extra.yaml").write_text(
            "kind: model\nname: ExtraThing\ndomain: account\nfields:\n  id: ID\n  note: String?\n"
        )
    elif change == "remove-spec":
        feature = next(f for f in files if f.name.endswith(".feature.yaml"))
        feature.unlink()
    elif change == "rename-field":
        edit(files[0], "label: { type: NonEmptyString", "title: { type: NonEmptyString")
    else:
        edit(files[0], "  - value: archived\n", "  - value: archived\n  - value: deleted\n")
    p.build()
    cold = p.copy(tmp_path / "cold")
    shutil.rmtree(cold.out)
    cold.build(use_cache=False)
    assert cold.tree() == p.tree()


# -- CI: --check on a fresh clone ---------------------------------------------------------


def test_check_on_a_fresh_clone_needs_no_cache(project: MakeProject, tmp_path: Path) -> None:
    p = project(50)
    p.build()
    clone = p.copy(tmp_path / "clone")
    assert not (clone.root / CACHE_DIR).exists()
    checked = clone.build(check=True)
    assert checked.result.up_to_date_fast
    assert checked.ruff == checked.generator == 0
    # A stale file (same size, edited) is found by reading it: there is no cache to trust.
    page = clone.out / "docs" / "docs" / "index.md"
    data = page.read_bytes()
    page.write_bytes(data.replace(b"#", b"=", 1))
    os.utime(page, ns=(os.stat(p.out / "docs" / "docs" / "index.md").st_mtime_ns,) * 2)
    fresh = clone.copy(tmp_path / "clone2")
    stale = fresh.build(check=True)
    assert not stale.result.up_to_date_fast
    assert stale.result.written == ["docs/docs/index.md"]


def test_check_on_a_fresh_clone_finds_a_large_file_edited_and_a_page_deleted(
    project: MakeProject, tmp_path: Path
) -> None:
    from contractgen.output import writer

    p = project(50)
    p.build()
    clone = p.copy(tmp_path / "clone")
    large = clone.out / "ir" / "contracts.json"  # read and hashed by verify's helper thread
    assert large.stat().st_size >= writer._LARGE_FILE
    data = large.read_bytes()
    at = data.rindex(b'"')
    large.write_bytes(data[:at] + b"'" + data[at + 1 :])  # same size, one byte off
    page = sorted((clone.out / "docs").rglob("*.md"))[-1]
    page.unlink()
    checked = clone.build(check=True)
    assert not checked.result.up_to_date_fast
    gone = page.relative_to(clone.out).as_posix()
    assert checked.result.written == sorted(["ir/contracts.json", gone])
    # Restored, the clone is proven up to date again without regenerating.
    large.write_bytes(data)
    shutil.copy2(p.out / gone, page)
    again = clone.copy(tmp_path / "clone2").build(check=True)
    assert again.result.up_to_date_fast and again.ruff == again.generator == 0


def test_workers_do_not_run_the_calling_script_again(project: MakeProject, tmp_path: Path) -> None:
    """multiprocessing re-runs the parent's main script in spawned workers; ours must not."""
    p = project(60)  # two domains: two model modules, so the workers start
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from contractgen.config import OpenApiSettings, PythonSettings, Settings\n"
        "from contractgen.pipeline import build\n"
        "print('RUN', flush=True)\n"
        "s = Settings(root=Path(sys.argv[1]), python=PythonSettings(package='bench_client'))\n"
        "build(s, ['python'], use_cache=False)\n"
    )
    env = {**os.environ, "CONTRACTGEN_MODEL_WORKERS": "2"}
    proc = subprocess.run(
        [sys.executable, str(script), str(p.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (p.out / "python" / "bench_client" / "models" / "order.py").exists()
    assert proc.stdout.count("RUN") == 1, proc.stdout
    assert "leaked" not in proc.stderr, proc.stderr


def test_spec_files_are_parsed_once_and_problems_every_time(project: MakeProject) -> None:
    p = project(50)
    first = p.build(force=True)
    assert first.misses("yaml") == len(p.spec_files())
    again = p.build(force=True)
    assert again.hits("yaml") == len(p.spec_files()) and again.misses("yaml") == 0
    broken = p.root / "specs" / "broken.yaml"
    broken.write_text("kind: model\nname: Broken\nfields: [unclosed\n")
    for _ in range(2):  # a file with a problem is never cached: reported each time
        with pytest.raises(SpecError) as caught:
            p.build(force=True)
        assert any(d.code == "CG003" for d in caught.value.diagnostics.items)


def test_a_damaged_cache_is_a_miss_never_wrong_output(project: MakeProject) -> None:
    import sqlite3

    p = project(50)
    p.build()
    expected = p.tree()
    db = sqlite3.connect(p.root / CACHE_DIR / "cache.sqlite", isolation_level=None)
    db.execute("UPDATE entries SET value = CAST('garbage!' || substr(value, 9) AS BLOB)")
    db.close()
    shutil.rmtree(p.out)
    damaged = p.build()
    assert damaged.hits("docs") == damaged.hits("format") == 0
    assert p.tree() == expected
    # Not a database at all: it is made anew.
    for name in ("cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm"):
        (p.root / CACHE_DIR / name).unlink(missing_ok=True)
    (p.root / CACHE_DIR / "cache.sqlite").write_bytes(b"not a database" * 100)
    shutil.rmtree(p.out)
    again = p.build()
    assert p.tree() == expected and again.misses("docs") > 0
    assert p.build(force=True).misses("docs") == 0  # and works again
