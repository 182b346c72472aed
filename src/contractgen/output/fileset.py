"""Files in memory: what targets produce and the writer consumes.

Paths are POSIX, relative to the output directory, and checked on entry, so
no target can place a file outside the tree whatever a spec says.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from contractgen.ir.naming import WINDOWS_DEVICES

_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._@-]*$")


class UnsafePathError(ValueError):
    """A target tried to produce a path that could escape or break the output tree."""


# Fast acceptance of the common case (a manifest lists tens of thousands of
# paths): only paths the checks below accept match, so anything else goes
# through them and fails with its reason.
_SAFE_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@-]*(?:/[A-Za-z0-9_][A-Za-z0-9._@-]*)*")
# The same, for many paths at once, one a line.
_SAFE_LINES = re.compile(r"(?:[A-Za-z0-9_][A-Za-z0-9._@-]*(?:/[A-Za-z0-9_][A-Za-z0-9._@-]*)*\n)*")
_DEVICE_SEGMENT = re.compile(
    r"(?:^|/)(?:" + "|".join(sorted(map(re.escape, WINDOWS_DEVICES))) + r")(?:\.[^/]*)?(?:/|$)",
    re.IGNORECASE,
)


def check_relative_path(path: str) -> str:
    if _SAFE_PATH.fullmatch(path) and not _DEVICE_SEGMENT.search(path):
        return path
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        raise UnsafePathError(f"unsafe output path {path!r}")
    for segment in path.split("/"):
        if segment in ("", ".", "..") or not _SAFE_SEGMENT.fullmatch(segment):
            raise UnsafePathError(f"unsafe output path {path!r} (segment {segment!r})")
        if segment.split(".", 1)[0].lower() in WINDOWS_DEVICES:
            raise UnsafePathError(f"unsafe output path {path!r} (reserved device name)")
    return path


def check_relative_paths(paths: Collection[str]) -> None:
    """:func:`check_relative_path` for each of ``paths``, in one pass over all of them
    (a manifest lists tens of thousands); the first unsafe path raises."""
    text = "\n".join(paths) + "\n"
    # As many lines as paths: no path has a line break of its own.
    if text.count("\n") == len(paths) and _SAFE_LINES.fullmatch(text):
        segments = set(text.replace("\n", "/").split("/"))
        if not any(s.split(".", 1)[0].lower() in WINDOWS_DEVICES for s in segments):
            return
    for path in paths:
        check_relative_path(path)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class FileSet:
    files: dict[str, bytes] = field(default_factory=dict)
    # Lower-cased path -> path, so the case check is one lookup, not a scan.
    _folded: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._folded = {p.lower(): p for p in self.files}

    def add(self, path: str, content: str | bytes) -> None:
        check_relative_path(path)
        folded = path.lower()
        if len(self._folded) != len(self.files):  # ``files`` was replaced from outside
            self._folded = {p.lower(): p for p in self.files}
        existing = self._folded.get(folded)
        if existing is not None:
            raise UnsafePathError(
                f"two generated files differ only in case: {existing!r} and {path!r}"
            )
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.files[path] = data
        self._folded[folded] = path

    def merge(self, other: FileSet, prefix: str = "") -> None:
        for path, data in other.files.items():
            self.add(f"{prefix}/{path}" if prefix else path, data)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.files))

    def __len__(self) -> int:
        return len(self.files)

    def hashes(self) -> Mapping[str, str]:
        return {p: sha256(d) for p, d in sorted(self.files.items())}
