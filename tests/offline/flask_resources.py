"""The Flask-RESTful project the resource tests share: a Flask-SQLAlchemy ``User`` and a
project base of the resources (``ApiResource(Resource)``) in another module."""

from __future__ import annotations

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))
"""

BASE = """\
from flask import jsonify
from flask_restful import Resource


class ApiResource(Resource):
    def render_json(self, data=None, code=0):
        return jsonify({"code": code, "data": data})
"""
