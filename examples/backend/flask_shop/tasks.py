"""Background jobs, run by a worker process outside any request: the app context pushed here is
never torn down, so one session serves every job."""

from .app import app
from .models import Order, db

app.app_context().push()


def mark_shipped(order_ids):
    for order_id in order_ids:
        order = db.session.get(Order, order_id)
        order.status = "shipped"
        db.session.commit()
