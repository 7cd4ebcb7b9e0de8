"""BKD333: a route makes (or updates) a row whose foreign key takes the client's id with no
lookup of the row it names. A real FastAPI app on PostgreSQL built ``RegularStudent(**data.
dict())`` from a form body carrying ``course_id``, ``batch_id`` and ``payment_duration_id``
(and a CRUD function did the same with ``teacher_id``): an unknown id is an IntegrityError at
the commit, a 500 where a 404 names the missing parent; a Flask trip-log API took ``car_id``
straight from the JSON. Silent twins: a lookup first (in the route, in the CRUD function, by
a dependency), a value that is not the client's (the signed-in user's id, a loaded row's
column), a commit caught with an answer of its own, an app-wide handler, and a database that
enforces no foreign keys."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)


class Course(Base):
    __tablename__ = "courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)


class Batch(Base):
    __tablename__ = "batches"
    id: Mapped[int] = mapped_column(primary_key=True)


class Student(Base):
    __tablename__ = "students"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    mentor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


class Enrolment(Base):
    __tablename__ = "enrolments"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_code: Mapped[str] = mapped_column(ForeignKey("courses.code"))


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(String(200))
"""
SCHEMAS = """\
from typing import Optional

from fastapi import Form
from pydantic import BaseModel


class StudentIn(BaseModel):
    name: str
    course_id: int
    batch_id: int
    mentor_id: Optional[int] = None

    @classmethod
    def as_form(
        cls,
        name: str = Form(...),
        course_id: int = Form(...),
        batch_id: int = Form(...),
        mentor_id: Optional[int] = Form(None),
    ):
        return cls(name=name, course_id=course_id, batch_id=batch_id, mentor_id=mentor_id)


class StudentPatch(BaseModel):
    name: Optional[str] = None
    course_id: Optional[int] = None


class NoteIn(BaseModel):
    text: str


class EnrolmentIn(BaseModel):
    course_code: str
"""
CRUD = """\\
from sqlalchemy.orm import Session

from app.models import Batch, Course, Student, User
from app.schemas import StudentIn


def create_student(db: Session, data: StudentIn) -> Student:
    student = Student(**data.model_dump())
    db.add(student)
    db.commit()
    return student


def create_checked(db: Session, data: StudentIn) -> Student:
    student = Student(**data.model_dump())
    ensure_exists(db, Course, data.course_id)
    ensure_exists(db, Batch, data.batch_id)
    for key in (data.mentor_id,):
        ensure_exists(db, User, key)
    db.add(student)
    db.commit()
    return student


def ensure_exists(db: Session, model: type, key: int | None) -> None:
    if key is not None and db.get(model, key) is None:
        raise LookupError(key)
"""
ROUTES = """\
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import crud
from app.database import current_user, get_db
from app.models import Batch, Course, Enrolment, Note, Student, User
from app.schemas import EnrolmentIn, NoteIn, StudentIn, StudentPatch

router = APIRouter()


@router.post("/students")
def create_student(
    data: StudentIn = Depends(StudentIn.as_form), db: Session = Depends(get_db)
):
    student = Student(**data.model_dump())
    db.add(student)
    db.commit()
    return {"id": student.id}


@router.post("/checked")
def create_checked(data: StudentIn, db: Session = Depends(get_db)):
    if db.get(Course, data.course_id) is None:
        raise HTTPException(status_code=404, detail="Course not found")
    batch = db.query(Batch).filter(Batch.id == data.batch_id).first()
    if batch is None:
        raise HTTPException(status_code=404, detail="Batch not found")
    student = Student(name=data.name, course_id=data.course_id, batch_id=batch.id)
    db.add(student)
    db.commit()
    return {"id": student.id}


@router.post("/batches/{batch_id}/students")
def enrol(batch_id: int, data: StudentIn, db: Session = Depends(get_db)):
    student = Student(name=data.name, course_id=data.course_id, batch_id=batch_id)
    db.add(student)
    db.commit()
    return {"id": student.id}


@router.post("/notes")
def create_note(body: NoteIn, db: Session = Depends(get_db), user: User = Depends(current_user)):
    note = Note(owner_id=user.id, text=body.text)
    db.add(note)
    db.commit()
    return {"id": note.id}


@router.post("/enrolments")
def create_enrolment(body: EnrolmentIn, db: Session = Depends(get_db)):
    enrolment = Enrolment(course_code=body.course_code)
    db.add(enrolment)
    db.commit()
    return {"id": enrolment.id}


@router.post("/answered")
def create_answered(data: StudentIn, db: Session = Depends(get_db)):
    student = Student(**data.model_dump())
    db.add(student)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(status_code=422, detail="unknown course, batch or mentor")
    return {"id": student.id}


@router.post("/duplicates")
def create_duplicate_answered(data: StudentIn, db: Session = Depends(get_db)):
    student = Student(**data.model_dump())
    db.add(student)
    try:
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise HTTPException(status_code=409, detail="Student already exists") from exc
    return {"id": student.id}


@router.post("/through-crud")
def create_through_crud(data: StudentIn, db: Session = Depends(get_db)):
    return crud.create_student(db, data)


@router.post("/crud-checked")
def create_crud_checked(data: StudentIn, db: Session = Depends(get_db)):
    return crud.create_checked(db, data)


@router.patch("/students/{student_id}")
def update_student(student_id: int, data: StudentPatch, db: Session = Depends(get_db)):
    student = db.get(Student, student_id)
    if student is None:
        raise HTTPException(status_code=404, detail="Student not found")
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(student, key, value)
    db.commit()
    return {"id": student.id}
"""
DATABASE = """\
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

engine = create_engine("postgresql+psycopg2://school:school@db/school")


def get_db():
    with Session(engine) as session:
        yield session


def current_user():
    raise NotImplementedError
"""
MAIN = """\
from fastapi import FastAPI

from app.routes import router

app = FastAPI()
app.include_router(router)
"""


