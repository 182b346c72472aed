"""Docs pages reused from the build cache are the pages a fresh build makes.

A page is reused when its domain and the summary of the whole set (everything
but descriptive text) are unchanged (targets/docs.py, _PageKeys). These tests
edit each kind of descriptive text in one domain of a set whose domains refer
to each other (features list operations and events of many domains, a model
of one domain is used by another), then compare every page with a cold build.
If a template starts showing another domain's descriptive text, they fail:
add it to the page's extra inputs, or take the field out of _LOCAL.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Project

MakeProject = Callable[[int], Project]

CROSS_DOMAIN = """\
kind: model
name: OrderNote
domain: order
description: A note kept with an order.
fields:
  text: { type: String, description: The note., examples: ["fragile"] }
  record: AccountRecord
---
kind: query
key: order.note.find
version: 1.0.0
title: Find note
description: Find the note of an order.
domain: order
capability: order.api@1.0.0
input:
  orderId: ID
  status: { type: AccountStatus, optional: true, description: Only notes in this state. }
output:
  note: OrderNote
errors:
  NOTE_NOT_FOUND: { http: 404, description: No note has this id., when: The id is unknown. }
---
kind: command
key: order.detail.check
version: 1.0.0
title: Check detail
description: Check an account detail; its fields (and their descriptions) show here.
domain: order
capability: order.api@1.0.0
input: AccountDetail
output: AccountRecord
"""

EDITS = [
    ("enum", "description: Lifecycle state of a account.", "description: Edited enum."),
    ("enum value", "    description: In use.", "    description: Edited value."),
    ("shared model", "description: Detail of a account.", "description: Edited model."),
    ("field", "description: Human label.", "description: Edited field."),
    (
        "operation",
        "description: Create one account of the",
        "description: Edited. Create one account of the",
    ),
    ("goal", "goal: Let clients create account records.", "goal: Edited goal."),
    ("error", "description: No account has this id.", "description: Edited error."),
    ("error when", "when: The id is unknown. }", "when: Edited when. }"),
    ("event", "description: A account was stored.", "description: Edited event."),
    ("capability", "description: The account API.", "description: Edited capability."),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("docs-cache")
    p = Project(root / "p", 200)  # four domains
    # The order domain uses the account domain's record, enum and model.
    (p.root / "specs" / "order" / "notes.yaml").write_text(CROSS_DOMAIN)
    capability = p.root / "specs" / "order" / "specs.yaml"
    text = capability.read_text()
    capability.write_text(
        text.replace(
            "  operations:\n",
            "  operations:\n    - order.note.find@1.0.0\n    - order.detail.check@1.0.0\n",
            1,
        )
    )
    p.build()
    return p


@pytest.mark.parametrize(("what", "old", "new"), EDITS, ids=[e[0] for e in EDITS])
def test_reused_pages_equal_a_cold_build(
    built: Project, tmp_path: Path, what: str, old: str, new: str
) -> None:
    p = built.copy(tmp_path / "p", with_cache=True)
    spec = p.root / "specs" / "account" / "specs.yaml"
    text = spec.read_text()
    assert old in text, what
    spec.write_text(text.replace(old, new, 1))
    incremental = p.build()
    assert incremental.result.written, what
    # Only the account domain's pages (and the site index) are rendered again.
    assert 0 < incremental.misses("docs") < incremental.hits("docs") / 2, what
    cold = p.copy(tmp_path / "cold")
    shutil.rmtree(cold.out)
    cold.build(use_cache=False)
    assert cold.tree() == p.tree(), what


def test_a_structural_edit_renders_the_pages_again(built: Project, tmp_path: Path) -> None:
    p = built.copy(tmp_path / "p", with_cache=True)
    spec = p.root / "specs" / "account" / "specs.yaml"
    spec.write_text(spec.read_text().replace("title: Create account", "title: Open account", 1))
    again = p.build()
    assert again.hits("docs") == 0  # a title shows on other domains' pages: all anew
    cold = p.copy(tmp_path / "cold")
    shutil.rmtree(cold.out)
    cold.build(use_cache=False)
    assert cold.tree() == p.tree()


def test_an_inline_model_gets_a_page_when_another_domain_uses_it(
    built: Project, tmp_path: Path
) -> None:
    """An inline model has a page of its own only while something besides its owner uses it.

    Whether it does is decided by the whole set (a field in another domain): the
    pages that link to it, the domain index and the nav follow, in an incremental
    build as in a cold one, and the page goes again when the use does.
    """
    p = built.copy(tmp_path / "p", with_cache=True)
    page = p.out / "docs" / "docs" / "models" / "AccountAccountCreateOutput.md"
    owner = p.out / "docs" / "docs" / "operations" / "account.account.create.md"
    assert not page.exists()
    assert "Python class `AccountAccountCreateOutput`." in owner.read_text()
    notes = p.root / "specs" / "order" / "notes.yaml"
    original = notes.read_text()
    notes.write_text(
        original.replace(
            "  record: AccountRecord\n",
            "  record: AccountRecord\n  created: AccountAccountCreateOutput\n",
            1,
        )
    )
    p.build()
    assert page.exists()
    assert "(../models/AccountAccountCreateOutput.md)" in owner.read_text()
    assert "models/AccountAccountCreateOutput.md" in (p.out / "docs" / "mkdocs.yml").read_text()
    cold = p.copy(tmp_path / "cold")
    shutil.rmtree(cold.out)
    cold.build(use_cache=False)
    assert cold.tree() == p.tree()

    notes.write_text(original)
    p.build()
    assert not page.exists()
    assert p.tree() == built.tree()
