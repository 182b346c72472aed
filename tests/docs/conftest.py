"""Fixtures of the docs target tests: rendered page sets, on disk, for three spec sets.

``harness`` is the project's example domain (specs/harness, with the
repository's settings), ``shop`` a small fixture written to reach every page
feature (tests/docs/specs), ``hostile`` spec text that tries to become markup
(tests/docs/hostile); those two use the fixed settings of
tests/docs/contractgen.toml. Each is rendered once per session, in process,
and written under a temporary directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from contractgen.config import Settings, load_settings
from contractgen.diagnostics import Diagnostics
from contractgen.ir.models import ContractSet
from contractgen.pipeline import GENERATOR, load_contracts
from contractgen.targets.base import RenderContext
from contractgen.targets.docs import DocsTarget

HERE = Path(__file__).parent
REPO = HERE.parents[1]
# name -> (settings directory, specs directory relative to it)
SPEC_SETS = {
    "harness": (REPO, Path("specs/harness")),
    "shop": (HERE, Path("specs")),
    "hostile": (HERE, Path("hostile")),
}


@dataclass(frozen=True)
class RenderedDocs:
    name: str
    contracts: ContractSet
    files: dict[str, str]  # path under generated/docs/ -> text
    root: Path  # where they were written (holds mkdocs.yml)

    def pages(self) -> dict[str, str]:
        """Markdown pages by stem (``operations/x``), without the ``docs/`` prefix."""
        return {
            path.removeprefix("docs/").removesuffix(".md"): text
            for path, text in self.files.items()
            if path.startswith("docs/") and path.endswith(".md")
        }


def settings_for(name: str) -> Settings:
    root, specs = SPEC_SETS[name]
    return load_settings(root).model_copy(update={"specs": specs})


def render(name: str) -> tuple[ContractSet, dict[str, str]]:
    """Render one spec set (spec files are shown relative to its settings directory)."""
    settings = settings_for(name)
    contracts = load_contracts(settings, Diagnostics())
    files = DocsTarget().render(contracts, RenderContext(settings=settings, generator=GENERATOR))
    return contracts, {path: data.decode("utf-8") for path, data in sorted(files.files.items())}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RenderedDocs]:
    out: dict[str, RenderedDocs] = {}
    for name in SPEC_SETS:
        contracts, files = render(name)
        root = tmp_path_factory.mktemp(f"docs-{name}")
        for path, text in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        out[name] = RenderedDocs(name, contracts, files, root)
    return out
