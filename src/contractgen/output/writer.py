"""The only code that touches the output tree.

* Plans first, writes second: the plan compares every file with the disk and
  with the manifest of the previous build, and refuses unsafe situations
  (symlinked components, overwriting a hand-written file) before any write.
* Writes each changed file to a temporary sibling and renames it into place;
  if anything fails midway, every file already replaced is restored and every
  new file removed, so the tree is exactly as it was.
* Unchanged files are not rewritten (their mtime stays).
* Files listed in the previous manifest but no longer generated are deleted
  (only if unmodified since); files never generated are never touched.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import stat
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from contractgen.output.fileset import FileSet, check_relative_path, sha256

MANIFEST = ".contractgen-manifest.json"
MANIFEST_VERSION = 1

# How a file looked when its content hash was last known: (size, mtime_ns,
# inode, sha256). The build cache keeps these, so a file whose size, mtime
# and inode are unchanged need not be read again (git's index does the same).
FileState = tuple[int, int, int, str]
# A file changed this recently may change again within the same timestamp
# tick, keeping size and mtime: its hash is not recorded (it is read next time).
_RACY_NS = 50_000_000


class WriteError(RuntimeError):
    """The output tree could not be updated; nothing was changed."""


@dataclass(frozen=True)
class Manifest:
    inputs: dict[str, str]  # target name -> hash of everything its output depends on
    generator: str
    files: dict[str, str]  # path -> sha256 of the content written

    def for_targets(self, targets: list[str]) -> Manifest:
        """The part of the manifest that belongs to ``targets`` (files under their folders)."""
        prefixes = tuple(f"{t}/" for t in targets)
        return Manifest(
            {t: h for t, h in self.inputs.items() if t in targets},
            self.generator,
            {p: h for p, h in self.files.items() if p.startswith(prefixes)},
        )

    def merged(self, other: Manifest, targets: list[str]) -> Manifest:
        """This manifest with the entries of ``targets`` replaced by ``other``'s."""
        prefixes = tuple(f"{t}/" for t in targets)
        inputs = {t: h for t, h in self.inputs.items() if t not in targets} | other.inputs
        files = {p: h for p, h in self.files.items() if not p.startswith(prefixes)} | other.files
        return Manifest(inputs, other.generator, files)

    def to_bytes(self) -> bytes:
        data = {
            "manifestVersion": MANIFEST_VERSION,
            "generator": self.generator,
            "inputs": dict(sorted(self.inputs.items())),
            "files": dict(sorted(self.files.items())),
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def read(cls, out_dir: Path) -> Manifest | None:
        path = out_dir / MANIFEST
        try:
            data = json.loads(path.read_text("utf-8"))
            files = {str(k): str(v) for k, v in data["files"].items()}
            for p in files:
                check_relative_path(p)
            inputs = {str(k): str(v) for k, v in data["inputs"].items()}
            return cls(inputs, str(data["generator"]), files)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


@dataclass
class Plan:
    write: dict[str, bytes] = field(default_factory=dict)  # new or changed
    delete: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_modified: list[str] = field(default_factory=list)  # stale but edited by hand
    # disk content before, of the files to write or delete
    current: dict[str, bytes | None] = field(default_factory=dict)
    states: dict[str, FileState] = field(default_factory=dict)  # of the unchanged files

    @property
    def is_clean(self) -> bool:
        return not self.write and not self.delete


def _safe_target(out_dir: Path, rel: str, checked: set[str] | None = None) -> Path:
    """``out_dir / rel``, refusing a symbolic link anywhere on the way.

    ``checked`` remembers the directories already found not to be links.
    """
    check_relative_path(rel)
    target = out_dir / rel
    probe = out_dir
    parts = rel.split("/")
    for i, part in enumerate(parts):
        probe = probe / part
        if checked is not None and i < len(parts) - 1:
            prefix = "/".join(parts[: i + 1])
            if prefix in checked:
                continue
            checked.add(prefix)
        if probe.is_symlink():
            raise WriteError(f"refusing to write through a symbolic link: {probe}")
    return target


def _checked_lstat(out_dir: Path, base: str, rel: str, checked: set[str]) -> os.stat_result | None:
    """What _safe_target checks, on strings, with the ``lstat`` of the file (None: none)."""
    check_relative_path(rel)
    parts = rel.split("/")
    for i in range(1, len(parts)):
        prefix = "/".join(parts[:i])
        if prefix in checked:
            continue
        checked.add(prefix)
        if os.path.islink(base + prefix):
            raise WriteError(f"refusing to write through a symbolic link: {out_dir / prefix}")
    try:
        st = os.lstat(base + rel)
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise WriteError(f"refusing to write through a symbolic link: {out_dir / rel}")
    return st


def file_state(path: Path, digest: str, st: os.stat_result | None = None) -> FileState:
    """The state to remember for ``path``, whose content hashes to ``digest``."""
    st = st or os.stat(path)
    if st.st_mtime_ns >= time.time_ns() - _RACY_NS:
        digest = ""
    return (st.st_size, st.st_mtime_ns, st.st_ino, digest)


def _same(state: FileState | None, st: os.stat_result, digest: str) -> bool:
    return (
        state is not None
        and bool(state[3])
        and state[3] == digest
        and state[:3] == (st.st_size, st.st_mtime_ns, st.st_ino)
    )


def verify(
    out_dir: Path, manifest: Manifest, known: Mapping[str, FileState]
) -> dict[str, FileState] | None:
    """Whether every file of ``manifest`` is on disk with its recorded hash.

    Returns the files' states, or None at the first missing or changed file.
    Files whose state is ``known`` and unchanged are not read; the others are
    read and hashed in a few threads (reading and hashing release the GIL).
    """
    states: dict[str, FileState] = {}
    todo: list[tuple[str, str, os.stat_result]] = []
    base = os.path.join(os.fspath(out_dir), "")  # (string paths: a tenth of the time of Paths)
    is_regular = stat.S_ISREG
    for rel, digest in manifest.files.items():
        try:
            st = os.stat(base + rel)
        except OSError:
            return None
        if not is_regular(st.st_mode):
            return None
        state = known.get(rel)
        if (
            state is not None
            and state[3] == digest
            and state[0] == st.st_size
            and state[1] == st.st_mtime_ns
            and state[2] == st.st_ino
            and digest
        ):
            states[rel] = state
        else:
            todo.append((rel, digest, st))

    def check(chunk: list[tuple[str, str, os.stat_result]]) -> dict[str, FileState] | None:
        out: dict[str, FileState] = {}
        for rel, digest, st in chunk:
            try:
                if sha256((out_dir / rel).read_bytes()) != digest:
                    return None
            except OSError:
                return None
            out[rel] = file_state(out_dir / rel, digest, st)
        return out

    if len(todo) < 256:
        results = [check(todo)]
    else:
        size = (len(todo) + 15) // 16
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(check, [todo[i : i + size] for i in range(0, len(todo), size)]))
    for part in results:
        if part is None:
            return None
        states.update(part)
    return states


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise WriteError(f"{path} is a directory where a generated file belongs") from exc


