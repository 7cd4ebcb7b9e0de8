"""GORM verdicts from held-out Go apps (second round), as fixtures of our own: a struct or
map condition (``Where(&Post{AuthorID: id})``, ``Where(map[string]any{...})``) is a query
shape like a SQL string, and jinzhu/gorm v1's ``unique_index`` / ``primary_key`` tags are
indexes -- a slug declared ``unique_index`` gets no second one."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.schema import SchemaCache

MODEL = """\
package model

import "github.com/jinzhu/gorm"

type Post struct {
\tgorm.Model
\tSlug     string `gorm:"unique_index;not null"`
\tAuthorID uint
\tState    string
\tRegion   string
}
"""
STORE = """\
package store

import (
\t"github.com/jinzhu/gorm"

\t"example.com/blog/model"
)

func bySlug(db *gorm.DB, slug string) (p model.Post, err error) {
\terr = db.Where(&model.Post{Slug: slug}).First(&p).Error
\treturn
}

func byAuthor(db *gorm.DB, id uint) (posts []model.Post) {
\tdb.Where(&model.Post{AuthorID: id}).Find(&posts) // BKD101 posts (author_id)
\treturn
}

func byRegion(db *gorm.DB, region string) (posts []model.Post) {
\tdb.Model(&model.Post{}).Where(map[string]interface{}{"region": region}).Find(&posts) // BKD101 posts (region)
\treturn
}

func byID(db *gorm.DB, id uint) (p model.Post) {
\tdb.Where(id).First(&p)
\treturn
}
"""


def _project(root: Path) -> Path:
    (root / "go.mod").write_text("module example.com/blog\n\ngo 1.21\n")
    (root / "model").mkdir()
    (root / "model/post.go").write_text(MODEL)
    (root / "store").mkdir()
    store = root / "store/post.go"
    store.write_text(STORE)
    return store


def _found(root: Path, path: Path) -> set[tuple[int, str]]:
    cache = SchemaCache()
    cache.scan([str(root)])
    out = analyze(str(path), path.read_text(encoding="utf-8"), cache.schema())
    assert all(s.proven for s in out)
    return {(s.span.start.line, s.title.removeprefix("Add an index on ")) for s in out}


def test_struct_and_map_conditions_are_read_and_v1_unique_index_counts(tmp_path: Path) -> None:
    path = _project(tmp_path)
    marked = {
        (n, line.split("// BKD101 ")[1])
        for n, line in enumerate(STORE.splitlines())
        if "// BKD101 " in line
    }
    assert _found(tmp_path, path) == marked


@pytest.mark.parametrize(
    ("field", "tagged"),
    [
        ("\tAuthorID uint\n", '\tAuthorID uint `gorm:"index"`\n'),
        ("\tRegion   string\n", '\tRegion   string `gorm:"index:ix_region"`\n'),
    ],
)
def test_an_indexed_field_keeps_its_query_quiet(tmp_path: Path, field: str, tagged: str) -> None:
    path = _project(tmp_path)
    (tmp_path / "model/post.go").write_text(MODEL.replace(field, tagged))
    assert len(_found(tmp_path, path)) == 1


BUN = """\
package store

import (
\t"context"

\t"github.com/uptrace/bun"

\t"example.com/app/models"
)

func purge(ctx context.Context, db *bun.DB, a *models.Account) error {
\t_, err := db.NewDelete().Model((*models.Token)(nil)).Where("account_id = ?", a.ID).Exec(ctx) // BKD101 tokens (account_id)
\treturn err
}

func load(ctx context.Context, db *bun.DB, a *models.Account, email string) error {
\treturn db.NewSelect().Model(a).Where("email = ?", email).Scan(ctx) // BKD101 accounts (email)
}
"""
BUN_SQL = (
    "CREATE TABLE accounts (id SERIAL PRIMARY KEY, email TEXT NOT NULL);\n"
    "CREATE TABLE tokens (id SERIAL PRIMARY KEY, account_id INT NOT NULL REFERENCES accounts(id),"
    " token TEXT NOT NULL UNIQUE);\n"
)


def test_bun_chains_read_like_gorm_ones(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.21\n")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations/001_init.sql").write_text(BUN_SQL)
    path = tmp_path / "store.go"
    path.write_text(BUN)
    marked = {
        (n, line.split("// BKD101 ")[1])
        for n, line in enumerate(BUN.splitlines())
        if "// BKD101 " in line
    }
    assert _found(tmp_path, path) == marked


def test_a_struct_condition_keeps_its_field_order(tmp_path: Path) -> None:
    path = _project(tmp_path)
    text = STORE.replace(
        "Where(&model.Post{AuthorID: id})", 'Where(model.Post{AuthorID: id, Region: "eu"})'
    )
    path.write_text(text)
    assert (14, "posts (author_id, region)") in _found(tmp_path, path)
