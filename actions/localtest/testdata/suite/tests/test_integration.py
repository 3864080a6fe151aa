import pytest

from app import store
from app.timer import Timer


@pytest.mark.integration
def test_timer_entries_are_stored():
    db = store.connect()
    t = Timer()
    t.start("review", 100)
    store.save(db, "review", t.stop(160))
    assert store.total(db, "review") == 60


@pytest.mark.integration
def test_stop_without_start():
    with pytest.raises(RuntimeError):
        Timer().stop(1)
