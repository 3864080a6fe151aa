"""JSON API: projects, time entries and per-project reports."""

from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from .durations import DurationError, billable_amount, format_duration, parse_duration, parse_timestamp
from .extensions import db
from .models import Project, TimeEntry, utcnow

bp = Blueprint("api", __name__)

MAX_NAME = 120
MAX_DESCRIPTION = 500


def _error(status, message):
    response = jsonify(error=message)
    response.status_code = status
    return response


def _json_body():
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        abort(_error(413, f"request body must be at most {limit} bytes"))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(_error(400, "request body must be a JSON object"))
    return data


def _text(data, key, limit, required=False):
    value = data.get(key)
    if value is None:
        if required:
            abort(_error(400, f"{key} is required"))
        return None
    if not isinstance(value, str):
        abort(_error(400, f"{key} must be a string"))
    value = value.strip()
    if required and not value:
        abort(_error(400, f"{key} must not be empty"))
    if len(value) > limit:
        abort(_error(400, f"{key} must be at most {limit} characters"))
    return value


def _rate(data):
    raw = data.get("hourly_rate", "0")
    try:
        rate = Decimal(str(raw))
    except InvalidOperation:
        abort(_error(400, "hourly_rate must be a number"))
    if not rate.is_finite() or rate < 0 or rate > Decimal("100000"):
        abort(_error(400, "hourly_rate must be between 0 and 100000"))
    return rate


def _project_or_404(project_id):
    project = db.session.get(Project, project_id)
    if project is None:
        abort(_error(404, f"project {project_id} not found"))
    return project


@bp.get("/projects")
def list_projects():
    query = Project.query.order_by(Project.name)
    if request.args.get("archived") != "1":
        query = query.filter_by(archived=False)
    return jsonify([p.to_dict() for p in query.all()])


@bp.post("/projects")
def create_project():
    data = _json_body()
    project = Project(
        name=_text(data, "name", MAX_NAME, required=True),
        client=_text(data, "client", MAX_NAME),
        hourly_rate=_rate(data),
    )
    db.session.add(project)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _error(409, f"a project named {project.name!r} already exists")
    return jsonify(project.to_dict()), 201


@bp.get("/projects/<int:project_id>")
def get_project(project_id):
    return jsonify(_project_or_404(project_id).to_dict())


@bp.patch("/projects/<int:project_id>")
def update_project(project_id):
    project = _project_or_404(project_id)
    data = _json_body()
    if "name" in data:
        project.name = _text(data, "name", MAX_NAME, required=True)
    if "client" in data:
        project.client = _text(data, "client", MAX_NAME)
    if "hourly_rate" in data:
        project.hourly_rate = _rate(data)
    if "archived" in data:
        if not isinstance(data["archived"], bool):
            return _error(400, "archived must be true or false")
        project.archived = data["archived"]
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _error(409, "a project with that name already exists")
    return jsonify(project.to_dict())


@bp.delete("/projects/<int:project_id>")
def delete_project(project_id):
    project = _project_or_404(project_id)
    db.session.delete(project)
    db.session.commit()
    return "", 204


@bp.get("/projects/<int:project_id>/entries")
def list_entries(project_id):
    project = _project_or_404(project_id)
    return jsonify([e.to_dict() for e in project.entries])


@bp.post("/projects/<int:project_id>/entries")
def create_entry(project_id):
    """Record time: either start/end timestamps, a start and a duration, or just start a timer."""
    project = _project_or_404(project_id)
    if project.archived:
        return _error(409, "project is archived: unarchive it to record time")
    data = _json_body()
    try:
        started = parse_timestamp(data["started_at"]) if "started_at" in data else utcnow()
        ended = parse_timestamp(data["ended_at"]) if data.get("ended_at") else None
        if "duration" in data:
            if ended is not None:
                return _error(400, "give ended_at or duration, not both")
            from datetime import timedelta

            ended = started + timedelta(seconds=parse_duration(data["duration"]))
    except (ValueError, DurationError) as exc:
        return _error(400, str(exc))
    if ended is not None and ended < started:
        return _error(400, "ended_at must not be before started_at")
    if ended is None and any(e.running for e in project.entries):
        return _error(409, "a timer is already running for this project: stop it first")
    billable = data.get("billable", True)
    if not isinstance(billable, bool):
        return _error(400, "billable must be true or false")
    entry = TimeEntry(
        project=project,
        description=_text(data, "description", MAX_DESCRIPTION) or "",
        started_at=started,
        ended_at=ended,
        billable=billable,
    )
    db.session.add(entry)
    db.session.commit()
    return jsonify(entry.to_dict()), 201


@bp.post("/entries/<int:entry_id>/stop")
def stop_entry(entry_id):
    entry = db.session.get(TimeEntry, entry_id)
    if entry is None:
        return _error(404, f"time entry {entry_id} not found")
    if not entry.running:
        return _error(409, "time entry is already stopped")
    entry.ended_at = max(utcnow(), entry.started_at)
    db.session.commit()
    return jsonify(entry.to_dict())


@bp.delete("/entries/<int:entry_id>")
def delete_entry(entry_id):
    entry = db.session.get(TimeEntry, entry_id)
    if entry is None:
        return _error(404, f"time entry {entry_id} not found")
    db.session.delete(entry)
    db.session.commit()
    return "", 204


@bp.get("/projects/<int:project_id>/report")
def report(project_id):
    project = _project_or_404(project_id)
    done = [e for e in project.entries if not e.running]
    total = sum(e.seconds() for e in done)
    billable = sum(e.seconds() for e in done if e.billable)
    return jsonify(
        project=project.name,
        entries=len(done),
        total_seconds=total,
        total=format_duration(total),
        billable_seconds=billable,
        amount=str(billable_amount(billable, project.hourly_rate or 0)),
    )
