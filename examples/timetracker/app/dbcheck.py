"""Schema drift check: do the migrations produce exactly what the models declare?

Alembic 1.9 added ``alembic check``; Debian bookworm ships 1.8, so this uses the
same autogenerate comparison directly. Run ``python -m app.dbcheck``
after ``flask db upgrade``: it exits 1 and lists the differences when a model
changed without a migration.
"""

import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from .extensions import db


def drift(app):
    """Return the list of differences between the database and the models."""
    with app.app_context():
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, db.metadata)


def main(argv=None):
    from . import create_app

    app = create_app()
    diffs = drift(app)
    if diffs:
        print("The models differ from the migrated database; add a migration:", file=sys.stderr)
        print("  flask --app wsgi db migrate -m '<what changed>'", file=sys.stderr)
        for d in diffs:
            print(f"  {d}", file=sys.stderr)
        return 1
    print("No schema drift: the migrations match the models.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
