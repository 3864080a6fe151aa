import pytest


class TestImport:
    def test_with_column0_text(self):
        data = """name,hours
alpha,1.0
beta,2.0
"""
        assert data

    def test_second(self):
        assert True

    def test_third(self):
        assert True


class TestTiered:
    pytestmark = [
        pytest.mark.integration,
    ]

    def test_marked_by_class(self):
        assert True
