import pytest


@pytest.mark.smoke
def test_health():
    pass
