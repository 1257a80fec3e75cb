"""Leases: which process does a job only one may do at a time, and until when."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class Lease(Base):
    __tablename__ = "leases"

    # The job ("sender": the background services).
    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    # host:pid:random of the holding process; no person.
    holder: Mapped[str] = mapped_column(String(64))
    # UTC epoch seconds by the database's clock.
    expires_at: Mapped[int] = mapped_column(Integer)
