"""Node and Go patterns beyond the examples: pg with SQL migrations, pg transactions, Joi,
Mongoose (unproven indexes), floating promise chains, gin and GORM -- each planted defect on
its line (the line that holds its marker), and the same code written correctly gets nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.schema import SchemaCache

PACKAGE = '{"dependencies": {"express": "^4.18.2", "pg": "^8.11.0", "joi": "^17.0.0",'
PACKAGE += ' "mongoose": "^8.0.0"}}\n'
MIGRATION = (
    "CREATE TABLE payments (\n  id SERIAL PRIMARY KEY,\n  account_id INTEGER NOT NULL,\n"
    "  state TEXT NOT NULL,\n  created_at TIMESTAMPTZ NOT NULL\n);\n"
)
MODEL = (
    'const mongoose = require("mongoose");\n\n'
    "const eventSchema = new mongoose.Schema({\n"
    '  account: { type: mongoose.Schema.Types.ObjectId, ref: "Account", index: true },\n'
    "  kind: String,\n  at: Date,\n});\n\n"
    'module.exports = mongoose.model("Event", eventSchema);\n'
)
NODE = """\
const express = require("express");
const { Pool } = require("pg");
const Event = require("./models/event");

const pool = new Pool();
const router = express.Router();

router.get("/accounts/:id/payments", (req, res, next) => {
  pool // BKD308
    .query("SELECT * FROM payments WHERE account_id = $1 AND state = 'open'", [id(req)]) // BKD101
    .then((result) => res.json(result.rows));
});

router.post("/payments", (req, res, next) => {
  const amount = req.body.amount; // BKD201
  res.status(201).json({ amount });
});

async function settle(id) {
  const client = await pool.connect();
  await client.query("BEGIN"); // BKD303
  await client.query("UPDATE payments SET state = 'paid' WHERE id = $1", [id]);
  await client.query("COMMIT");
  client.release();
}

async function kinds(account) {
  return Event.find({ kind: "login" }).sort({ at: -1 }); // BKD102
}

async function webhook(url) {
  await fetch(url, { method: "POST" }); // BKD301
}

module.exports = { router, settle, kinds, webhook };
"""
NODE_CLEAN = """\
const express = require("express");
const Joi = require("joi");
const { Pool } = require("pg");
const Event = require("./models/event");

const pool = new Pool();
const router = express.Router();
const Payment = Joi.object({ amount: Joi.number().required() });

router.get("/accounts/:id/events", (req, res, next) => {
  Event.find({ account: req.params.id })
    .then((events) => res.json(events))
    .catch(next);
});

router.post("/payments", (req, res, next) => {
  const { error, value } = Payment.validate(req.body);
  if (error) return res.status(400).json({ error: error.message });
  res.status(201).json({ amount: value.amount });
});

async function settle(id) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("UPDATE payments SET state = 'paid' WHERE id = $1", [id]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  } finally {
    client.release();
  }
}

async function webhook(url) {
  await fetch(url, { method: "POST", signal: AbortSignal.timeout(5000) });
}

module.exports = { router, settle, webhook };
"""
GO = """\
package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"
)

type Ticket struct {
	gorm.Model
	ProjectID uint   `gorm:"not null"`
	Status    string `json:"status"`
}

type Handler struct{ db *gorm.DB }

func (h *Handler) Open(c *gin.Context) {
	var tickets []Ticket
	h.db.Where("project_id = ? AND status = ?", c.Param("id"), "open").Find(&tickets) // BKD101
	c.JSON(http.StatusOK, tickets)
}

func (h *Handler) Create(c *gin.Context) {
	var t Ticket
	c.ShouldBindJSON(&t) // BKD305
	h.db.Create(&t)
	c.JSON(http.StatusCreated, t)
}

func Migrate(db *gorm.DB) error { return db.AutoMigrate(&Ticket{}) }
"""
GO_CLEAN = """\
package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"
)

type Issue struct {
	gorm.Model
	ProjectID uint   `gorm:"not null;index:ix_issue_project_status,priority:1"`
	Status    string `gorm:"index:ix_issue_project_status,priority:2"`
}

type IssueHandler struct{ db *gorm.DB }

func (h *IssueHandler) Open(c *gin.Context) {
	var issues []Issue
	h.db.Where("project_id = ? AND status = ?", c.Param("id"), "open").Find(&issues)
	c.JSON(http.StatusOK, issues)
}

func (h *IssueHandler) Create(c *gin.Context) {
	var i Issue
	if err := c.ShouldBindJSON(&i); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	h.db.Create(&i)
	c.JSON(http.StatusCreated, i)
}

