import pytest

from calc import add, parse_minutes


@pytest.mark.smoke
def test_imports():
    assert callable(add)


@pytest.mark.unit
def test_add():
    assert add(2, 3) == 5


@pytest.mark.unit
def test_parse_minutes():
    assert parse_minutes("1:30") == 90


@pytest.mark.integration
def test_add_parsed():
    assert add(parse_minutes("0:15"), parse_minutes("0:45")) == 60


@pytest.mark.security
def test_rejects_junk():
    with pytest.raises(ValueError):
        parse_minutes("1:3x")


@pytest.mark.database
def test_round_trip(tmp_path):
    f = tmp_path / "m.txt"
    f.write_text(str(parse_minutes("2:00")))
    assert int(f.read_text()) == 120
