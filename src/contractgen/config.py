"""Settings: ``[tool.contractgen]`` in pyproject.toml, or contractgen.toml.

The file is looked up in the working directory (or given with ``--config``);
paths in it are relative to the file. CLI flags override it. Unknown keys are
errors, like in spec files.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_TARGETS = ("ir", "schema", "openapi", "python", "docs")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Server(_Section):
    url: str
    description: str | None = None


class Contact(_Section):
    name: str | None = None
    url: str | None = None
    email: str | None = None


class License(_Section):
    name: str
    identifier: str | None = Field(default=None, description="SPDX identifier, e.g. MIT.")
    url: str | None = None


class OpenApiSettings(_Section):
    title: str = "API"
    version: str = "1.0.0"
    description: str | None = None
    servers: tuple[Server, ...] = ()
    contact: Contact | None = None
    license: License | None = None
    # How user/admin-authenticated operations authenticate.
    auth: tuple[Literal["bearer", "apiKey"], ...] = Field(default=("bearer",), min_length=1)
    api_key_header: str = Field(default="X-API-Key", pattern=r"^[A-Za-z0-9-]+$")


class PythonSettings(_Section):
    package: str = "api_client"
    project: str | None = None
    version: str = "0.1.0"

    @field_validator("package")
    @classmethod
    def _identifier(cls, value: str) -> str:
        import keyword

        if not value.isidentifier() or keyword.iskeyword(value) or not value.isascii():
            raise ValueError(f"'{value}' is not a valid Python package name")
        return value


class DocsSettings(_Section):
    site_name: str | None = None


class Settings(_Section):
    root: Path = Field(default=Path("."), exclude=True)
    specs: Path = Path("specs")
    out: Path = Path("generated")
    targets: tuple[str, ...] = DEFAULT_TARGETS
    templates: Path | None = Field(default=None, description="Directory of template overrides.")
    python: PythonSettings = PythonSettings()
    openapi: OpenApiSettings = OpenApiSettings()
    docs: DocsSettings = DocsSettings()

    @property
    def specs_dir(self) -> Path:
        return self.root / self.specs

    @property
    def out_dir(self) -> Path:
        return self.root / self.out


class ConfigError(Exception):
    """Bad configuration: exit code 2."""


def load_settings(root: Path, config_file: Path | None = None) -> Settings:
    data: dict[str, Any] = {}
    source = "defaults"
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        data, source = _read(config_file), str(config_file)
        root = config_file.parent
    else:
        for name in ("contractgen.toml", "pyproject.toml"):
            candidate = root / name
            if candidate.is_file():
                section = _read(candidate)
                if section or name == "contractgen.toml":
                    data, source = section, str(candidate.name)
                    break
    try:
        return Settings.model_validate({**data, "root": root})
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                allowed = _allowed(err["loc"][:-1])
                close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
                msg = f"unknown setting '{err['loc'][-1]}'" + (
                    f" (did you mean '{close[0]}'?)" if close else ""
                )
            lines.append(f"{source}: [tool.contractgen] {where}: {msg}")
        raise ConfigError("\n".join(lines)) from None


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        section = doc.get("tool", {}).get("contractgen", {})
    else:
        section = doc.get("tool", {}).get("contractgen", doc)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.contractgen] must be a table")
    return section


def _allowed(loc: tuple[Any, ...]) -> list[str]:
    model: Any = Settings
    for part in loc:
        info = model.model_fields.get(part)
        if info is None:
            return []
        model = info.annotation
    return list(getattr(model, "model_fields", {}))
