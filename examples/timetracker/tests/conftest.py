"""Fixtures: an isolated app per test.

Locally each test gets its own SQLite file. In CI the integration and database
tiers set TEST_DATABASE_URL to the PostgreSQL service; tables are dropped after
each test so tests stay independent.
"""

import os

import pytest

from app import create_app
from app.extensions import db

SECRET = "test-secret-key-0123456789"


def _database_url(tmp_path):
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'timetracker.db'}"


@pytest.fixture
def database_url(tmp_path):
    return _database_url(tmp_path)


@pytest.fixture
def make_app(database_url):
    """Build an app without creating tables (the database tier migrates instead)."""
    apps = []

    def build(**overrides):
        env = {"APP_ENV": "testing", "SECRET_KEY": SECRET, "DATABASE_URL": database_url, "TESTING": "1"}
        env.update(overrides)
        app = create_app(env=env)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            # Alembic's bookkeeping table is not in the models' metadata.
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def project(client):
    response = client.post("/api/projects", json={"name": "Website", "client": "ACME", "hourly_rate": "80.00"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


TIERS = ("smoke", "unit", "integration", "security", "database")


def pytest_collection_modifyitems(config, items):
    """Every test belongs to exactly one tier, so `-m <tier>` runs each test once across the tiers."""
    wrong = []
    for item in items:
        tiers = [m.name for m in item.iter_markers() if m.name in TIERS]
        if len(set(tiers)) != 1:
            wrong.append(f"{item.nodeid}: {sorted(set(tiers)) or 'no tier marker'}")
    if wrong:
        raise pytest.UsageError(
            "tests must carry exactly one tier marker (" + ", ".join(TIERS) + "):\n" + "\n".join(wrong)
        )
