"""BKD101 for an association table's trailing key column, walked from its side: ``PRIMARY KEY
(artist_id, song_id)`` is one index led by ``artist_id``, so the reads of a song's artists
(``WHERE artist_song.song_id = ?``) scan it. The walks that make those reads: a marshmallow
model schema dumping ``Song.artists`` (``Nested(..., many=True)``), and ``Song.artists.any()``
in a condition (an EXISTS per song row), whether the class names the model itself or a generic
filter class holds it (``model_filter = Song``). Shapes of our own after a real Flask app's
songs, artists and search filters; the walk from the leading side, a load-only field, a
single nested object and ``.has()`` say nothing."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.event import listens_for

db = SQLAlchemy()

performer_track = db.Table(
    "performer_track",
    sa.Column("performer_id", sa.Integer, sa.ForeignKey("performer.id"), primary_key=True),
    sa.Column("track_id", sa.Integer, sa.ForeignKey("track.id"), primary_key=True),
)


class Performer(db.Model):
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), nullable=False)
    tracks = db.relationship(
        "Track", back_populates="performers", lazy="dynamic", secondary=performer_track
    )


class Record(db.Model):
    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(50), nullable=False)


class Track(db.Model):
    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(50), nullable=False)
    record_id = sa.Column(sa.Integer, sa.ForeignKey("record.id"), index=True)
    record = db.relationship("Record")
    performers = db.relationship(
        "Performer", back_populates="tracks", lazy="dynamic", secondary=performer_track
    )


@listens_for(db.session, "after_flush")
def sweep_orphans(session, context):
    session.query(Track).filter(~Track.performers.any()).delete(synchronize_session=False)
"""
SCHEMAS = """\
from flask_marshmallow import Marshmallow
from marshmallow import fields

from .models import Track

ma = Marshmallow()


class PerformerOut(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class TrackOut(ma.SQLAlchemySchema):
    class Meta:
        model = Track

    id = ma.auto_field()
    title = ma.auto_field()
    performers = fields.Nested(PerformerOut(only=("id", "name")), many=True)
"""
FILTERS = """\
from .models import Performer, Track


class BaseFilter:
    model_filter = None

    def __init__(self, text):
        self.text = text


class TrackFilter(BaseFilter):
    model_filter = Track

    def make_query(self):
        model = self.model_filter
        return model.query.filter(
            model.title.ilike(f"%{self.text}%")
            | model.performers.any(Performer.name.ilike(f"%{self.text}%"))
        )
"""
VIEWS = """\
from flask import Blueprint, jsonify

from .filters import TrackFilter
from .models import Track
from .schemas import TrackOut

bp = Blueprint("tracks", __name__)
out = TrackOut()


@bp.get("/tracks")
def tracks():
    return jsonify(out.dump(Track.query.all(), many=True))


@bp.get("/tracks/search/<text>")
def search(text):
    return jsonify(out.dump(TrackFilter(text).make_query().all(), many=True))
"""


def _app(root: Path, files: dict[str, str]) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    for name, text in files.items():
        (root / "app" / name).write_text(text)
    (root / "requirements.txt").write_text("flask-sqlalchemy\nflask-marshmallow\n")
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def _all(root: Path) -> Path:
    return _app(
        root, {"models.py": MODELS, "schemas.py": SCHEMAS, "filters.py": FILTERS, "views.py": VIEWS}
    )


def test_the_trailing_key_column_walked_from_its_side_gets_its_index(tmp_path: Path) -> None:
    root = _all(tmp_path)
    (found,) = _indexes(root)
    assert found.title == "Add an index on performer_track (track_id)"
    # anchored at the dump (a read per dumped track), the EXISTS walks cited after it
    assert (Path(found.path).name, found.span.start.line + 1) == ("schemas.py", 20)
    assert found.rationale.startswith(
        "`TrackOut.performers dumps Track.performers (lazy load per dumped Track)` reads "
        "performer_track by equality on track_id first, and no index serves it (existing: "
        "primary key (performer_id, track_id)). The primary key (performer_id, track_id) is "
        "one index, led by performer_id: it finds rows by performer_id, never by track_id alone."
    )
    assert "Plan before: SCAN performer_track" in found.rationale
    assert "Plan after:  SEARCH performer_track USING INDEX proposed_index (track_id=?)" in (
        found.rationale
    )
    sites = found.rationale.split("The same index serves:\n", 1)[1].splitlines()
    assert sorted(sites) == [
        '  - filters.py:18 `model.performers.any(Performer.name.ilike(f"%{self.text}%")) '
        "(EXISTS per Track row)`",
        "  - models.py:39 `Track.performers.any() (EXISTS per Track row)`",
    ]
    models = apply_suggestion(found)[str(root / "app" / "models.py")]
    assert (
        'sa.Column("track_id", sa.Integer, sa.ForeignKey("track.id"), primary_key=True, '
        "index=True)," in models
    )
    compile(models, "models.py", "exec")
    assert _indexes(root) == []  # the index made, nothing is left to say