def _app(root: Path, **changed: str) -> Path:
    (root / "requirements.txt").write_text(
        changed.pop("requirements", "fastapi\nsqlalchemy==2.0.41\npsycopg2-binary\n")
    )
    app = root / "app"
    app.mkdir()
    files = {
        "__init__.py": "",
        "models.py": MODELS,
        "schemas.py": SCHEMAS,
        "crud.py": CRUD,
        "routes.py": ROUTES,
        "database.py": DATABASE,
        "main.py": MAIN,
    }
    files.update({k + ".py": v for k, v in changed.items()})
    for name, text in files.items():
        (app / name).write_text(text, encoding="utf-8")
    return app


def _found(root: Path) -> list[Suggestion]:
    return sorted(
        (s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD333"),
        key=lambda s: (s.path, s.span.start.line),
    )


def _where(found: list[Suggestion], root: Path) -> list[tuple[str, int, str]]:
    return [(str(Path(s.path).relative_to(root)), s.span.start.line + 1, s.title) for s in found]


def _line(text: str, needle: str, nth: int = 0) -> int:
    """The (1-based) line of ``needle``'s ``nth`` occurrence in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return text[:at].count("\n") + 1


def _lines(root: Path) -> list[int]:
    return [s.span.start.line + 1 for s in _found(root)]


ALL_THREE = "Answer 404 when course_id, batch_id or mentor_id names no row"
DUMPED = "    student = Student(**data.model_dump())\n"
ENROLLED = "    student = Student(name=data.name, course_id=data.course_id, batch_id=batch_id)\n"
THROUGH = "    return crud.create_student(db, data)\n"
LOOP = "    for key, value in data.model_dump(exclude_unset=True).items():\n"


def test_unchecked_client_ids_are_reported_where_the_row_is_written(tmp_path: Path) -> None:
    _app(tmp_path)
    assert _where(_found(tmp_path), tmp_path) == [
        ("app/routes.py", _line(ROUTES, DUMPED), ALL_THREE),  # the form's body dumped whole
        (
            "app/routes.py",
            _line(ROUTES, ENROLLED),
            "Answer 404 when course_id or batch_id names no row",
        ),
        # the 409 there would call an unknown id a duplicate
        ("app/routes.py", _line(ROUTES, DUMPED, 2), ALL_THREE),
        ("app/routes.py", _line(ROUTES, THROUGH), ALL_THREE),  # the CRUD function's create
        ("app/routes.py", _line(ROUTES, LOOP), "Answer 404 when course_id names no row"),
    ]


def test_the_fix_looks_each_parent_up_before_the_create(tmp_path: Path) -> None:
    app = _app(tmp_path)
    student = _found(tmp_path)[0]
    assert "foreign keys to courses, batches and users" in student.rationale
    assert "PostgreSQL (" in student.rationale
    assert "mentor_id is nullable: it is looked up only when given" in student.rationale
    new = apply_suggestion(student)[str(app / "routes.py")]
    assert (
        "):\n"
        "    if db.get(Course, data.course_id) is None:\n"
        "        raise HTTPException(\n"
        '            status_code=404, detail=f"Course {data.course_id} not found"\n'
        "        )\n"
        "    if db.get(Batch, data.batch_id) is None:\n"
        '        raise HTTPException(status_code=404, detail=f"Batch {data.batch_id} not found")\n'
        "    if data.mentor_id is not None and db.get(User, data.mentor_id) is None:\n"
        '        raise HTTPException(status_code=404, detail=f"User {data.mentor_id} not found")\n'
        "    student = Student(**data.model_dump())\n"
    ) in new
    ast.parse(new)
    assert len(_found(tmp_path)) == 4  # the others stay


def test_a_url_part_that_loaded_nothing_is_the_clients_id_too(tmp_path: Path) -> None:
    app = _app(tmp_path)
    enrol = _found(tmp_path)[1]
    new = apply_suggestion(enrol)[str(app / "routes.py")]
    assert (
        "    if db.get(Course, data.course_id) is None:\n"
        "        raise HTTPException(\n"
        '            status_code=404, detail=f"Course {data.course_id} not found"\n'
        "        )\n"
        "    if db.get(Batch, batch_id) is None:\n"
        '        raise HTTPException(status_code=404, detail=f"Batch {batch_id} not found")\n'
        "    student = Student(name=data.name, course_id=data.course_id, batch_id=batch_id)\n"
    ) in new


def test_an_except_answering_a_duplicate_is_named_for_what_it_mislabels(tmp_path: Path) -> None:
    _app(tmp_path)
    duplicate = _found(tmp_path)[2]
    assert "answers the IntegrityError as a duplicate" in duplicate.rationale


def test_through_a_crud_function_the_route_looks_the_parents_up(tmp_path: Path) -> None:
    app = _app(tmp_path)
    through = _found(tmp_path)[3]
    assert "hands the client's course_id, batch_id and mentor_id to `crud.create_student`" in (
        through.rationale
    )
    new = apply_suggestion(through)[str(app / "routes.py")]
    assert (
        '        raise HTTPException(status_code=404, detail=f"Batch {data.batch_id} not found")\n'
        "    if data.mentor_id is not None and db.get(User, data.mentor_id) is None:\n"
        '        raise HTTPException(status_code=404, detail=f"User {data.mentor_id} not found")\n'
        "    return crud.create_student(db, data)\n"
    ) in new


def test_an_update_looks_up_only_the_fields_it_was_given(tmp_path: Path) -> None:
    app = _app(tmp_path)
    update = _found(tmp_path)[4]
    assert "writes the client's course_id into a Student" in update.rationale
    assert "course_id may be left out" in update.rationale
    new = apply_suggestion(update)[str(app / "routes.py")]
    assert (
        "    if data.course_id is not None and db.get(Course, data.course_id) is None:\n"
        "        raise HTTPException(\n"
        '            status_code=404, detail=f"Course {data.course_id} not found"\n'
        "        )\n"
        "    for key, value in data.model_dump(exclude_unset=True).items():\n"
    ) in new


def test_a_dependency_reading_the_parent_may_have_looked_it_up(tmp_path: Path) -> None:
    routes = ROUTES.replace(
        "def create_student(\n    data: StudentIn = Depends(StudentIn.as_form), db: Session = "
        "Depends(get_db)\n):",
        "def create_student(\n"
        "    data: StudentIn = Depends(StudentIn.as_form),\n"
        "    db: Session = Depends(get_db),\n"
        "    course: Course = Depends(current_user),\n"
        "    batch=Depends(known_batch),\n"
        "    mentor=Depends(known_mentor),\n"
        "):",
    ) + (
        "\n\ndef known_batch(data: StudentIn, db: Session = Depends(get_db)):\n"
        "    return db.get(Batch, data.batch_id)\n"
        "\n\ndef known_mentor(data: StudentIn, db: Session = Depends(get_db)):\n"
        "    return db.get(User, data.mentor_id)\n"
    )
    _app(tmp_path, routes=routes)
    assert _line(routes, "    student = Student(**data.model_dump())\n") not in _lines(tmp_path)


def test_a_database_that_enforces_no_foreign_key_is_left_alone(tmp_path: Path) -> None:
    sqlite = DATABASE.replace("postgresql+psycopg2://school:school@db/school", "sqlite:///s.db")
    _app(tmp_path, requirements="fastapi\nsqlalchemy==2.0.41\n", database=sqlite)
    assert _found(tmp_path) == []


def test_sqlite_with_its_foreign_keys_turned_on_enforces_them(tmp_path: Path) -> None:
    sqlite = DATABASE.replace(
        "postgresql+psycopg2://school:school@db/school", "sqlite:///s.db"
    ).replace(
        "def get_db():",
        '@event.listens_for(engine, "connect")\n'
        "def on_connect(connection, record):\n"
        '    connection.execute("PRAGMA foreign_keys=ON")\n\n\n'
        "def get_db():",
    )
    sqlite = "from sqlalchemy import event\n" + sqlite
    _app(tmp_path, requirements="fastapi\nsqlalchemy==2.0.41\n", database=sqlite)
    found = _found(tmp_path)
    assert len(found) == 5
    assert "SQLite with `PRAGMA foreign_keys=ON` (app/database.py)" in found[0].rationale


def test_an_app_wide_handler_for_integrity_errors_answers_them(tmp_path: Path) -> None:
    main = MAIN.replace(
        "app.include_router(router)\n",
        "app.include_router(router)\n\n\n"
        "@app.exception_handler(IntegrityError)\n"
        "async def conflict(request, exc):\n"
        "    return JSONResponse(status_code=422, content={'detail': 'unknown reference'})\n",
    ).replace(
        "from fastapi import FastAPI\n",
        "from fastapi import FastAPI\nfrom fastapi.responses import JSONResponse\n"
        "from sqlalchemy.exc import IntegrityError\n",
    )
    _app(tmp_path, main=main)
    assert _found(tmp_path) == []


FLASK_APP = """\
from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "mysql+pymysql://trips:trips@db/trips"
db = SQLAlchemy(app)


class Car(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Charger(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Trip(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    car_id = db.Column(db.Integer, db.ForeignKey("car.id"), nullable=False)
    charger_id = db.Column(db.Integer, db.ForeignKey("charger.id"))
    user_id = db.Column(db.Integer, nullable=False)


@app.post("/trips")
def create_trip():
    payload = request.get_json()
    trip = Trip(
        car_id=payload["car_id"],
        charger_id=payload.get("charger_id"),
        user_id=1,
    )
    db.session.add(trip)
    db.session.commit()
    return jsonify(id=trip.id), 201


@app.put("/trips/<int:trip_id>")
def move_trip(trip_id):
    trip = db.get_or_404(Trip, trip_id)
    trip.car_id = request.json["car_id"]
    db.session.commit()
    return jsonify(id=trip.id)


@app.post("/cars/<int:car_id>/trips")
def add_trip(car_id):
    car = db.get_or_404(Car, car_id)
    trip = Trip(car_id=car.id, user_id=1)
    db.session.add(trip)
    db.session.commit()
    return jsonify(id=trip.id), 201
"""


ROUTED_CHARGER = "Answer 404 when car_id or charger_id names no row"
MOVED = '    trip.car_id = request.json["car_id"]\n'


def _flask(root: Path, requirements: str, text: str = FLASK_APP) -> Path:
    (root / "requirements.txt").write_text(requirements)
    (root / "app.py").write_text(text, encoding="utf-8")
    return root / "app.py"


def test_flask_sqlalchemy_3_answers_with_its_get_or_404(tmp_path: Path) -> None:
    app = _flask(tmp_path, "flask\nflask-sqlalchemy==3.1.1\npymysql\n")
    found = _found(tmp_path)
    assert _where(found, tmp_path) == [
        ("app.py", _line(FLASK_APP, "    trip = Trip(\n"), ROUTED_CHARGER),
        ("app.py", _line(FLASK_APP, MOVED), "Answer 404 when car_id names no row"),
    ]
    assert "MySQL (it declares pymysql)" in found[0].rationale
    new = apply_suggestion(found[0])[str(app)]
    assert (
        "    payload = request.get_json()\n"
        "    db.get_or_404(\n"
        '        Car, payload["car_id"], description=f\'Car {payload["car_id"]} not found\'\n'
        "    )\n"
        '    if payload.get("charger_id") is not None:\n'
        "        db.get_or_404(\n"
        "            Charger,\n"
        '            payload.get("charger_id"),\n'
        "            description=f'Charger {payload.get(\"charger_id\")} not found',\n"
        "        )\n"
        "    trip = Trip(\n"
    ) in new
    ast.parse(new)
    assert _lines(tmp_path) == [_line(new, MOVED)]


def test_flask_sqlalchemy_2_answers_with_the_querys_get_or_404(tmp_path: Path) -> None:
    app = _flask(tmp_path, "flask\nflask-sqlalchemy==2.5.1\npymysql\n")
    new = apply_suggestion(_found(tmp_path)[1])[str(app)]
    assert (
        "    trip = db.get_or_404(Trip, trip_id)\n"
        '    Car.query.get_or_404(request.json["car_id"])\n'
        '    trip.car_id = request.json["car_id"]\n'
    ) in new


def test_flask_uses_the_modules_own_answer_to_a_missing_row(tmp_path: Path) -> None:
    text = FLASK_APP + (
        '\n\n@app.get("/cars/<int:car_id>")\n'
        "def get_car(car_id):\n"
        "    car = Car.query.filter_by(id=car_id).first()\n"
        "    if not car:\n"
        '        return jsonify(error="no such car"), 404\n'
        "    return jsonify(id=car.id)\n"
    )
    app = _flask(tmp_path, "flask\nflask-sqlalchemy==3.1.1\npymysql\n", text)
    new = apply_suggestion(_found(tmp_path)[1])[str(app)]
    assert (
        '    if db.session.get(Car, request.json["car_id"]) is None:\n'
        '        return jsonify(error="no such car"), 404\n'
        '    trip.car_id = request.json["car_id"]\n'
    ) in new


RAW_ROUTES = """\
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from app.database import get_db
from app.models import Course, Student
from app.schemas import StudentIn

router = APIRouter()


@router.post("/raw")
def create_raw(payload: dict, db: Session = Depends(get_db)):
    student = Student(name=payload["name"], course_id=payload["course_id"], batch_id=1)
    db.add(student)
    db.commit()
    return {"id": student.id}


@router.post("/aliased")
def create_aliased(payload: dict, db: Session = Depends(get_db)):
    course_id = int(payload["course_id"])
    if db.get(Course, payload["course_id"]) is None:
        raise HTTPException(status_code=404, detail="no such course")
    student = Student(name=payload["name"], course_id=course_id, batch_id=1)
    db.add(student)
    db.commit()
    return {"id": student.id}


@router.post("/excluded")
def create_excluded(data: StudentIn, db: Session = Depends(get_db)):
    course = db.get(Course, 1)
    student = Student(**data.model_dump(exclude={"course_id"}), course_id=course.id)
    db.add(student)
    db.commit()
    return {"id": student.id}
"""


def test_a_raw_json_body_is_the_clients_and_a_lookup_of_its_source_counts(
    tmp_path: Path,
) -> None:
    app = _app(tmp_path, routes=RAW_ROUTES)
    (raw,) = _found(tmp_path)  # not the aliased lookup, nor the dump leaving the key out
    assert raw.title == "Answer 404 when course_id names no row"
    new = apply_suggestion(raw)[str(app / "routes.py")]
    assert (
        '    if db.get(Course, payload["course_id"]) is None:\n'
        "        raise HTTPException(\n"
        "            status_code=404, detail=f'Course {payload[\"course_id\"]} not found'\n"
        "        )\n"
        '    student = Student(name=payload["name"], course_id=payload["course_id"], '
        "batch_id=1)\n"
    ) in new
    ast.parse(new)