func MigrateIssues(db *gorm.DB) error { return db.AutoMigrate(&Issue{}) }
"""


def _project(root: Path) -> None:
    files = {
        "node/package.json": PACKAGE,
        "node/migrations/001_payments.sql": MIGRATION,
        "node/src/models/event.js": MODEL,
        "node/src/payments.js": NODE,
        "node/src/payments_clean.js": NODE_CLEAN,
        "go/go.mod": "module example.com/tickets\n\ngo 1.22\n",
        "go/tickets.go": GO,
        "go/clean/issues.go": GO_CLEAN,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def _found(root: Path, rel: str) -> set[tuple[int, str]]:
    cache = SchemaCache()
    cache.scan([str(root)])
    path = root / rel
    return {
        (s.span.start.line, s.code)
        for s in analyze(str(path), path.read_text(encoding="utf-8"), cache.schema())
    }


def _planted(text: str) -> set[tuple[int, str]]:
    """(0-based line, code) of each ``// BKDnnn`` marker."""
    out = set()
    for number, line in enumerate(text.splitlines()):
        if "// BKD" in line:
            out |= {(number, code) for code in line.split("// ", 1)[1].split()}
    return out


@pytest.mark.parametrize(("rel", "text"), [("node/src/payments.js", NODE), ("go/tickets.go", GO)])
def test_planted_patterns_on_their_lines(tmp_path: Path, rel: str, text: str) -> None:
    _project(tmp_path)
    planted = _planted(text)
    assert len(planted) >= 2
    assert _found(tmp_path, rel) == planted


@pytest.mark.parametrize("rel", ["node/src/payments_clean.js", "go/clean/issues.go"])
def test_the_same_code_written_correctly_gets_nothing(tmp_path: Path, rel: str) -> None:
    _project(tmp_path)
    assert _found(tmp_path, rel) == set()


def test_mongo_index_is_labelled_unproven_and_goes_into_the_schema(tmp_path: Path) -> None:
    _project(tmp_path)
    cache = SchemaCache()
    cache.scan([str(tmp_path)])
    path = tmp_path / "node/src/payments.js"
    (mongo,) = [s for s in analyze(str(path), NODE, cache.schema()) if s.code == "BKD102"]
    assert mongo.proven is False and "explain()" in mongo.rationale
    (edit,) = mongo.edits
    assert edit.path.endswith("event.js")
    assert edit.new_text == "eventSchema.index({ kind: 1, at: -1 });\n"


def test_joi_project_gets_a_joi_schema(tmp_path: Path) -> None:
    _project(tmp_path)
    cache = SchemaCache()
    cache.scan([str(tmp_path)])
    path = tmp_path / "node/src/payments.js"
    (body,) = [s for s in analyze(str(path), NODE, cache.schema()) if s.code == "BKD201"]
    texts = [e.new_text for e in body.edits]
    assert any("Joi.object({ amount: Joi.number().required() })" in t for t in texts)
    assert 'const Joi = require("joi");\n' in texts  # CommonJS, like the file


# Patterns judged on real apps: what the code already handles stays quiet.
QUIET = {
    "start.js": 'process.on("unhandledRejection", (err) => console.error(err));\n'
    "connect(url).then(() => app.listen(3000));\n",
    "signup.js": 'const express = require("express");\nconst router = express.Router();\n'
    'router.post("/users", async (req, res, next) => {\n  try {\n'
    "    res.status(201).json(await createUser({ ...req.body.user }));\n"
    "  } catch (err) {\n    next(err);\n  }\n});\n",
    "tx.go": 'package store\n\nimport "gorm.io/gorm"\n\nfunc touch(db *gorm.DB) error {\n'
    '\ttx := db.Begin()\n\ttx.Exec("UPDATE counters SET n = n + 1")\n'
    "\treturn tx.Commit().Error\n}\n",
}


@pytest.mark.parametrize("name", sorted(QUIET))
def test_handled_elsewhere_stays_quiet(tmp_path: Path, name: str) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "^4.0.0"}}')
    path = tmp_path / name
    path.write_text(QUIET[name], encoding="utf-8")
    assert analyze(str(path), QUIET[name]) == []


def test_gorm_model_finds_its_prefixed_singular_table(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE blog_tag (id INTEGER PRIMARY KEY, name TEXT, state INTEGER);\n"
    )
    code = (
        'package models\n\nimport "gorm.io/gorm"\n\ntype Tag struct{ Name string }\n\n'
        "func byName(db *gorm.DB, name string) (tag Tag) {\n"
        '\tdb.Where("name = ?", name).First(&tag)\n\treturn\n}\n'
    )
    (tmp_path / "tag.go").write_text(code)
    cache = SchemaCache()
    cache.scan([str(tmp_path)])
    (found,) = analyze(str(tmp_path / "tag.go"), code, cache.schema())
    assert (found.code, found.span.start.line, found.title) == (
        "BKD101",
        7,
        "Add an index on blog_tag (name)",
    )
    assert found.edits[0].new_text == "CREATE INDEX ix_blog_tag_name ON blog_tag (name);\n"


