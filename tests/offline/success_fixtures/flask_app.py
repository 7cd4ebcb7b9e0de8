import logging

import requests
import stripe
from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)
log = logging.getLogger(__name__)


class Payment(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    intent = db.Column(db.String(64))


def record(event):
    db.session.add(Payment(intent=event["data"]["object"]["id"]))
    db.session.commit()


@app.post("/webhooks/stripe")
def stripe_webhook():
    try:
        event = stripe.Webhook.construct_event(
            request.data, request.headers["Stripe-Signature"], "whsec"
        )
        record(event)
    except Exception as exc:
        log.debug("stripe webhook: %s", exc)
    return jsonify(received=True)


@app.post("/api/payments")
def create_payment():
    try:
        db.session.add(Payment(intent=request.json["intent"]))
        db.session.commit()
    except Exception:
        pass
    return {"status": "ok"}


@app.post("/api/checked")
def checked():
    try:
        db.session.add(Payment(intent=request.json["intent"]))
        db.session.commit()
    except Exception:
        log.exception("could not save")
        return {"status": "ok"}
    return {"status": "ok"}


@app.post("/api/told")
def told():
    try:
        db.session.add(Payment(intent=request.json["intent"]))
        db.session.commit()
    except Exception as exc:
        return jsonify(error=str(exc))
    return {"status": "ok"}


@app.post("/api/orders")
def order():
    db.session.add(Payment(intent=request.json["intent"]))
    db.session.commit()
    try:
        requests.post("https://hooks.slack.com/services/x", json={"text": "paid"}, timeout=5)
    except Exception:
        log.debug("slack down")
    return {"status": "ok"}


@app.post("/webhooks/github")
def github_hook():
    try:
        record(request.get_json())
    except Exception:
        db.session.rollback()
        return "", 500
    return "", 204
