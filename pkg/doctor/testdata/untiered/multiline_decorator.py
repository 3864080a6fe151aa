import pytest


# The tier marker comes first; the next decorator spans many lines.
@pytest.mark.unit
@pytest.mark.parametrize(
    "seconds, expected",
    [
        pytest.param(60, 1, id="60s->1m"),
        pytest.param(120, 2, id="120s->2m"),
    ],
)
def test_minutes(seconds, expected):
    assert seconds // 60 == expected


pytestmark_note = "not a pytestmark"


@pytest.mark.parametrize(
    "n",
    [1, 2],
)
@pytest.mark.smoke
def test_marker_after_a_long_decorator(n):
    assert n
