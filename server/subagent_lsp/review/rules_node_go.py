"""The BKD rules that only Node and Go code has, and the Node/Go examples of the rules both
share with Python (the same code, so a suppression or re-rating covers every language).

Runnable like every example: a test analyses each one, checks it triggers its rule, applies
the suggestion's edits and checks the suggestion is gone.
"""

from __future__ import annotations

from ..definitions.findings import Severity
from ..registry import Example, Rule, table

_EXPRESS = 'import express from "express";\n\nconst app = express();\napp.use(express.json());\n\n'
_EXPRESS_PKG = '{"dependencies": {"express": "^4.19.2"}}\n'
_GO_HEAD = 'package main\n\nimport (\n\t"encoding/json"\n\t"net/http"\n)\n\n'
_GO_SQL_HEAD = 'package main\n\nimport (\n\t"database/sql"\n\t"net/http"\n)\n\n'


def _rule(
    code: str, kind: str, name: str, summary: str, why: str, example: Example, fix: str
) -> Rule:
    return Rule(
        code,
        name,
        Severity.INFORMATION,
        summary,
        why,
        example=example,
        fix=fix,
        applicability="unsafe",
        tags=frozenset({kind}),
        family="backend",
    )


_MONGOOSE_MODEL = (
    'const mongoose = require("mongoose");\n\n'
    "const orderSchema = new mongoose.Schema(\n"
    '  { user: { type: mongoose.Schema.Types.ObjectId, ref: "User" }, status: String },\n'
    "  { timestamps: true }\n"
    ");\n\n"
    'module.exports = mongoose.model("Order", orderSchema);\n'
)

NODE_GO_RULES = table(
    _rule(
        "BKD102",
        "index",
        "missing-mongo-index",
        "A Mongoose query filters or sorts on fields no index starts with (unproven).",
        "MongoDB then scans the whole collection (a COLLSCAN); the index the suggestion adds to "
        "the schema is not proven here -- SQLite's planner is not MongoDB's -- so check it with "
        "`.explain()`.",
        Example(
            path="src/orders.js",
            files={"src/models/order.js": _MONGOOSE_MODEL},
            text='const Order = require("./models/order");\n\n'
            + "function open(user) {\n"
            + '  return Order.find({ user, status: "open" }).sort({ createdAt: -1 });\n'
            + "}\n\nmodule.exports = { open };\n",
        ),
        "Add the `schema.index({...})` the suggestion proposes, then confirm with `.explain()`.",
    ),
    _rule(
        "BKD206",
        "validation",
        "unbounded-body",
        "A Go handler decodes the request body without a size limit.",
        "Without `http.MaxBytesReader` one client can send gigabytes and the decoder reads "
        "them all into memory.",
        Example(
            path="orders.go",
            text=_GO_HEAD
            + "type Order struct{ Total int }\n\n"
            + "func create(w http.ResponseWriter, r *http.Request) {\n"
            + "\tvar o Order\n"
            + "\tif err := json.NewDecoder(r.Body).Decode(&o); err != nil {\n"
            + '\t\thttp.Error(w, "malformed JSON", http.StatusBadRequest)\n'
            + "\t\treturn\n"
            + "\t}\n"
            + "}\n",
        ),
        "Wrap the body in `http.MaxBytesReader` (or a middleware that does it for all routes).",
    ),
    _rule(
        "BKD309",
        "error-handling",
        "async-rejection-unhandled",
        "An async Express 4 handler's rejection reaches no error handler.",
        "Express 4 ignores the promise a handler returns: a failing `await` leaves the request "
        "hanging and the error middleware never sees it.",
        Example(
            path="server.js",
            files={"package.json": _EXPRESS_PKG},
            text=_EXPRESS
            + 'app.get("/users/:id", async (req, res) => {\n'
            + "  const user = await loadUser(req.params.id);\n"
            + "  res.json(user);\n"
            + "});\n",
        ),
        "Catch and call `next(err)`, wrap the handler, or move to Express 5 (or "
        "express-async-errors), which forward rejections.",
    ),
    _rule(
        "BKD308",
        "error-handling",
        "floating-promise-chain",
        "A `.then()` chain with no `.catch()` is left floating.",
        "Its rejection reaches nothing: the request is never answered and Node reports an "
        "unhandled rejection, which stops the process by default.",
        Example(
            path="server.js",
            files={"package.json": _EXPRESS_PKG},
            text=_EXPRESS
            + 'app.get("/users/:id", (req, res, next) => {\n'
            + "  loadUser(req.params.id).then((user) => res.json(user));\n"
            + "});\n",
        ),
        "End the chain with `.catch(next)` (or await it inside a try).",
    ),
    _rule(
        "BKD307",
        "error-handling",
        "rows-unchecked",
        "Go `rows` from a query are not closed, or `rows.Err()` is not checked.",
        "An unclosed `rows` keeps its connection out of the pool; without `rows.Err()` a "
        "failure mid-iteration looks like the end of the result.",
        Example(
            path="orders.go",
            text=_GO_SQL_HEAD
            + "func list(db *sql.DB, w http.ResponseWriter, r *http.Request) {\n"
            + '\trows, err := db.Query("SELECT id FROM orders WHERE total > $1", 10)\n'
            + "\tif err != nil {\n"
            + "\t\thttp.Error(w, err.Error(), http.StatusInternalServerError)\n"
            + "\t\treturn\n"
            + "\t}\n"
            + "\tfor rows.Next() {\n"
            + "\t}\n"
            + "}\n",
        ),
        "`defer rows.Close()` after the error check, and check `rows.Err()` after the loop.",
    ),
)

