from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, DateTime, ForeignKey, Integer, Numeric, String

db = SQLAlchemy()


class Customer(db.Model):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    email = Column(String(255), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    country = Column(String(2))


class Order(db.Model):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    status = Column(String(20), nullable=False, default="new")
    total = Column(Numeric(10, 2), nullable=False)
    created_at = Column(DateTime, nullable=False)
