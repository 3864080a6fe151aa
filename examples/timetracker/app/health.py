"""Liveness (/_health) and readiness (/_ready) endpoints.

/_health says the process serves requests; it never touches the database so a
slow database does not get the container restarted. /_ready says the app can
do its work: the database answers. Kubernetes uses the first for liveness and
the second for readiness.
"""

import os

from flask import Blueprint, jsonify
from sqlalchemy import text

from . import __version__
from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/_health")
def health():
    body = {"status": "ok", "version": __version__}
    # The revision and build date the image was built with, when it was.
    for key, var in (("revision", "APP_REVISION"), ("built", "APP_BUILD_DATE")):
        if os.environ.get(var):
            body[key] = os.environ[var]
    return jsonify(body)


@bp.get("/_ready")
def ready():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        db.session.rollback()
        return jsonify(status="unavailable", reason=type(exc).__name__), 503
    return jsonify(status="ready", version=__version__)