def plan(
    out_dir: Path,
    files: FileSet,
    previous: Manifest | None,
    hashes: Mapping[str, str] | None = None,
    known: Mapping[str, FileState] | None = None,
) -> Plan:
    """What to write and delete. With ``hashes`` (of ``files``) and the ``known``
    states of the tree, a file whose state is unchanged and whose hash is the
    new content's is not read."""
    result = Plan()
    if out_dir.is_symlink():
        raise WriteError(f"refusing to write into a symbolic link: {out_dir}")
    owned = set(previous.files) if previous else set()
    checked: set[str] = set()
    base = os.path.join(os.fspath(out_dir), "")
    for rel in files:
        if hashes is not None:
            # The same checks as _safe_target, on strings (tens of thousands of files).
            st = _checked_lstat(out_dir, base, rel, checked)
            if st is not None and known and _same(known.get(rel), st, hashes[rel]):
                result.unchanged.append(rel)
                result.states[rel] = known[rel]
                continue
            target = out_dir / rel
        else:
            target = _safe_target(out_dir, rel, checked)
            st = None
        new = files.files[rel]
        current = _read(target)
        if current == new:
            result.unchanged.append(rel)
            if st is not None and hashes is not None:
                result.states[rel] = file_state(target, hashes[rel], st)
            continue
        result.current[rel] = current
        if current is not None and rel not in owned:
            raise WriteError(
                f"{target} exists and was not generated by contractgen; "
                "move it away or choose another output directory"
            )
        result.write[rel] = new
    if previous:
        for rel in sorted(set(previous.files) - set(files.files)):
            target = _safe_target(out_dir, rel, checked)
            current = _read(target)
            if current is None:
                continue
            if sha256(current) != previous.files[rel]:
                result.kept_modified.append(rel)
                continue
            result.current[rel] = current
            result.delete.append(rel)
    return result


