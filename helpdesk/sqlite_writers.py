"""SQLite writers queue for the write lock instead of polling for it.

SQLite lets one connection write at a time. A connection that finds the lock taken waits in the busy
handler, which sleeps and retries (1, 2, 5, 10 … 100 ms): under concurrent filing most of a request's time
went to those sleeps, and two gunicorn workers filed no faster than one (110 against 115 per second on this
machine). Here every connection of a file database takes an exclusive `flock` on `<database>-writers` before
the statement that opens its write transaction and drops it when the transaction ends, so the next writer is
woken by the kernel the moment the lock is free. Reads never take it (WAL readers do not wait for writers).

It only orders writers; SQLite's own lock still guards the data, so a writer that does not take this lock (the
sqlite3 shell, a statement that starts with WITH) is as safe as before, it just waits the old way. A thread
that already holds the lock through another connection does not wait for it again (it would wait for itself).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_holders: set[int] = set()  # the threads one of whose connections holds the lock


def _opens_write(sql: str) -> bool:
    return sql.lstrip()[:7].upper().startswith(WRITES)


class SerialWriterConnection(sqlite3.Connection):
    """A sqlite3 connection that holds `lock_path`'s flock for the length of each write transaction."""

    lock_path: str = ""  # set on the subclass made for a database file by connection_factory
    _lock_fd: int | None = None
    _lock_thread: int = 0

    def cursor(self, factory=None):
        return super().cursor(factory or _Cursor)

    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters, /):
        return self.cursor().executemany(sql, parameters)

    def _before(self, sql: str) -> None:
        if not self.in_transaction and self._lock_fd is None and _opens_write(sql):
            thread = threading.get_ident()
            if thread in _holders:
                return  # this thread holds it through another connection: SQLite's own wait decides
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._lock_fd, self._lock_thread = fd, thread
            _holders.add(thread)

    def _after(self) -> None:
        if not self.in_transaction:
            self._release()

    def _release(self) -> None:
        fd = self._lock_fd
        if fd is not None:
            self._lock_fd = None
            _holders.discard(self._lock_thread)
            os.close(fd)  # closing the descriptor drops its flock

    def commit(self):
        try:
            super().commit()
        finally:
            self._after()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._after()

    def close(self):
        try:
            super().close()
        finally:
            self._release()


class _Cursor(sqlite3.Cursor):
    def execute(self, sql, parameters=(), /):
        connection = self.connection
        connection._before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            connection._after()

    def executemany(self, sql, parameters, /):
        connection = self.connection
        connection._before(sql)
        try:
            return super().executemany(sql, parameters)
        finally:
            connection._after()


def connection_factory(database: str) -> type[SerialWriterConnection]:
    """The connection class for the SQLite file `database` (its lock file sits beside it, like -wal)."""
    return type("SerialWriterConnection", (SerialWriterConnection,), {"lock_path": f"{database}-writers"})
