import pytest


@pytest.mark.unit
def test_create():
    assert 1 + 1 == 2


class TestProject:
    @pytest.mark.unit
    def test_rename(self):
        assert "a" == "b"

    @pytest.mark.unit
    def test_flaky(self):
        pass


@pytest.mark.smoke
def test_health():
    pass
