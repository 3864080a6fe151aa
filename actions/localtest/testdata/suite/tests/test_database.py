import os

import pytest

from app import store


@pytest.mark.database
def test_totals_per_task():
    db = store.connect()
    store.save(db, "a", 5)
    store.save(db, "a", 7)
    store.save(db, "b", 1)
    assert store.total(db, "a") == 12
    assert store.total(db, "missing") == 0


@pytest.mark.database
def test_task_is_required():
    db = store.connect()
    with pytest.raises(Exception):
        store.save(db, None, 1)


@pytest.mark.database
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"), reason="needs PostgreSQL (DATABASE_URL)")
def test_postgres_only():
    pass
