import sqlite3


def connect(url=":memory:"):
    db = sqlite3.connect(url)
    db.execute("create table if not exists entries (task text not null, seconds integer not null)")
    return db


def save(db, task, seconds):
    db.execute("insert into entries (task, seconds) values (?, ?)", (task, seconds))


def total(db, task):
    row = db.execute("select coalesce(sum(seconds), 0) from entries where task = ?", (task,)).fetchone()
    return row[0]