def apply(out_dir: Path, p: Plan, manifest: Manifest) -> None:
    """Carry out a plan; on any failure restore the tree and raise WriteError."""
    done: list[str] = []
    created_dirs: list[Path] = []
    manifest_path = out_dir / MANIFEST
    old_manifest = _read(manifest_path)
    try:
        if not out_dir.exists():
            out_dir.mkdir(parents=True)
            created_dirs.append(out_dir)
        present: set[str] = set()  # directories known to exist
        for rel, data in sorted(p.write.items()):
            target = out_dir / rel
            parts = rel.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                prefix = "/".join(parts[:i])
                if prefix in present:
                    continue
                present.add(prefix)
                d = out_dir / prefix
                if not d.exists():
                    d.mkdir()
                    created_dirs.append(d)
            _atomic_write(target, data)
            done.append(rel)
        for rel in p.delete:
            (out_dir / rel).unlink()
            done.append(rel)
        new_manifest = manifest.to_bytes()
        if old_manifest != new_manifest:
            _atomic_write(manifest_path, new_manifest)
    except BaseException as exc:
        _rollback(out_dir, done, p, created_dirs)
        if old_manifest is not None and _read(manifest_path) != old_manifest:
            _atomic_write(manifest_path, old_manifest)
        if isinstance(exc, OSError):
            raise WriteError(
                f"could not write the output tree ({exc}); nothing was changed"
            ) from exc
        raise
    _remove_empty_dirs(out_dir, p.delete)


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _rollback(out_dir: Path, done: list[str], p: Plan, created_dirs: list[Path]) -> None:
    for rel in reversed(done):
        before = p.current.get(rel)
        target = out_dir / rel
        if before is None:
            if target.exists():
                target.unlink()
            continue
        try:
            _atomic_write(target, before)
        except OSError:
            target.write_bytes(before)  # no room for a temporary file: overwrite in place
    for d in reversed(created_dirs):
        with contextlib.suppress(OSError):
            d.rmdir()


def _remove_empty_dirs(out_dir: Path, deleted: list[str]) -> None:
    for rel in deleted:
        parent = (out_dir / rel).parent
        while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def diff(out_dir: Path, p: Plan, display: str) -> str:
    """A unified diff of what applying the plan would change."""
    chunks: list[str] = []
    for rel, new in sorted(p.write.items()):
        old = p.current.get(rel)
        chunks.extend(_diff_one(f"{display}/{rel}", old, new))
    for rel in p.delete:
        chunks.extend(_diff_one(f"{display}/{rel}", p.current.get(rel), None))
    return "".join(chunks)


def _diff_one(name: str, old: bytes | None, new: bytes | None) -> list[str]:
    def lines(data: bytes | None) -> list[str]:
        if data is None:
            return []
        try:
            return data.decode("utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            return [f"<binary, sha256 {sha256(data)}>\n"]

    out = list(
        difflib.unified_diff(
            lines(old),
            lines(new),
            fromfile=f"a/{name}" if old is not None else "/dev/null",
            tofile=f"b/{name}" if new is not None else "/dev/null",
        )
    )
    return [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out
    ]