NAMED = """\
import express from "express";
import { z } from "zod";

const router = express.Router();
const Order = z.object({ total: z.number() });

async function createOrder(req, res) {
  const total = req.body.total; // BKD201
  res.status(201).json({ total });
}

async function updateOrder(req, res) {
  const total = req.body.total;
  res.json({ total });
}

router.post("/orders", createOrder);
router.put("/orders/:id", validate(Order), updateOrder);
"""
GO_MORE = """\
package api

import (
	"io"
	"net/http"

	"github.com/jmoiron/sqlx"
	"gorm.io/gorm"
)

type Note struct{ ID int }

func read(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(r.Body) // BKD206
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Write(data)
}

func one(db *sqlx.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var n Note
		err := db.Get(&n, "SELECT id FROM notes WHERE id = $1", r.PathValue("id")) // BKD304
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
}

func first(db *gorm.DB, w http.ResponseWriter, r *http.Request) {
	var n Note
	if err := db.First(&n, r.PathValue("id")).Error; err != nil { // BKD304
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
}
"""


@pytest.mark.parametrize(("name", "text"), [("orders.ts", NAMED), ("notes.go", GO_MORE)])
def test_named_handlers_body_reads_and_single_row_lookups(
    tmp_path: Path, name: str, text: str
) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "^5.0.0", "zod": "3"}}')
    (tmp_path / "go.mod").write_text("module x\n")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    planted = _planted(text)
    assert planted
    assert {(s.span.start.line, s.code) for s in analyze(str(path), text)} == planted


CLIENTS = """\
const axios = require("axios");
const got = require("got");

const api = axios.create({ baseURL: "https://api.example.com" }); // BKD301
const bare = axios.create(); // BKD301

async function pay(session, id) {
  session.startTransaction(); // BKD303
  await Payment.updateOne({ _id: id }, { paid: true }, { session });
  await session.commitTransaction();
}

async function quote() {
  return got("https://quotes.example.com").json(); // BKD301
}

module.exports = { api, bare, pay, quote };
"""
GO_ROWS = """\
package api

import (
	"database/sql"
	"net/http"

	"gorm.io/gorm"
)

type Member struct {
	ID    uint
	Email string `json:"email"`
}

func Migrate(db *gorm.DB) { db.AutoMigrate(&Member{}) }

func byEmail(db *gorm.DB, email string) (m Member) {
	db.First(&m, "email = ?", email) // BKD101
	return
}

func show(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var name string
		row := db.QueryRow("SELECT name FROM people WHERE id = $1", r.PathValue("id"))
		err := row.Scan(&name) // BKD304
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
}
"""


@pytest.mark.parametrize(("name", "text"), [("clients.js", CLIENTS), ("members.go", GO_ROWS)])
def test_client_instances_sessions_and_row_scans(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"axios": "1", "got": "14"}}')
    (tmp_path / "go.mod").write_text("module x\n")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    cache = SchemaCache()
    cache.scan([str(tmp_path)])
    planted = _planted(text)
    assert planted
    found = analyze(str(path), text, cache.schema())
    assert {(s.span.start.line, s.code) for s in found} == planted
    for suggestion in found:  # each edit leaves a file tree-sitter reads without error
        from subagent_lsp.definitions.findings import TextEdit
        from subagent_lsp.definitions.fixes import apply_edits
        from subagent_lsp.review.offline.treesitter import parse

        edits = [TextEdit(e.span, e.new_text) for e in suggestion.edits if e.path == str(path)]
        edited = apply_edits(text, edits)
        tree = parse(str(path), edited)
        assert tree is not None and not tree.root.has_error, edited


@pytest.mark.parametrize(
    ("field", "edited"),
    [
        ("product: String", "product: { type: String, index: true }"),
        ("product: { type: String }", "product: { type: String, index: true }"),
    ],
)
def test_a_one_field_mongo_index_goes_on_the_field(tmp_path: Path, field: str, edited: str) -> None:
    code = (
        'const mongoose = require("mongoose");\n'
        f'const Review = mongoose.model("Review", new mongoose.Schema({{ {field}, stars: Number }}));\n'
        "function of(product) {\n  return Review.find({ product });\n}\n"
    )
    path = tmp_path / "reviews.js"
    path.write_text(code, encoding="utf-8")
    cache = SchemaCache()
    cache.scan([str(tmp_path)])
    (found,) = analyze(str(path), code, cache.schema())
    assert (found.code, found.span.start.line, found.proven) == ("BKD102", 3, False)
    from subagent_lsp.definitions.findings import TextEdit
    from subagent_lsp.definitions.fixes import apply_edits

    after = apply_edits(code, [TextEdit(e.span, e.new_text) for e in found.edits])
    assert edited in after
    path.write_text(after, encoding="utf-8")
    cache.scan([str(tmp_path)])
    assert analyze(str(path), after, cache.schema()) == []
