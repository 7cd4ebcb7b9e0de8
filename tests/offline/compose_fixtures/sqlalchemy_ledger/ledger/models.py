from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Entry(Base):
    __tablename__ = "entries"

    id = Column(Integer, primary_key=True)
    account = Column(String(40))
    kind = Column(String(20))
    booked = Column(DateTime)
    memo = Column(String(200))
