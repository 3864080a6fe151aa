"""Migrations: upgrade, downgrade, upgrade again; no drift; constraints hold."""

from datetime import datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from app import MIGRATIONS_DIR
from app.dbcheck import drift
from app.extensions import db
from app.models import Project, TimeEntry

pytestmark = pytest.mark.database


def _tables(app):
    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(make_app):
    app = make_app()
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="head")
    assert _tables(app) == {"projects", "time_entries"}
    with app.app_context():
        downgrade(directory=MIGRATIONS_DIR, revision="0001")
        columns = {c["name"] for c in inspect(db.engine).get_columns("projects")}
    assert "archived" not in columns
    with app.app_context():
        downgrade(directory=MIGRATIONS_DIR, revision="base")
    assert _tables(app) == set()
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="head")
    assert _tables(app) == {"projects", "time_entries"}


def test_no_drift_after_upgrade(make_app):
    app = make_app()
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="head")
    assert drift(app) == []


def test_drift_is_detected(make_app):
    # Stop one migration short: the models have a column the database lacks.
    app = make_app()
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0001")
    diffs = drift(app)
    assert [(d[0], d[2], d[3].name) for d in diffs] == [("add_column", "projects", "archived")], diffs


def test_data_survives_the_archive_migration(make_app):
    app = make_app()
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0001")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO projects (name, hourly_rate, created_at) VALUES ('Legacy', 10, '2024-01-01 00:00:00')"
            )
        upgrade(directory=MIGRATIONS_DIR, revision="head")
        project = Project.query.filter_by(name="Legacy").one()
        assert project.archived is False


def test_unique_project_name(app):
    with app.app_context():
        db.session.add(Project(name="Same"))
        db.session.commit()
        db.session.add(Project(name="Same"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_entry_end_before_start_is_refused_by_the_database(app):
    with app.app_context():
        project = Project(name="Check")
        db.session.add(project)
        db.session.commit()
        db.session.add(
            TimeEntry(project=project, started_at=datetime(2024, 5, 1, 10), ended_at=datetime(2024, 5, 1, 9))
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_dbcheck_command(make_app, database_url, monkeypatch, capsys):
    from app import dbcheck

    monkeypatch.setenv("APP_ENV", "testing")
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = make_app()
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0001")
    assert dbcheck.main() == 1
    assert "add a migration" in capsys.readouterr().err
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="head")
    assert dbcheck.main() == 0
    assert "No schema drift" in capsys.readouterr().out
