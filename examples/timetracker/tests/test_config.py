import pytest

from app import ConfigError, load_config

pytestmark = pytest.mark.unit


def test_postgres_scheme_is_normalised():
    config = load_config({"APP_ENV": "development", "DATABASE_URL": "postgres://u:p@db/app"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql://u:p@db/app"


def test_default_database_is_sqlite():
    assert load_config({"APP_ENV": "development"})["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_production_is_the_default_environment():
    with pytest.raises(ConfigError):
        load_config({})
