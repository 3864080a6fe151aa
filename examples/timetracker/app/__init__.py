"""TimeTracker: a small Flask and SQLAlchemy time-tracking service.

The application factory keeps configuration out of import time so the test
suite can build as many isolated apps as it needs (SQLite per test, or the
PostgreSQL service in CI through DATABASE_URL).
"""

import os

from flask import Flask

from .extensions import db, migrate

# The image sets APP_VERSION from its build argument; a checkout says 0.1.0.
__version__ = os.environ.get("APP_VERSION") or "0.1.0"

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


class ConfigError(RuntimeError):
    """Raised when the environment cannot produce a safe configuration."""


def _database_url(env):
    url = env.get("DATABASE_URL", "sqlite:///timetracker.db")
    # Heroku-style URLs still say postgres://, which SQLAlchemy 1.4+ refuses.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


def load_config(env=None):
    """Build the Flask configuration from environment variables."""
    env = os.environ if env is None else env
    production = env.get("APP_ENV", "production") == "production"
    secret = env.get("SECRET_KEY", "")
    if production and len(secret) < 16:
        raise ConfigError("SECRET_KEY must be set to at least 16 characters in production")
    return {
        "SECRET_KEY": secret or "development-only-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(env),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "JSON_SORT_KEYS": False,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "TESTING": env.get("TESTING", "") == "1",
    }


def create_app(config=None, env=None):
    """Create the application from ``env`` (default: the process environment).

    ``config`` overrides individual settings after the environment is read.
    """
    app = Flask(__name__)
    settings = load_config(env)
    settings.update(config or {})
    app.config.update(settings)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)

    from . import api, health, security

    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    security.init_app(app)
    return app
