import pytest


@pytest.mark.smoke
def test_starts():
    assert True


@pytest.mark.unit
@pytest.mark.slowish
def test_adds():
    assert 1 + 1 == 2


def test_forgotten():
    assert True


@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.unit
def test_param(n):
    assert n
