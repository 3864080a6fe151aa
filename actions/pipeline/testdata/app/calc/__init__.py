"""A tiny module for the pipeline command's test."""


def add(a, b):
    return a + b


def parse_minutes(text):
    hours, _, minutes = text.partition(":")
    if not hours.isdigit() or not minutes.isdigit():
        raise ValueError("expected H:MM")
    return int(hours) * 60 + int(minutes)
