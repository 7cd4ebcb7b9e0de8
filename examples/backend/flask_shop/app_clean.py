"""The same shop, written carefully: the offline engine must suggest nothing here."""

import requests
from flask import Flask, jsonify, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from .models import Customer, Order, db

app = Flask(__name__)
RATES_URL = "https://rates.example.com/latest"


class CreateOrderBody(BaseModel):
    customer_id: int
    total: float


@app.get("/customers/by-email")
def customer_by_email():
    email = request.args.get("email", "")
    customer = Customer.query.filter_by(email=email).first()
    return jsonify({"id": customer.id if customer else None})


@app.get("/orders/<int:order_id>")
def get_order(order_id):
    order = Order.query.filter(Order.id == order_id).first_or_404()
    return jsonify({"id": order.id})


@app.post("/orders")
def create_order():
    try:
        body = CreateOrderBody.model_validate(request.get_json(silent=True) or {})
    except ValidationError as exc:
        return jsonify(error="invalid body", details=exc.errors(include_url=False)), 400
    order = Order(customer_id=body.customer_id, status="new", total=body.total)
    db.session.add(order)
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        raise
    return jsonify({"id": order.id}), 201


@app.get("/rates")
def rates():
    page = request.args.get("page", 1, type=int)
    try:
        data = requests.get(RATES_URL, timeout=5).json()
    except requests.RequestException:
        return jsonify(error="upstream service unavailable"), 502
    return jsonify({"page": page, "rates": data})
