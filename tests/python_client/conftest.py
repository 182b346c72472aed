"""Fixtures of the Python client tests: generated packages, built once per session.

``harness`` is the project's example domain (specs/harness, package
``harness_client``, the repository's settings); ``kitchen`` a purpose-built
spec set (tests/python_client/specs/kitchen, package ``kitchen_client``) that
reaches every shape the client must handle: keywords and reserved names as
field names, defaults, enums, lists in the query, path+body splits, no
output, anonymous and admin operations, two versions of one key, domains
whose models refer to each other, hostile spec text, and an API key.

Each is built by the real pipeline (``python`` and ``openapi`` targets, the
one ruff format pass included) into a temporary directory; the generated
packages are importable from there (``import_generated``).
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from contractgen.config import OpenApiSettings, PythonSettings, Settings, load_settings
from contractgen.ir.models import ContractSet
from contractgen.pipeline import build

HERE = Path(__file__).parent
REPO = HERE.parents[1]
KITCHEN_SPECS = HERE / "specs" / "kitchen"


@dataclass(frozen=True)
class Generated:
    name: str
    package: str
    contracts: ContractSet
    root: Path  # generated/python (the installable project)
    openapi: Path  # generated/openapi/openapi.yaml

    @property
    def package_dir(self) -> Path:
        return self.root / self.package

    def files(self) -> dict[str, str]:
        """Every generated file under python/, by relative POSIX path."""
        return {
            p.relative_to(self.root).as_posix(): p.read_text("utf-8")
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        }


def harness_settings(out: Path) -> Settings:
    settings = load_settings(REPO)
    return settings.model_copy(
        update={"specs": REPO / "specs" / "harness", "out": out, "targets": ("python", "openapi")}
    )


def kitchen_settings(out: Path) -> Settings:
    return Settings(
        root=REPO,
        specs=KITCHEN_SPECS,
        out=out,
        targets=("python", "openapi"),
        python=PythonSettings(package="kitchen_client", project="kitchen-client", version="2.1.0"),
        openapi=OpenApiSettings(
            title="Kitchen API", auth=("bearer", "apiKey"), api_key_header="X-Kitchen-Key"
        ),
    )


def generate(name: str, settings: Settings) -> Generated:
    result = build(settings, list(settings.targets), force=True)
    assert result.contracts is not None
    out = settings.out_dir
    return Generated(
        name,
        settings.python.package,
        result.contracts,
        out / "python",
        out / "openapi" / "openapi.yaml",
    )


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate("harness", harness_settings(tmp_path_factory.mktemp("harness")))


@pytest.fixture(scope="session")
def kitchen(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate("kitchen", kitchen_settings(tmp_path_factory.mktemp("kitchen")))


def import_generated(gen: Generated, module: str = "") -> ModuleType:
    """Import the generated package (or one of its modules) from the build output."""
    root = str(gen.root)
    if root not in sys.path:
        sys.path.insert(0, root)
    loaded = sys.modules.get(gen.package)
    if loaded is not None and not str(getattr(loaded, "__file__", "")).startswith(root):
        raise RuntimeError(f"another {gen.package} is imported already: {loaded.__file__}")
    name = f"{gen.package}.{module}" if module else gen.package
    return importlib.import_module(name)
