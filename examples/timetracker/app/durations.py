"""Parsing and formatting of durations and billing, free of any database.

These are the unit tier's subject: pure functions with exact results.
"""

import re
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

_PART = re.compile(r"(\d+)\s*([hms])")
_CLOCK = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")
_UNIT = {"h": 3600, "m": 60, "s": 1}


class DurationError(ValueError):
    """A duration string that cannot be read."""


def parse_duration(text):
    """Return seconds for ``"1h30m"``, ``"90m"``, ``"1:30"`` or ``"1:30:15"``."""
    if not isinstance(text, str):
        raise DurationError("duration must be a string such as 1h30m or 1:30")
    s = text.strip().lower()
    if not s:
        raise DurationError("duration is empty: write it as 1h30m or 1:30")
    m = _CLOCK.match(s)
    if m:
        h, mi, se = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        return h * 3600 + mi * 60 + se
    pos, total, seen = 0, 0, set()
    for part in _PART.finditer(s):
        if s[pos : part.start()].strip():
            break
        unit = part.group(2)
        if unit in seen:
            raise DurationError(f"duration {text!r} repeats the unit {unit!r}")
        seen.add(unit)
        total += int(part.group(1)) * _UNIT[unit]
        pos = part.end()
    if not seen or s[pos:].strip():
        raise DurationError(f"duration {text!r} is not understood: write it as 1h30m or 1:30")
    return total


def format_duration(seconds):
    """Format seconds as ``H:MM:SS`` (hours may exceed 24)."""
    if seconds < 0:
        raise DurationError("duration cannot be negative")
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}"


def billable_amount(seconds, hourly_rate):
    """Amount for ``seconds`` at ``hourly_rate``, rounded half-up to cents."""
    rate = Decimal(str(hourly_rate))
    if rate < 0:
        raise ValueError("hourly rate cannot be negative")
    amount = Decimal(seconds) * rate / Decimal(3600)
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_timestamp(text):
    """Parse an ISO 8601 timestamp into a naive UTC datetime."""
    if not isinstance(text, str) or not text:
        raise ValueError("timestamp must be an ISO 8601 string such as 2024-05-01T09:00:00Z")
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"timestamp {text!r} is not ISO 8601 (e.g. 2024-05-01T09:00:00Z)") from exc
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt
