import pytest

from app import timer


@pytest.mark.smoke
def test_timer_starts_and_stops():
    t = timer.Timer()
    t.start("write", 0)
    assert t.stop(90) == 90


@pytest.mark.smoke
def test_format():
    assert timer.format_duration(61) == "1:01"
