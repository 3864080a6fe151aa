"""A tiny time tracker: the code under test of the example suite."""


class Timer:
    def __init__(self):
        self.entries = []
        self.running = None

    def start(self, task, at):
        if self.running is not None:
            raise RuntimeError("a timer is already running")
        self.running = (task, at)

    def stop(self, at):
        if self.running is None:
            raise RuntimeError("no timer is running")
        task, started = self.running
        if at < started:
            raise ValueError("a timer cannot stop before it started")
        self.entries.append((task, at - started))
        self.running = None
        return at - started

    def total(self, task=None):
        return sum(d for t, d in self.entries if task is None or t == task)


def format_duration(seconds):
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return "%d:%02d:%02d" % (hours, minutes, secs)
    return "%d:%02d" % (minutes, secs)


def unused_export(rows):
    # Never called by the tests: keeps coverage below 100%.
    out = []
    for row in rows:
        out.append(",".join(str(c) for c in row))
    return "\n".join(out)
