"""Database models: projects and the time entries recorded against them."""

from datetime import datetime, timezone
from decimal import Decimal

from .extensions import db


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Project(db.Model):
    __tablename__ = "projects"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)
    client = db.Column(db.String(120), nullable=True)
    hourly_rate = db.Column(db.Numeric(10, 2), nullable=False, default=Decimal("0"))
    archived = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    entries = db.relationship(
        "TimeEntry", back_populates="project", cascade="all, delete-orphan", order_by="TimeEntry.started_at"
    )

    def to_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "client": self.client,
            "hourly_rate": str(self.hourly_rate if self.hourly_rate is not None else Decimal("0")),
            "archived": bool(self.archived),
            "created_at": self.created_at.isoformat() + "Z" if self.created_at else None,
        }


class TimeEntry(db.Model):
    __tablename__ = "time_entries"
    __table_args__ = (db.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ck_entry_order"),)

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.Integer, db.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    description = db.Column(db.String(500), nullable=False, default="")
    started_at = db.Column(db.DateTime, nullable=False)
    ended_at = db.Column(db.DateTime, nullable=True)
    billable = db.Column(db.Boolean, nullable=False, default=True)

    project = db.relationship("Project", back_populates="entries")

    @property
    def running(self):
        return self.ended_at is None

    def seconds(self, now=None):
        end = self.ended_at or now or utcnow()
        return max(0, int((end - self.started_at).total_seconds()))

    def to_dict(self):
        return {
            "id": self.id,
            "project_id": self.project_id,
            "description": self.description,
            "started_at": self.started_at.isoformat() + "Z",
            "ended_at": self.ended_at.isoformat() + "Z" if self.ended_at else None,
            "billable": bool(self.billable),
            "seconds": self.seconds(),
            "running": self.running,
        }
