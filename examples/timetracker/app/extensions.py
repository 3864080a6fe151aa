"""Extension singletons, bound to an app in create_app (no app at import time)."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()
