"""Child-process writers for the fault tests: each acknowledges a write only after its commit."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from magsleep.domain.magnesium import dose_amount
from magsleep.domain.sleep_diary import diary_from_clock
from magsleep.store.doses import add_dose
from magsleep.store.engine import Store
from magsleep.store.nights import save_diary

UTC = UTC
BASE = date(2020, 1, 1)


def write_loop(path: Path, ack_fd: int, tag: int, count: int | None = None) -> None:
    """Write doses (and every fifth time a diary) forever, or `count` times; ack each after commit.

    An ack line is ``<tag> <sequence> <kind>``; the dose's note holds ``<tag>:<sequence>``.
    """
    store = Store.open(path)
    os.write(ack_fd, b"ready\n")
    seq = 0
    while count is None or seq < count:
        night = BASE + timedelta(days=(seq * 7 + tag) % 3000)
        with store.writing() as session:
            add_dose(night, datetime.combine(night, datetime.min.time(), UTC) + timedelta(hours=21),
                     dose_amount("glycinate", 100 + seq % 50), note=f"{tag}:{seq}", session=session)
            if seq % 5 == 0:
                save_diary(night, diary_from_clock(night, UTC, bed="23:00", tried=None, latency=seq % 60,
                                                   awakenings=1, waso=5, final="07:00", up="07:10",
                                                   quality=1 + seq % 5), note=f"{tag}:{seq}", session=session)
        os.write(ack_fd, f"{tag} {seq} {'diary' if seq % 5 == 0 else 'dose'}\n".encode())
        seq += 1
    store.close()


def fork_writer(path: Path, tag: int, count: int | None = None) -> tuple[int, int]:
    """Start `write_loop` in a forked child; returns (pid, read end of its ack pipe)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code = 0
        try:
            write_loop(path, write_fd, tag, count)
        except BaseException as err:  # report, then leave without pytest's cleanup
            os.write(write_fd, f"error {type(err).__name__}: {err}\n".encode())
            code = 1
        os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def read_all(fd: int) -> list[str]:
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode().splitlines()
