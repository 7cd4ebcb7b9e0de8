import requests
from flask import Flask, jsonify, request

from .models import Customer, Order, db

app = Flask(__name__)
RATES_URL = "https://rates.example.com/latest"


@app.get("/customers/<int:customer_id>/orders")
def customer_orders(customer_id):
    page = int(request.args.get("page", 1))
    orders = (
        Order.query.filter(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc())
        .limit(50)
        .offset((page - 1) * 50)
        .all()
    )
    return jsonify([{"id": o.id, "status": o.status} for o in orders])


@app.get("/customers/by-email")
def customer_by_email():
    email = request.args.get("email", "")
    customer = Customer.query.filter_by(email=email).first()
    return jsonify({"id": customer.id if customer else None})


@app.post("/orders")
def create_order():
    data = request.get_json()
    order = Order(
        customer_id=int(data["customer_id"]),
        status="new",
        total=data["total"],
    )
    db.session.add(order)
    db.session.commit()
    return jsonify({"id": order.id}), 201


@app.get("/orders/<int:order_id>/total-in")
def order_total_in(order_id):
    currency = request.args.get("currency", "EUR")
    rates = requests.get(RATES_URL, params={"base": "EUR"}).json()
    order = Order.query.get_or_404(order_id)
    return jsonify({"total": float(order.total) * rates[currency]})
