"""Helpers for tests that run the external Node.js tools (not a test module).

The tools come from the repository's package.json / package-lock.json and are
installed into node_modules/ by `npm ci` (`.ci/run` does that). A test that
needs a missing tool must FAIL, never skip: `node_bin` raises RuntimeError.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# Added to the environment of every command that `run` starts.
TOOL_ENV: Mapping[str, str] = {
    "REDOCLY_TELEMETRY": "off",
    "NO_UPDATE_NOTIFIER": "1",
}

# Seconds a command may take unless the caller passes timeout=...
DEFAULT_TIMEOUT = 300.0


def repo_root() -> Path:
    """The repository's root directory (the one holding package.json)."""
    return Path(__file__).resolve().parent.parent


def node_bin(name: str) -> Path:
    """Path of `node_modules/.bin/<name>` in this repository.

    Raises RuntimeError, with the fix, when the tool is not installed.
    """
    path = repo_root() / "node_modules" / ".bin" / name
    if not path.exists():
        raise RuntimeError(
            f"Node.js tool {name!r} is not installed (no {path}). "
            f"Run `npm ci` in {repo_root()} to install the tools pinned in "
            "package-lock.json."
        )
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(cmd: Sequence[str | os.PathLike[str]], **kw: Any) -> subprocess.CompletedProcess[str]:
    """Run `cmd`, capturing stdout and stderr as text, with a timeout.

    Keyword arguments go to subprocess.run; `env` (default: this process's
    environment) gets TOOL_ENV added, `timeout` defaults to DEFAULT_TIMEOUT
    and stdin to /dev/null (unless `input` is given). The exit code is not
    checked unless check=True is passed.
    """
    base_env: Mapping[str, str] = kw.pop("env", None) or os.environ
    env = {**base_env, **TOOL_ENV}
    kw.setdefault("timeout", DEFAULT_TIMEOUT)
    if "input" not in kw:
        kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        [os.fspath(part) for part in cmd],
        capture_output=True,
        text=True,
        env=env,
        **kw,
    )
