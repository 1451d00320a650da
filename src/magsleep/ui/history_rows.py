"""History's rows, read once per change of the data and shared: read ahead while the dashboard
is idle, handed at once to a History screen that opens afterwards, and to one that opens while
the read is under way when it ends (instead of a second read racing the first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from magsleep import store

if TYPE_CHECKING:
    from magsleep.store.views import HistoryNight
    from magsleep.ui.base import MagsleepBase

Rows = list["HistoryNight"]


class HistoryRows:
    """The rows for one data version, the version being read, and who waits for it."""

    def __init__(self, app: MagsleepBase) -> None:
        self.app = app
        self.rows: tuple[int, Rows] | None = None  # (data_version, rows)
        self._reading: int | None = None  # the data_version of the read in flight
        self._waiting: list[tuple[int, Callable[[Rows], None]]] = []

    def current(self) -> Rows | None:
        """The rows if they match the data as it is now."""
        if self.rows is not None and self.rows[0] == self.app.data_version:
            return self.rows[1]
        return None

    def read_ahead(self) -> None:
        """Read now (if not read or being read already) so History's first frame has them."""
        if self.current() is None and self._reading != self.app.data_version:
            self._read(self.app.data_version)

    def then(self, done: Callable[[Rows], None]) -> None:
        """`done(rows)` for the data as it is now: at once if read, else when the read ends."""
        rows = self.current()
        if rows is not None:
            done(rows)
            return
        version = self.app.data_version
        self._waiting.append((version, done))
        if self._reading != version:
            self._read(version)

    def _read(self, version: int) -> None:
        self._reading = version

        def finish(rows: Rows) -> None:
            self._end(version)
            if version == self.app.data_version:
                self.rows = (version, rows)
            ready = [done for v, done in self._waiting if v == version]
            self._waiting = [(v, done) for v, done in self._waiting if v != version]
            for done in ready:
                done(rows)

        def failed(err: Exception) -> None:
            self._end(version)
            self._waiting = [(v, done) for v, done in self._waiting if v != version]
            self.app.notify_error(err, write=False)

        self.app.run_db(lambda s: store.views.history_nights(session=s), done=finish, failed=failed)

    def _end(self, version: int) -> None:
        if self._reading == version:
            self._reading = None
