import pytest


@pytest.mark.unit
def test_user_create():
    pass


@pytest.mark.unit
def test_user_create_admin():
    pass


class TestProject:
    @pytest.mark.unit
    def test_rename(self):
        pass

    @pytest.mark.parametrize("n", [1, 2, 3])
    def test_rate(self, n):
        pass

    def helper(self):
        """def test_not_a_test(): in a docstring"""


def test_slow_report():
    pass
