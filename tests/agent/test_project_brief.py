"""The agent gets the same project facts as the offline engine (issue #15): declared packages,
app-wide handlers, session lifecycle and the indexes a touched table already has wherever they
were written -- sent through the real SDK to the stand-in on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.review.agent import bundled_agent_path, load_agent
from subagent_lsp.review.anthropic_agent import AgentCall, call_agent
from subagent_lsp.review.context import build_context
from subagent_lsp.review.project import Projects

from ..standin import StandIn

FILES = {
    "pyproject.toml": (
        '[project]\nname = "shop"\ndependencies = ["flask", "flask-sqlalchemy", "marshmallow"]\n'
    ),
    "shop/__init__.py": (
        "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\n"
        "app = Flask(__name__)\ndb = SQLAlchemy(app)\n\n\n"
        "@app.errorhandler(404)\ndef missing(e):\n    return {'error': 'not found'}, 404\n"
    ),
    "shop/models.py": (
        "from shop import db\n\n\n"
        "class Order(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    customer_id = db.Column(db.Integer)\n"
        "    status = db.Column(db.String(20))\n"
    ),
    # The index lives in a migration, not beside the model.
    "migrations/versions/0002_orders.py": (
        "from alembic import op\n\n\ndef upgrade():\n"
        "    op.create_index('ix_order_customer_id', 'order', ['customer_id'])\n"
    ),
    "shop/views.py": (
        "from flask import request\n\nfrom shop import app, db\nfrom shop.models import Order\n\n\n"
        "@app.get('/orders')\ndef orders():\n"
        "    rows = Order.query.filter_by(customer_id=request.args['customer']).all()\n"
        "    return {'orders': [o.id for o in rows]}\n"
    ),
}


def _workspace(tmp_path: Path) -> tuple[Projects, Path]:
    for rel, text in FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    projects = Projects()
    projects.scan([str(tmp_path)])
    return projects, tmp_path / "shop" / "views.py"


def _context(projects: Projects, views: Path, with_project: bool = True, budget: int = 6000):
    text = views.read_text(encoding="utf-8")
    schema = projects.schemas.schema()
    return build_context(
        str(views),
        text,
        Span(Position(6, 0), Position(9, 0)),
        "index",
        schema,
        budget,
        project=projects.of(str(views)) if with_project else None,
    )


def test_the_prompt_says_what_the_project_already_has(tmp_path: Path) -> None:
    projects, views = _workspace(tmp_path)
    prompt = _context(projects, views).prompt()
    about = prompt.split("About the project as a whole:\n", 1)[1]
    assert "- Declared dependencies (import nothing else): flask, flask_sqlalchemy, " in about
    assert "marshmallow" in about
    assert "- App-wide error handlers already answer: 404" in about
    assert "Flask extension that removes it" in about
    assert "Indexes `order` already has: ix_order_customer_id (customer_id); id (column)." in about


def test_without_a_project_model_only_the_schema_facts_are_said(tmp_path: Path) -> None:
    projects, views = _workspace(tmp_path)
    prompt = _context(projects, views, with_project=False).prompt()
    assert "Declared dependencies" not in prompt and "App-wide error handlers" not in prompt
    assert "Indexes `order` already has: ix_order_customer_id" in prompt


def test_the_facts_give_way_to_the_code_when_the_budget_is_short(tmp_path: Path) -> None:
    projects, views = _workspace(tmp_path)
    # The smallest budget that holds the code and the table's definition: no room for the facts.
    contexts = (_context(projects, views, budget=b) for b in range(100, 3000, 5))
    context = next(c for c in contexts if c.tables == 1)
    assert "About the project as a whole" not in context.prompt()
    assert "the facts about the project" in context.truncated
    assert _context(projects, views, budget=3000).project


def test_the_facts_reach_the_api_through_the_real_sdk(standin: StandIn, tmp_path: Path) -> None:
    projects, views = _workspace(tmp_path)
    context = _context(projects, views)
    agent = load_agent(bundled_agent_path())
    schema = projects.schemas.schema()
    answer = asyncio.run(
        call_agent(AgentCall(agent, agent.model_id(), context), schema, [str(tmp_path)])
    )
    assert answer.suggestions == []
    sent = standin.requests[0]["body"]["messages"][0]["content"]
    text = sent if isinstance(sent, str) else "".join(part.get("text", "") for part in sent)
    assert "App-wide error handlers already answer: 404" in text
    assert "ix_order_customer_id (customer_id)" in text
