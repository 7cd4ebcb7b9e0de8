"""TypeORM entities and Knex migrations as schema sources (second round, guided by held-out
NestJS and Koa apps): their tables get SQLite-proven index suggestions on the repository and
query-builder calls, the edit goes where the app declares indexes (``@Index`` on the entity,
a new Knex migration), and once applied the suggestion is gone. Fixtures are our own."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.offline.treesitter import parse
from subagent_lsp.review.suggestion import Suggestion

ENTITY = """\
import { Column, Entity, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Customer } from "./customer.entity";

@Entity("orders")
export class Order {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ length: 40 })
  reference: string;

  @Column()
  state: string;

  @Column({ name: "placed_at" })
  placedAt: Date;

  @ManyToOne(() => Customer, (customer) => customer.orders)
  customer: Customer;
}
"""
SERVICE = """\
import { Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import { Repository } from "typeorm";
import { Order } from "./order.entity";

@Injectable()
export class OrderService {
  constructor(@InjectRepository(Order) private readonly orders: Repository<Order>) {}

  byReference(reference: string) {
    return this.orders.findOne({ where: { reference } }); // BKD101 orders (reference)
  }

  history(customerId: number, placedAt: Date) {
    return this.orders.find({ customerId, placedAt }); // BKD101 orders (customerId, placedAt)
  }

  byId(id: number) {
    return this.orders.findOne(id);
  }

  forCustomer(id: number) {
    return this.orders.find({ where: { customer: { id } } });
  }
}
"""
PACKAGE = '{"dependencies": {"@nestjs/common": "^10.0.0", "typeorm": "^0.3.17"}}'

MIGRATION = """\
exports.up = function (knex) {
  return knex.schema
    .createTable("members", (table) => {
      table.increments("id");
      table.string("email").unique().notNullable();
    })
    .createTable("posts", function (t) {
      t.increments("id");
      t.integer("member").notNullable().references("members.id");
      t.string("slug").notNullable();
      t.string("state").index();
      t.timestamps(true, true);
      t.unique(["slug"]);
    });
};

exports.down = function (knex) {
  return knex.schema.dropTable("posts").dropTable("members");
};
"""
CONTROLLER = """\
const db = require("../db");

module.exports = {
  async bySlug(ctx) {
    ctx.body = await db("posts").first().where({ slug: ctx.params.slug });
  },
  async byMember(ctx) {
    ctx.body = await db("posts") // BKD101 posts (member, created_at)
      .where("member", ctx.params.member)
      .orderBy("created_at", "desc");
  },
  async recent(ctx) {
    ctx.body = await db("posts").where("posts.state", "=", "open").limit(20);
  },
  async email(ctx) {
    ctx.body = await db("members").where({ email: ctx.query.email }).first();
  },
};
"""


def _nest(root: Path) -> Path:
    (root / "package.json").write_text(PACKAGE)
    (root / "src").mkdir()
    (root / "src/order.entity.ts").write_text(ENTITY)
    service = root / "src/order.service.ts"
    service.write_text(SERVICE)
    return service


def _koa(root: Path) -> Path:
    (root / "package.json").write_text('{"dependencies": {"koa": "^2.14.0", "knex": "^3.0.0"}}')
    (root / "migrations").mkdir()
    (root / "migrations/20240105120000_init.js").write_text(MIGRATION)
    (root / "controllers").mkdir()
    controller = root / "controllers/posts.js"
    controller.write_text(CONTROLLER)
    return controller


def _suggest(root: Path, path: Path) -> list[Suggestion]:
    cache = SchemaCache()
    cache.scan([str(root)])
    return analyze(str(path), path.read_text(encoding="utf-8"), cache.schema())


def _apply(suggestion: Suggestion) -> None:
    by_path: dict[str, list[TextEdit]] = defaultdict(list)
    for edit in suggestion.edits:
        by_path[edit.path].append(TextEdit(edit.span, edit.new_text))
    for name, edits in by_path.items():
        target = Path(name)
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        new = apply_edits(text, edits)
        tree = parse(name, new)
        assert tree is not None and not tree.root.has_error, new
        target.write_text(new, encoding="utf-8")


def _marked(text: str) -> set[tuple[int, str]]:
    return {
        (n, line.split("// BKD101 ")[1])
        for n, line in enumerate(text.splitlines())
        if "// BKD101 " in line
    }


@pytest.mark.parametrize(("build", "text"), [(_nest, SERVICE), (_koa, CONTROLLER)])
def test_orm_queries_get_proven_indexes_on_their_lines(tmp_path: Path, build, text: str) -> None:
    path = build(tmp_path)
    found = _suggest(tmp_path, path)
    assert {(s.span.start.line, s.title.removeprefix("Add an index on ")) for s in found} == (
        _marked(text)
    )
    assert all(s.proven and "USING INDEX" in s.rationale for s in found)


def test_typeorm_edits_the_entity(tmp_path: Path) -> None:
    path = _nest(tmp_path)
    by_title = {s.title: s for s in _suggest(tmp_path, path)}
    single = by_title["Add an index on orders (reference)"]
    (edit,) = single.edits
    assert (edit.path.endswith("order.entity.ts"), edit.span.start.line, edit.new_text) == (
        True,
        8,
        "  @Index()\n",
    )
    composite = by_title["Add an index on orders (customerId, placedAt)"]
    assert composite.edits[0].span.start.line == 3
    assert composite.edits[0].new_text == '@Index(["customer", "placedAt"])\n'


def test_knex_edit_is_a_new_migration_after_the_last(tmp_path: Path) -> None:
    path = _koa(tmp_path)
    (found,) = _suggest(tmp_path, path)
    (edit,) = found.edits
    assert edit.path.endswith("migrations/20240105120001_add_ix_posts_member_created_at.js")
    assert 'table.index(["member", "created_at"], "ix_posts_member_created_at");' in edit.new_text
    assert "dropIndex" in edit.new_text


@pytest.mark.parametrize("build", [_nest, _koa])
def test_each_edit_applied_removes_its_suggestion(tmp_path: Path, build) -> None:
    path = build(tmp_path)
    for title in sorted(s.title for s in _suggest(tmp_path, path)):
        target = next(s for s in _suggest(tmp_path, path) if s.title == title)
        _apply(target)
        assert title not in {s.title for s in _suggest(tmp_path, path)}
    assert _suggest(tmp_path, path) == []


def test_declared_indexes_and_relations_keep_quiet(tmp_path: Path) -> None:
    path = _nest(tmp_path)
    entity = tmp_path / "src/order.entity.ts"
    text = ENTITY.replace("import { Column,", "import { Column, Index,")
    text = text.replace(
        '@Entity("orders")', '@Entity("orders")\n@Index("by_customer", ["customer", "state"])'
    )
    text = text.replace("  @Column({ length: 40 })", "  @Column({ length: 40, unique: true })")
    entity.write_text(text)
    assert _suggest(tmp_path, path) == []


def test_an_esm_knex_migration_gets_an_esm_one(tmp_path: Path) -> None:
    path = _koa(tmp_path)
    init = tmp_path / "migrations/20240105120000_init.js"
    init.write_text(
        MIGRATION.replace("exports.up = function", "export function up").replace(
            "exports.down = function", "export function down"
        )
    )
    (found,) = _suggest(tmp_path, path)
    assert found.edits[0].new_text.startswith("import type { Knex }")


def test_seed_scripts_are_not_reviewed(tmp_path: Path) -> None:
    _koa(tmp_path)
    (tmp_path / "seeds").mkdir()
    seed = tmp_path / "seeds/01-posts.js"
    seed.write_text(CONTROLLER)
    assert _suggest(tmp_path, seed) == []


DEFINE = """\
const { DataTypes } = require("sequelize");

module.exports = (sequelize) => {
  sequelize.define("ticket", {
    code: { type: DataTypes.STRING, unique: true },
    state: DataTypes.STRING,
    reference: DataTypes.STRING,
    ownerId: { type: DataTypes.INTEGER, allowNull: false },
  });
};
"""
INIT = """\
const { Model, DataTypes } = require("sequelize");

class Visit extends Model {}

Visit.init(
  {
    page: DataTypes.STRING,
    seenAt: DataTypes.DATE,
  },
  {
    sequelize: require("./db"),
    tableName: "page_visits",
    indexes: [{ fields: ["seenAt"] }],
  },
);

module.exports = Visit;
"""
ROUTES = """\
const { Op } = require("sequelize");
const { models } = require("./db");
const Visit = require("./visit");

async function tickets(owner) {
  return models.ticket.findAll({ where: { ownerId: owner }, order: [["createdAt", "DESC"]] }); // BKD101 tickets (ownerId, createdAt)
}

async function byCode(code) {
  return models.ticket.findOne({ where: { code } });
}

async function recent(page, since) {
  await models.ticket.findAll({ where: { ownerId: { [Op.in]: since } } }); // served by the one above
  return Visit.count({ where: { page } }); // BKD101 page_visits (page)
}

async function close(reference) {
  return models.ticket.update({ state: "closed" }, { where: { reference, [Op.or]: [] } }); // BKD101 tickets (reference)
}
"""


def _sequelize(root: Path) -> Path:
    (root / "package.json").write_text(
        '{"dependencies": {"express": "^4.18.2", "sequelize": "^6.35.0"}}'
    )
    (root / "ticket.model.js").write_text(DEFINE)
    (root / "visit.js").write_text(INIT)
    routes = root / "queries.js"
    routes.write_text(ROUTES)
    return routes


def test_sequelize_models_get_proven_indexes(tmp_path: Path) -> None:
    path = _sequelize(tmp_path)
    found = _suggest(tmp_path, path)
    assert {(s.span.start.line, s.title.removeprefix("Add an index on ")) for s in found} == (
        _marked(ROUTES)
    )
    by_title = {s.title: s.edits[0] for s in found}
    define = by_title["Add an index on tickets (ownerId, createdAt)"]
    assert define.new_text == ', { indexes: [{ fields: ["ownerId", "createdAt"] }] }'
    init = by_title["Add an index on page_visits (page)"]
    assert init.new_text == ', { fields: ["page"] }'


def test_each_sequelize_edit_applied_removes_its_suggestion(tmp_path: Path) -> None:
    path = _sequelize(tmp_path)
    for title in sorted(s.title for s in _suggest(tmp_path, path)):
        target = next(s for s in _suggest(tmp_path, path) if s.title == title)
        _apply(target)
        assert title not in {s.title for s in _suggest(tmp_path, path)}
    assert _suggest(tmp_path, path) == []


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("{ timestamps: true }", '{ timestamps: true, indexes: [{ fields: ["queue"] }] }'),
        ("{ timestamps: true, }", '{ timestamps: true, indexes: [{ fields: ["queue"] }], }'),
        ("{}", '{ indexes: [{ fields: ["queue"] }] }'),
        ("{ indexes: [] }", '{ indexes: [{ fields: ["queue"] }] }'),
    ],
)
def test_sequelize_options_take_the_index(tmp_path: Path, options: str, expected: str) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"sequelize": "^6.35.0"}}')
    model = tmp_path / "model.js"
    model.write_text(
        'const Sequelize = require("sequelize");\n'
        f'const Job = sequelize.define("job", {{ queue: Sequelize.STRING }}, {options});\n'
        "Job.findAll({ where: { queue: 'mail' } });\n"
    )
    (found,) = _suggest(tmp_path, model)
    _apply(found)
    assert expected in model.read_text()


def test_a_static_init_through_super_names_its_class(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"sequelize": "^6.35.0"}}')
    (tmp_path / "Lead.js").write_text(
        'const { Model, DataTypes } = require("sequelize");\n\nclass Lead extends Model {\n'
        "  static init(sequelize) {\n"
        "    super.init({ email: DataTypes.STRING }, { tableName: 'lead', sequelize });\n"
        "  }\n}\n\nmodule.exports = Lead;\n"
    )
    path = tmp_path / "leads.js"
    path.write_text(
        'const Lead = require("./Lead");\n\n'
        "module.exports = (email) => Lead.findOne({ where: { email } });\n"
    )
    (found,) = _suggest(tmp_path, path)
    assert found.title == "Add an index on lead (email)"
    assert found.edits[0].new_text == ', indexes: [{ fields: ["email"] }]'


REPORTS = """\
import { getRepository, In, MoreThan } from "typeorm";
import { Order } from "./order.entity";
import { dataSource } from "./data-source";

export async function late(since: Date) {
  return getRepository(Order).find({ where: { placedAt: MoreThan(since) }, order: { placedAt: "DESC" } }); // BKD101 orders (placedAt)
}

export async function byReference(references: string[]) {
  const orders = dataSource.getRepository(Order);
  return orders.findOneBy({ reference: In(references) }); // BKD101 orders (reference)
}
"""


def test_get_repository_and_find_operators(tmp_path: Path) -> None:
    _nest(tmp_path)
    path = tmp_path / "src/reports.ts"
    path.write_text(REPORTS)
    found = _suggest(tmp_path, path)
    assert {(s.span.start.line, s.title.removeprefix("Add an index on ")) for s in found} == (
        _marked(REPORTS)
    )