_PRISMA = (
    "model Order {\n"
    "  id        Int      @id @default(autoincrement())\n"
    "  userId    Int\n"
    "  createdAt DateTime @default(now())\n"
    "}\n"
)

# Code -> the Node/Go examples of a rule declared in rules.py (its Python example stays the one
# the docs lead with).
NODE_GO_EXAMPLES: dict[str, tuple[Example, ...]] = {
    "BKD101": (
        Example(
            path="src/orders.ts",
            files={"prisma/schema.prisma": _PRISMA},
            text='import { PrismaClient } from "@prisma/client";\n\n'
            + "const prisma = new PrismaClient();\n\n"
            + "export function recent(userId: number) {\n"
            + "  return prisma.order.findMany({ where: { userId }, orderBy: { createdAt: "
            + '"desc" } });\n'
            + "}\n",
        ),
        Example(
            path="store.go",
            text='package main\n\nimport "gorm.io/gorm"\n\n'
            + "type Order struct {\n"
            + "\tID     uint\n"
            + '\tEmail  string `json:"email"`\n'
            + "}\n\n"
            + "func migrate(db *gorm.DB) { db.AutoMigrate(&Order{}) }\n\n"
            + "func byEmail(db *gorm.DB) {\n"
            + "\tvar ids []int\n"
            + '\tdb.Raw("SELECT id FROM orders WHERE email = ?", "a@example.com").Scan(&ids)\n'
            + "}\n",
        ),
        Example(
            path="orders.go",
            text='package main\n\nimport "gorm.io/gorm"\n\n'
            + "type Order struct {\n"
            + "\tgorm.Model\n"
            + '\tUserID uint `gorm:"not null"`\n'
            + "}\n\n"
            + "func mine(db *gorm.DB, user uint) []Order {\n"
            + "\tvar orders []Order\n"
            + '\tdb.Where("user_id = ?", user).Find(&orders)\n'
            + "\treturn orders\n"
            + "}\n",
        ),
    ),
    "BKD201": (
        Example(
            path="server.ts",
            files={"package.json": '{"dependencies": {"express": "^4.19.2", "zod": "^3.23.0"}}\n'},
            text=_EXPRESS
            + 'app.post("/orders", (req, res) => {\n'
            + "  const { total } = req.body;\n"
            + "  res.status(201).json({ total });\n"
            + "});\n",
        ),
    ),
    "BKD202": (
        Example(
            path="orders.go",
            text='package main\n\nimport (\n\t"net/http"\n\t"strconv"\n)\n\n'
            + "func page(w http.ResponseWriter, r *http.Request) {\n"
            + '\tn, _ := strconv.Atoi(r.URL.Query().Get("page"))\n'
            + "\t_ = n\n"
            + "}\n",
        ),
    ),
    "BKD301": (
        Example(
            path="rates.js",
            text="async function rates() {\n"
            + '  const res = await fetch("https://rates.example.com/latest");\n'
            + "  return res.json();\n"
            + "}\n",
        ),
        Example(
            path="rates.go",
            text='package main\n\nimport "net/http"\n\nvar client = &http.Client{}\n',
        ),
    ),
    "BKD303": (
        Example(
            path="store.go",
            text='package main\n\nimport "database/sql"\n\n'
            + "func pay(db *sql.DB) error {\n"
            + "\ttx, err := db.Begin()\n"
            + "\tif err != nil {\n"
            + "\t\treturn err\n"
            + "\t}\n"
            + '\tif _, err := tx.Exec("UPDATE orders SET paid = 1"); err != nil {\n'
            + "\t\treturn err\n"
            + "\t}\n"
            + "\treturn tx.Commit()\n"
            + "}\n",
        ),
    ),
    "BKD304": (
        Example(
            path="server.js",
            files={"package.json": _EXPRESS_PKG},
            text=_EXPRESS
            + 'app.get("/users/:id", (req, res, next) => {\n'
            + "  User.findById(req.params.id).then((user) => res.json(user.name), next);\n"
            + "});\n"
            + 'app.get("/orders/:id", async (req, res, next) => {\n'
            + "  try {\n"
            + "    const order = await prisma.order.findUnique({ where: { id: 1 } });\n"
            + "    res.json(order.total);\n"
            + "  } catch (err) {\n"
            + "    next(err);\n"
            + "  }\n"
            + "});\n",
        ),
    ),
    "BKD305": (
        Example(
            path="orders.go",
            text=_GO_HEAD
            + "func create(w http.ResponseWriter, r *http.Request) {\n"
            + "\tr.Body = http.MaxBytesReader(w, r.Body, 1<<20)\n"
            + "\tvar o map[string]any\n"
            + "\tjson.NewDecoder(r.Body).Decode(&o)\n"
            + "}\n",
        ),
    ),
}
