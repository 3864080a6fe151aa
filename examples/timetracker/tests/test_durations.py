from datetime import datetime
from decimal import Decimal

import pytest

from app.durations import DurationError, billable_amount, format_duration, parse_duration, parse_timestamp

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("1h", 3600),
        ("90m", 5400),
        ("1h30m", 5400),
        ("1h 30m 15s", 5415),
        ("45s", 45),
        ("1:30", 5400),
        ("0:00:01", 1),
        ("12:05:09", 43509),
        (" 2H ", 7200),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "   ", "abc", "1x", "1h1h", "h", "1:60", "1h junk", "junk 1h", None, 5])
def test_parse_duration_rejects(text):
    with pytest.raises(DurationError):
        parse_duration(text)


@pytest.mark.parametrize("seconds,text", [(0, "0:00:00"), (59, "0:00:59"), (3661, "1:01:01"), (90000, "25:00:00")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_format_duration_negative():
    with pytest.raises(DurationError):
        format_duration(-1)


def test_round_trip():
    for seconds in (0, 1, 59, 60, 3599, 3600, 86399, 86400, 123456):
        assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize(
    "seconds,rate,amount",
    [
        (3600, "80", Decimal("80.00")),
        (5400, "80", Decimal("120.00")),
        (60, "100", Decimal("1.67")),
        (1, "0.01", Decimal("0.00")),
        (0, "50", Decimal("0.00")),
        (1800, Decimal("33.33"), Decimal("16.67")),
    ],
)
def test_billable_amount(seconds, rate, amount):
    assert billable_amount(seconds, rate) == amount


def test_billable_amount_negative_rate():
    with pytest.raises(ValueError):
        billable_amount(60, "-1")


def test_parse_timestamp_utc():
    assert parse_timestamp("2024-05-01T09:00:00Z") == datetime(2024, 5, 1, 9, 0, 0)
    assert parse_timestamp("2024-05-01T11:00:00+02:00") == datetime(2024, 5, 1, 9, 0, 0)
    assert parse_timestamp("2024-05-01T09:00:00") == datetime(2024, 5, 1, 9, 0, 0)


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-01T00:00:00Z", None])
def test_parse_timestamp_rejects(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)
