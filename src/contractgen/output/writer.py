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
import hashlib
import json
import os
import queue
import stat
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from contractgen.output.fileset import (
    FileSet,
    check_relative_path,
    check_relative_paths,
    sha256,
)

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
            check_relative_paths(files)
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

    Returns the files' states, or None at the first missing or changed file
    (or anything but a regular file where one belongs). Files whose state is
    ``known`` and unchanged are not read; every other file is read whole and
    hashed: on a fresh clone (no cache, new mtimes) that is all of them.

    The small files (tens of thousands of pages) are read here, one ``open``,
    ``fstat``, ``read`` and ``close`` each; the large ones (the IR dump, the
    OpenAPI documents: most of the bytes) go to one helper thread that hashes
    them in chunks, without the GIL, at the same time.
    """
    base = os.path.join(os.fspath(out_dir), "")  # (string paths: a tenth of the time of Paths)
    states: dict[str, FileState] = {}
    read: list[tuple[str, str, os.stat_result]] = []  # read and found equal (states below)
    large = _LargeFiles()
    proven = False
    try:
        proven = _verify_files(base, manifest.files, known, states, read, large)
    finally:
        proven = large.close(abandon=not proven) and proven
    if not proven:
        return None
    # As file_state, with the time taken once, after every read: a file changed
    # within _RACY_NS of it gets no hash, so a change in the same tick cannot hide.
    racy = time.time_ns() - _RACY_NS
    for rel, digest, st in read:
        mtime = st.st_mtime_ns
        states[rel] = (st.st_size, mtime, st.st_ino, digest if mtime < racy else "")
    return states


# Files at least this large are hashed by the helper thread (reading and
# hashing them releases the GIL); a smaller file costs more in Python than in C.
_LARGE_FILE = 1 << 16
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)  # Windows: no newline translation
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO where a file belongs opens (and fails below)
)


def _verify_files(
    base: str,
    files: Mapping[str, str],
    known: Mapping[str, FileState],
    states: dict[str, FileState],
    read: list[tuple[str, str, os.stat_result]],
    large: _LargeFiles,
) -> bool:
    is_regular = stat.S_ISREG
    hexdigest = sha256
    for rel, digest in _few_first(files):
        path = base + rel
        state = known.get(rel)
        if state is not None and state[3] and state[3] == digest:
            try:
                st = os.stat(path)
            except OSError:
                return False
            if not is_regular(st.st_mode):
                return False
            if state[0] == st.st_size and state[1] == st.st_mtime_ns and state[2] == st.st_ino:
                states[rel] = state
                continue
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError:
            return False
        try:
            st = os.fstat(fd)
            if not is_regular(st.st_mode):
                return False
            if st.st_size >= _LARGE_FILE:
                large.check(fd, digest)
                fd = -1  # the helper closes it
            elif hexdigest(_read_all(fd, st.st_size)) != digest:
                return False
        except OSError:
            return False
        finally:
            if fd >= 0:
                os.close(fd)
        read.append((rel, digest, st))
    return True


def _few_first(files: Mapping[str, str]) -> list[tuple[str, str]]:
    """The files, those of the top-level folders with the fewest files first.

    Those are the large single documents (the IR dump, the OpenAPI documents):
    taken first, they are hashed by the helper thread while the many small
    files (pages, modules) are read here, instead of after them.
    """
    folders: dict[str, list[tuple[str, str]]] = {}
    for item in files.items():
        folders.setdefault(item[0].partition("/")[0], []).append(item)
    return [item for group in sorted(folders.values(), key=len) for item in group]


def _read_all(fd: int, size: int) -> bytes:
    """The whole content of an open file expected to hold ``size`` bytes."""
    data = os.read(fd, size + 1)  # one byte more than expected: fewer means EOF
    if len(data) == size:
        return data
    parts = [data]
    while data:
        data = os.read(fd, 1 << 20)
        parts.append(data)
    return b"".join(parts)


class _LargeFiles:
    """Hashes large files in one helper thread, each compared with its expected hash."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[int, str] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._failed = False

    def check(self, fd: int, digest: str) -> None:
        """Hash the open file ``fd`` (and close it): it must hash to ``digest``."""
        if self._thread is None:
            thread = threading.Thread(target=self._run, name="contractgen-verify", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # no thread to be had: hash it here
                self._hash(fd, digest)
                return
            self._thread = thread
        self._queue.put((fd, digest))

    def close(self, *, abandon: bool = False) -> bool:
        """Wait for the files given (only close them if ``abandon``); whether all matched."""
        if abandon:
            self._failed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        return not self._failed

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            self._hash(*item)

    def _hash(self, fd: int, digest: str) -> None:
        try:
            if not self._failed:
                with open(fd, "rb", buffering=0, closefd=False) as fh:
                    if hashlib.file_digest(fh, "sha256").hexdigest() != digest:
                        self._failed = True
        except Exception:  # not proven: the caller rebuilds and compares
            self._failed = True
        finally:
            os.close(fd)


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
    # The temporary file is created private (0600): the file it becomes gets
    # the mode the one it replaces had, or a new file's usual mode (umask).
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


_umask: int | None = None


def _new_file_mode() -> int:
    """The mode ``open()`` gives a new file: 0666 less the process's umask."""
    global _umask
    if _umask is None:
        _umask = os.umask(0o022)  # (the only way to read it is to set it)
        os.umask(_umask)
    return 0o666 & ~_umask


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
