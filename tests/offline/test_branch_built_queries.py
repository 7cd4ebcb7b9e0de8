"""A listing built across ``if`` branches (fixtures of our own, the shape a blind review found
on a real Flask-RESTful app): ``query = Model.query``, each filter applied only when the client
sends it, one unconditional sort, then a page. Each optional filter is read alone beside the
sort (not all at once, where one indexed column made every other look served), and the sort
alone for the paged listing; a filter step the reading cannot see into (``q = helper(q)``)
under an ``if`` is left out, and a project helper that pages the query it is handed makes it
a paged listing. The indexed twin gets nothing."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect


def _titles(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, int, str]]:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    (tmp_path / "__init__.py").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return {
        (Path(s.path).name, s.span.start.line + 1, s.title)
        for s in collect([str(tmp_path)], ["index"])
    }


RESULTS = """\
from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class Result(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    subject = db.Column(db.String(200), nullable=False)
    testcase = db.Column(db.String(200), nullable=False)
    status = db.Column(db.String(20), nullable=False)
    timestamp = db.Column(db.DateTime, nullable=False){timestamp_index}{table_args}


@app.get("/results")
def results():
    args = request.args
    query = Result.query
    if args.get("subject"):
        query = query.filter(Result.subject == args["subject"])
    if args.get("testcase"):
        query = query.filter(Result.testcase == args["testcase"])
    if args.get("status"):
        query = query.filter(Result.status == args["status"])
    query = query.order_by(Result.timestamp.desc())
    page = query.paginate(page=1, per_page=20)
    return {{"items": [r.id for r in page.items]}}
"""

INDEXES = """
    __table_args__ = (
        db.Index("ix_result_subject_timestamp", "subject", "timestamp"),
        db.Index("ix_result_testcase_timestamp", "testcase", "timestamp"),
        db.Index("ix_result_status_timestamp", "status", "timestamp"),
    )"""


def test_each_optional_filter_is_read_alone_beside_the_sort(tmp_path: Path) -> None:
    found = _titles(tmp_path, {"app.py": RESULTS.format(timestamp_index="", table_args="")})
    assert found == {
        # the paged listing with no filter sent: newest first, a page at a time
        ("app.py", 26, "Add an index on result (timestamp)"),
        # each filter the client may send alone, with the sort behind it (a status too: a
        # page of one status's newest rows is read in order)
        ("app.py", 26, "Add an index on result (subject, timestamp)"),
        ("app.py", 26, "Add an index on result (testcase, timestamp)"),
        ("app.py", 26, "Add an index on result (status, timestamp)"),
    }


def test_the_indexed_listing_gets_nothing(tmp_path: Path) -> None:
    text = RESULTS.format(timestamp_index=", index=True", table_args=INDEXES)
    assert _titles(tmp_path, {"app.py": text}) == set()


WAIVERS = """\
from flask import Flask
from flask_restful import Api, Resource, reqparse
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import func

from .utils import json_collection

app = Flask(__name__)
db = SQLAlchemy(app)
api = Api(app)
parser = reqparse.RequestParser()


class Waiver(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    subject = db.Column(db.Text, nullable=False, index=True)
    username = db.Column(db.String(255), nullable=False)
    timestamp = db.Column(db.DateTime{timestamp_index}){table_args}


def without_obsolete(query):
    newest = db.session.query(func.max(Waiver.id)).group_by(Waiver.subject)
    return query.filter(Waiver.id.in_(newest))


class WaiversResource(Resource):
    def get(self):
        args = parser.parse_args()
        q = Waiver.query.order_by(Waiver.timestamp.desc())
        if args["subject"]:
            q = q.filter(Waiver.subject == args["subject"])
        if args["username"]:
            q = q.filter(Waiver.username == args["username"])
        if not args["include_obsolete"]:
            q = without_obsolete(q)
        q = q.order_by(Waiver.timestamp.desc())
        return json_collection(q, args["page"], args["limit"])


api.add_resource(WaiversResource, "/waivers/")
"""

UTILS = """\
def json_collection(query, page=1, limit=10):
    p = query.paginate(page=page, per_page=limit)
    return {"data": [w.id for w in p.items], "pages": p.pages}
"""


def test_a_helper_step_is_skipped_and_a_paging_helper_pages(tmp_path: Path) -> None:
    text = WAIVERS.format(timestamp_index="", table_args="")
    assert _titles(tmp_path, {"api.py": text, "utils.py": UTILS}) == {
        ("api.py", 36, "Add an index on waiver (timestamp)"),
        ("api.py", 36, "Add an index on waiver (username, timestamp)"),
        # subject's own index finds its rows: nothing for it
    }


def test_the_indexed_waivers_get_nothing(tmp_path: Path) -> None:
    text = WAIVERS.format(
        timestamp_index=", index=True",
        table_args='\n    __table_args__ = (db.Index("ix_waiver_user_time", "username", "timestamp"),)',
    )
    assert _titles(tmp_path, {"api.py": text, "utils.py": UTILS}) == set()
