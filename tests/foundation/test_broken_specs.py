"""Every broken spec fixture gives positioned diagnostics, pinned by a snapshot.

The fixtures live in ``broken/``: one file (or directory) per mistake a user
makes. Each must exit 1 with ``file:line:col: error[CODE]: message`` lines,
never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contractgen.cli import main

HERE = Path(__file__).parent
FIXTURES = sorted(p.name for p in (HERE / "broken").iterdir())
POSITIONED = re.compile(r"^broken/\S+:\d+:\d+: error\[CG\d{3}\]: .+$", re.M)


def test_there_are_at_least_twenty_fixtures() -> None:
    assert len(FIXTURES) >= 20


@pytest.mark.parametrize("name", FIXTURES)
def test_broken_spec_diagnostics(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], snapshot: object
) -> None:
    monkeypatch.chdir(HERE)
    code = main(["validate", "--specs", f"broken/{name}", "--color", "never"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    assert POSITIONED.search(err), err
    assert err == snapshot


@pytest.mark.parametrize("name", FIXTURES)
def test_broken_spec_writes_nothing(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(HERE)
    out_dir = tmp_path / "generated"
    out_dir.mkdir()
    (out_dir / "keep.txt").write_text("already here\n")
    code = main(
        [
            "build",
            "--specs",
            f"broken/{name}",
            "--out",
            str(out_dir),
            "--target",
            "ir",
            "--color",
            "never",
        ]
    )
    capsys.readouterr()
    assert code == 1
    assert sorted(p.name for p in out_dir.iterdir()) == ["keep.txt"]
    assert (out_dir / "keep.txt").read_text() == "already here\n"
