import pytest

from app.timer import Timer, format_duration


@pytest.mark.unit
@pytest.mark.parametrize("seconds,text", [(0, "0:00"), (59, "0:59"), (3600, "1:00:00"), (3725, "1:02:05")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.unit
class TestTimer:
    def test_total_by_task(self):
        t = Timer()
        t.start("a", 0)
        t.stop(10)
        t.start("b", 10)
        t.stop(15)
        assert t.total("a") == 10
        assert t.total() == 15

    def test_cannot_start_twice(self):
        t = Timer()
        t.start("a", 0)
        with pytest.raises(RuntimeError):
            t.start("b", 1)

    def test_stop_before_start(self):
        t = Timer()
        t.start("a", 10)
        with pytest.raises(ValueError):
            t.stop(5)


@pytest.mark.unit
@pytest.mark.skip(reason="exports are not written yet")
def test_export():
    pass
