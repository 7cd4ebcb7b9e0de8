"""What an agent action on Node or Go code covers and sends: the handler under the cursor
(a route written inline: the whole route), the file's imports, the tables it touches."""

from __future__ import annotations

from subagent_lsp.definitions.findings import Position
from subagent_lsp.review.context import build_context
from subagent_lsp.review.offline.schema import schema_of_file
from subagent_lsp.review.scope import WHOLE_FILE, scope_of

TS = """\
import express from "express";
const { Pool } = require("pg");

const app = express();

// Creates an order.
app.post("/orders", async (req, res) => {
  const { rows } = await pool.query("INSERT INTO orders (total) VALUES ($1)", [req.body.t]);
  res.json(rows[0]);
});

class Orders {
  @Get(":id")
  async one(id: string) {
    return id;
  }
}
"""
GO = """\
package main

import (
	"database/sql"
	"net/http"
)

const schema = `CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER)`

func list(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		db.Query("SELECT id FROM orders")
	}
}
"""


def test_an_inline_route_is_scoped_whole() -> None:
    span = scope_of(TS, Position(7, 4), Position(7, 4), "server.ts")
    # From the comment above app.post(...) through its `});`
    assert (span.start.line, span.end.line) == (5, 9)


def test_a_method_takes_its_decorators_and_a_selection_wins() -> None:
    span = scope_of(TS, Position(14, 4), Position(14, 4), "server.ts")
    assert (span.start.line, span.end.line) == (12, 15)
    chosen = scope_of(TS, Position(1, 0), Position(2, 0), "server.ts")
    assert (chosen.start.line, chosen.end.line) == (1, 2)
    assert scope_of(TS, Position(3, 0), Position(3, 0), "server.ts") == WHOLE_FILE


def test_a_go_handler_closure_is_its_own_scope() -> None:
    span = scope_of(GO, Position(11, 2), Position(11, 2), "orders.go")
    assert (span.start.line, span.end.line) == (10, 12)


def test_the_context_names_the_language_and_sends_the_imports_and_tables() -> None:
    schema = schema_of_file("orders.go", GO)
    assert list(schema.tables) == ["orders"]  # from the SQL string in the Go code
    go = build_context(
        "orders.go",
        GO,
        scope_of(GO, Position(11, 2), Position(11, 2), "orders.go"),
        "index",
        schema,
    )
    assert go.language == "go"
    assert go.imports == 'import (\n\t"database/sql"\n\t"net/http"\n)'
    assert "CREATE TABLE orders" in go.schema
    ts = build_context(
        "server.ts",
        TS,
        scope_of(TS, Position(7, 4), Position(7, 4), "server.ts"),
        "validation",
        schema,
    )
    assert ts.language == "typescript"
    assert ts.imports == 'import express from "express";\nconst { Pool } = require("pg");'