def test_each_walk_alone_finds_the_same_index(tmp_path: Path) -> None:
    dumped = _app(tmp_path / "dump", {"models.py": MODELS, "schemas.py": SCHEMAS})
    searched = _app(tmp_path / "search", {"models.py": MODELS, "filters.py": FILTERS})
    for root, site in ((dumped, ("schemas.py", 20)), (searched, ("filters.py", 18))):
        (found,) = _indexes(root)
        assert found.title == "Add an index on performer_track (track_id)"
        assert (Path(found.path).name, found.span.start.line + 1) == site


def test_the_leading_side_a_load_only_or_single_field_and_has_say_nothing(
    tmp_path: Path,
) -> None:
    models = MODELS.replace(
        "~Track.performers.any()", "~Performer.tracks.any(), Track.record.has()"
    )
    schemas = SCHEMAS.replace(
        "many=True)\n", "many=True, load_only=True)\n    record = fields.Nested(PerformerOut)\n"
    )
    assert "load_only=True" in schemas
    # a plain marshmallow schema says nothing of the model it dumps
    plain = SCHEMAS.replace("ma.SQLAlchemySchema", "ma.Schema").replace(
        "    class Meta:\n        model = Track\n\n", ""
    )
    filters = FILTERS.replace("model_filter = Track", "model_filter = other_model()")
    root = _app(tmp_path / "a", {"models.py": models, "schemas.py": schemas, "filters.py": filters})
    assert _indexes(root) == []
    root = _app(tmp_path / "b", {"models.py": models, "schemas.py": plain})
    assert _indexes(root) == []


ONE_TO_MANY = """\
import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Label(db.Model):
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50))
    records = db.relationship("Record", lazy="dynamic", backref="label")

    def record_count(self):
        return self.records.count()


class Record(db.Model):
    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(50))
    label_id = sa.Column(sa.Integer, sa.ForeignKey("label.id"))
"""
BUSY = """\
from .models import Label, Record


def busy_labels():
    return Label.query.filter(Label.records.any(Record.title.ilike("%live%"))).all()
"""


LABEL_VIEWS = """\
from flask import Blueprint, jsonify

from .models import Label

bp = Blueprint("labels", __name__)


@bp.get("/labels/<int:label_id>")
def label(label_id):
    return jsonify({"records": Label.query.get_or_404(label_id).record_count()})
"""


def test_an_exists_walk_backs_a_sites_own_case_and_does_not_stand_for_it(tmp_path: Path) -> None:
    # ``Label.records.any()`` (in a file read before the models) reads the same foreign key
    # as the label's own count: the count's line stays the anchor, the EXISTS one more site
    root = _app(tmp_path, {"models.py": ONE_TO_MANY, "filters.py": BUSY, "views.py": LABEL_VIEWS})
    (found,) = _indexes(root)
    assert found.title == "Add an index on record (label_id)"
    assert (Path(found.path).name, found.span.start.line + 1) == ("models.py", 13)
    assert found.rationale.startswith("`self.records.count()` reads record")
    assert "\n  - filters.py:5 `Label.records.any(Record.title.ilike(" in found.rationale
    # alone, the EXISTS walk makes the case itself
    (root / "app" / "models.py").write_text(ONE_TO_MANY.replace("self.records.count()", "0"))
    (alone,) = _indexes(root)
    assert (Path(alone.path).name, alone.span.start.line + 1) == ("filters.py", 5)
