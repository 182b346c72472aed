"""Spec sets of the benchmark's shape (bench/gen_specs.py), built in process."""

from __future__ import annotations

import importlib.util
import shutil
import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from contractgen.config import OpenApiSettings, PythonSettings, Settings
from contractgen.output import format as fmt
from contractgen.pipeline import BuildResult, build
from contractgen.targets import python_models

REPO = Path(__file__).resolve().parents[2]
TARGETS = ["ir", "schema", "openapi", "python", "docs"]


def _gen_specs() -> typing.Any:
    spec = importlib.util.spec_from_file_location("gen_specs", REPO / "bench" / "gen_specs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN_SPECS = _gen_specs()


class Project:
    """A project directory: specs of N operations, output in ``generated/``."""

    def __init__(self, root: Path, n: int) -> None:
        self.root = root
        self.n = n
        GEN_SPECS.generate(n, root / "specs")
        self.settings = Settings(
            root=root,
            python=PythonSettings(package="bench_client"),
            openapi=OpenApiSettings(title="Bench API"),
        )

    @property
    def out(self) -> Path:
        return self.root / "generated"

    def build(self, **kwargs: typing.Any) -> Counted:
        return Counted.of(lambda: build(self.settings, TARGETS, **kwargs))

    def spec_files(self) -> list[Path]:
        return sorted((self.root / "specs").rglob("*.yaml"))

    def tree(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.out).as_posix(): p.read_bytes()
            for p in sorted(self.out.rglob("*"))
            if p.is_file()
        }

    def copy(self, to: Path, *, with_cache: bool = False) -> Project:
        ignore = None if with_cache else shutil.ignore_patterns(".contractgen-cache")
        shutil.copytree(self.root, to, ignore=ignore)
        clone = Project.__new__(Project)
        clone.root, clone.n = to, self.n
        clone.settings = self.settings.model_copy(update={"root": to})
        return clone


class Counted:
    """A build's result and the work it did: ruff runs, generator calls."""

    def __init__(self, result: BuildResult, ruff: int, generator: int) -> None:
        self.result = result
        self.ruff = ruff
        self.generator = generator

    @classmethod
    def of(cls, run: Callable[[], BuildResult]) -> Counted:
        ruff, generator = fmt.calls, python_models.calls
        result = run()
        return cls(result, fmt.calls - ruff, python_models.calls - generator)

    def misses(self, ns: str) -> int:
        return self.result.cache_stats.get(ns, (0, 0))[1]

    def hits(self, ns: str) -> int:
        return self.result.cache_stats.get(ns, (0, 0))[0]


@pytest.fixture
def project(tmp_path: Path) -> Callable[[int], Project]:
    made = 0

    def make(n: int) -> Project:
        nonlocal made
        made += 1
        return Project(tmp_path / f"p{made}-{n}", n)

    return make


@pytest.fixture(autouse=True)
def _fresh_generator_memo() -> Iterator[None]:
    """Each test starts without the in-process memo of generator output."""
    python_models._cache.clear()
    yield
    python_models._cache.clear()


def model_modules(result: BuildResult) -> list[str]:
    return sorted(
        p
        for p in result.files.files
        if "/models/" in p and p.endswith(".py") and not p.endswith("__init__.py")
    )
