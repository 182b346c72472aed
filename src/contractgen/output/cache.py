"""The build cache: intermediate results keyed by content hashes (``.contractgen-cache/``).

Every entry is stored under a key that hashes everything its value depends
on, so an entry is either exactly what a fresh build would compute or never
looked up. The whole cache is also salted with the contractgen version and a
hash of its own code and templates (``pipeline._inputs``): another
contractgen, or an edited template, starts from an empty cache.

What is cached (namespaces):

* ``yaml``: the parsed documents of one spec file (by its name and bytes;
  never a file with a problem, so problems are reported every time);
* ``models``: the ``models/<module>.py`` text of one output module (the
  datamodel-code-generator call and the checks after it), keyed by the
  module's schema and IR;
* ``dcg``: datamodel-code-generator's raw output for one schema (descriptions
  are not part of it, so an edited description skips the generator);
* ``pyops``: one ``_operations/<name>.py`` module of the Python client;
* ``docs``: one docs page (keys: ``targets/docs.py``, ``_PageKeys``);
* ``ir``: one entry of ``ir/contracts.json``;
* ``openapi``: one path item, webhook or schema of the OpenAPI document, as
  YAML and as JSON (keyed by its data);
* ``format``: ruff's output for one file's text;
* in the ``jinja/`` folder beside the store: compiled templates (Jinja's
  bytecode cache, checked against each template's source and Jinja's version);
* and, apart: for each generated file, the size, mtime and inode it had when
  this cache last saw it with a known hash, so an unchanged tree is
  recognised by ``stat`` alone (as git's index does).

The store is one SQLite file, written at the end of a build (and on the way,
when a large build has many megabytes to write), without fsync: every value
carries a checksum, and a damaged one is a miss. Any problem with the store
(a corrupt or locked file, a read-only disk) disables the cache for that
build: a cache can make a build slower, never wrong or failed. ``contractgen
build --no-cache`` neither reads nor writes it. It lives next to the
configuration and ignores itself (a ``.gitignore`` of ``*`` inside).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

CACHE_DIR = ".contractgen-cache"
_DB = "cache.sqlite"
_SCHEMA_VERSION = "3"
# Entries waiting to be written are written once they hold this many bytes.
_FLUSH_BYTES = 4 << 20
# A namespace is pruned when it holds more than this many times the entries
# the last build used (old entries of edited specs, removed pages).
_PRUNE_FACTOR = 2


class BuildCache:
    """Content-addressed entries of one build; a no-op when ``directory`` is None."""

    def __init__(self, directory: Path | None, salt: str) -> None:
        self.directory = directory
        self.salt = salt
        self.stats: Counter[tuple[str, str]] = Counter()
        self._pending: dict[tuple[str, str], bytes] = {}
        self._pending_bytes = 0
        self._used: dict[str, set[str]] = {}
        self._files: dict[str, tuple[int, int, int, str]] | None = None
        self._files_pending: dict[str, tuple[int, int, int, str]] | None = None
        self._db: sqlite3.Connection | None = None
        if directory is not None:
            self._db = self._open(directory)

    @property
    def enabled(self) -> bool:
        return self._db is not None

    # -- entries -----------------------------------------------------------------------

    def get(self, ns: str, key: str) -> bytes | None:
        return self.get_many(ns, [key]).get(key)

    def get_many(self, ns: str, keys: Iterable[str]) -> dict[str, bytes]:
        keys = list(dict.fromkeys(keys))
        used = self._used.setdefault(ns, set())
        used.update(keys)
        found: dict[str, bytes] = {}
        for key in keys:
            pending = self._pending.get((ns, key))
            if pending is not None:
                found[key] = pending
        missing = [k for k in keys if k not in found]
        if self._db is not None and missing:
            try:
                for start in range(0, len(missing), 500):
                    chunk = missing[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        f"SELECT key, value FROM entries WHERE ns = ? AND key IN ({marks})",
                        (ns, *chunk),
                    ).fetchall()
                    for k, v in rows:
                        value = _checked(bytes(v))
                        if value is not None:
                            found[k] = value
            except sqlite3.Error:
                self._disable()
        hits = len(found)
        self.stats[(ns, "hit")] += hits
        self.stats[(ns, "miss")] += len(keys) - hits
        return found

    def put(self, ns: str, key: str, value: bytes) -> None:
        if self._db is None:
            return
        self._used.setdefault(ns, set()).add(key)
        self._pending[(ns, key)] = value
        self._pending_bytes += len(value)
        if self._pending_bytes > _FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        """Write the pending entries now (memory: a large build's are hundreds of megabytes).

        Entries are right whatever happens to the build, so each flush commits.
        """
        db = self._db
        if db is None or not self._pending:
            return
        try:
            with db:
                self._insert_pending(db)
            self._pending.clear()
            self._pending_bytes = 0
        except sqlite3.Error:
            self._disable()

    def _insert_pending(self, db: sqlite3.Connection) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO entries (ns, key, value) VALUES (?, ?, ?)",
            [(ns, key, _sealed(value)) for (ns, key), value in self._pending.items()],
        )

    def hits(self, ns: str) -> int:
        return self.stats[(ns, "hit")]

    def misses(self, ns: str) -> int:
        return self.stats[(ns, "miss")]

    # -- what the output tree looked like ----------------------------------------------

    def file_states(self) -> dict[str, tuple[int, int, int, str]]:
        """Output path -> (size, mtime_ns, inode, sha256) as last written or verified."""
        if self._files is None:
            self._files = {}
            if self._db is not None:
                try:
                    row = self._db.execute(
                        "SELECT value FROM blobs WHERE name = 'files'"
                    ).fetchone()
                    if row is not None:
                        states = marshal.loads(row[0])
                        if isinstance(states, dict):
                            self._files = states
                except (sqlite3.Error, ValueError, EOFError, TypeError):
                    self._files = {}
        return self._files

    def record_files(self, states: dict[str, tuple[int, int, int, str]]) -> None:
        """Replace the recorded file states (the whole output tree) at the next save."""
        if self._db is not None:
            self._files = dict(states)
            self._files_pending = self._files

    # -- storage -----------------------------------------------------------------------

    def save(self) -> None:
        """Write what this build added, in one transaction; prune old entries."""
        db = self._db
        if db is None or (not self._pending and self._files_pending is None):
            return
        try:
            with db:
                self._insert_pending(db)
                for ns, used in self._used.items():
                    (count,) = db.execute(
                        "SELECT count(*) FROM entries WHERE ns = ?", (ns,)
                    ).fetchone()
                    if count > _PRUNE_FACTOR * max(len(used), 1):
                        db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                        db.execute("DELETE FROM used")
                        db.executemany("INSERT INTO used VALUES (?)", [(k,) for k in used])
                        db.execute(
                            "DELETE FROM entries WHERE ns = ? AND key NOT IN (SELECT key FROM used)",
                            (ns,),
                        )
                if self._files_pending is not None:
                    # One value for the whole tree: 40,000 rows would take a
                    # second to write; one marshalled dict takes milliseconds.
                    db.execute(
                        "INSERT OR REPLACE INTO blobs (name, value) VALUES ('files', ?)",
                        (marshal.dumps(self._files_pending),),
                    )
            self._pending.clear()
            self._pending_bytes = 0
            self._files_pending = None
        except sqlite3.Error:
            self._disable()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def _disable(self) -> None:
        self.close()
        self._pending.clear()
        self._pending_bytes = 0

    def _open(self, directory: Path) -> sqlite3.Connection | None:
        try:
            if not directory.is_dir():
                directory.mkdir(parents=True)
            ignore = directory / ".gitignore"
            if not ignore.exists():
                # The cache ignores itself, wherever it is (as .pytest_cache does).
                ignore.write_text("# Created by contractgen: a local build cache.\n*\n")
            try:
                return self._connect(directory / _DB)
            except sqlite3.DatabaseError:
                # Not a database (any more): start again.
                for suffix in ("", "-wal", "-shm"):
                    (directory / (_DB + suffix)).unlink(missing_ok=True)
                return self._connect(directory / _DB)
        except (OSError, sqlite3.Error):
            return None

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        # A cache need not survive a power cut: no fsync (a build writes hundreds
        # of megabytes into a large cache). Every value carries a checksum, so a
        # damaged one is a miss, never wrong output.
        db.execute("PRAGMA synchronous = OFF")
        with db:
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if row is None or row[0] != _SCHEMA_VERSION:
                db.execute("DROP TABLE IF EXISTS entries")
                db.execute("DROP TABLE IF EXISTS files")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            # A rowid table: values are kilobytes to megabytes.
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (ns TEXT, key TEXT, value BLOB, "
                "PRIMARY KEY (ns, key))"
            )
            db.execute("CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, value BLOB)")
            row = db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
            if row is None or row[0] != self.salt:
                # Another contractgen (or other templates) made these entries.
                db.execute("DELETE FROM entries")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('salt', ?)", (self.salt,))
        return db


_CHECK = 8  # bytes of sha256 before each value


def _sealed(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()[:_CHECK] + value


def _checked(stored: bytes) -> bytes | None:
    value = stored[_CHECK:]
    if hashlib.sha256(value).digest()[:_CHECK] != stored[:_CHECK]:
        return None
    return value


def stat_state(path: Path) -> tuple[int, int, int] | None:
    """(size, mtime_ns, inode) of a regular file, or None."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)
