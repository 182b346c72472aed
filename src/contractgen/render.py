"""The Jinja environment every template-based target uses.

Templates are found in the user's override directory first (copy a template
under the same name to change it), then in contractgen's own ``templates/``.
Undefined variables are errors. Spec text only ever enters a template as a
value passed through an escaping filter; it is never compiled as a template.
"""

from __future__ import annotations

import contextlib
from functools import cache
from pathlib import Path

import jinja2

from contractgen.escape import FILTERS


class InstallationError(RuntimeError):
    """contractgen itself is incomplete (not the user's specs): exit code 2."""


def templates_dir() -> Path:
    """contractgen's own templates: inside the installed wheel, or the checkout's top level."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if checkout.is_dir():
        return checkout
    raise InstallationError(
        "contractgen's templates are missing from this installation; reinstall contractgen"
    )


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled by an earlier build, in the build cache's ``jinja/`` folder.

    Jinja keys each entry by the template's name and checks its source and
    Jinja's own version before using it. Off (nothing read or written) unless
    a build with the cache on sets the folder (:func:`use_compiled_templates`).
    """

    directory: Path | None = None
    _store: jinja2.FileSystemBytecodeCache | None = None

    def use(self, directory: Path | None) -> None:
        self.directory = directory
        self._store = jinja2.FileSystemBytecodeCache(str(directory)) if directory else None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self._store is not None:
            with contextlib.suppress(OSError):
                self._store.load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self._store is not None and self.directory is not None:
            with contextlib.suppress(OSError):
                self.directory.mkdir(exist_ok=True)
                self._store.dump_bytecode(bucket)


_COMPILED = _CompiledTemplates()


def use_compiled_templates(directory: Path | None) -> None:
    """Keep compiled templates in ``directory`` (None: neither read nor write any)."""
    _COMPILED.use(directory)


@cache
def _environment(override: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override:
        loaders.append(jinja2.FileSystemLoader(override))
    loaders.append(jinja2.FileSystemLoader(str(templates_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED,
    )
    env.filters.update(FILTERS)
    return env


def environment(override: Path | None = None) -> jinja2.Environment:
    return _environment(str(override) if override else None)


def render(template: str, override: Path | None = None, **context: object) -> str:
    return environment(override).get_template(template).render(**context)
