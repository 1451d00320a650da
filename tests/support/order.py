"""The suite's order, for pytest-xdist's "worksteal" on two cores (tests/conftest.py applies it).

Worksteal hands worker k the k-th quarter of the collected list, and a worker that runs dry takes
the back half of another's queue. Sorted with the waiting tests first, the first worker got all
of them and the terminal tests ran last, alone. So each quarter gets its share of each kind: the
waiting tests spread through its first half, then Pilot tests (about half idle, inside
`pilot.pause()`) alternating with tests that only compute.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

WAITING = ("tests/reach/", "tests/faults/", "tests/ui/test_terminal_", "tests/ui/test_rollover_e2e.py",
           "tests/test_benchmarks_smoke.py", "tests/cli/test_output_encoding.py")
"""Tests that mostly wait on another process (a real terminal, a browser, faketime's clock,
writers racing for the file, the benchmarks' launches)."""
PILOT = "tests/ui/"

T = TypeVar("T")


def kind(nodeid: str) -> str:
    return "waiting" if nodeid.startswith(WAITING) else "pilot" if nodeid.startswith(PILOT) else "computing"


def for_worksteal(items: Sequence[T], workers: int, nodeid=lambda item: item.nodeid) -> list[T]:
    """`items` reordered so each of `workers` quarters holds a share of each kind."""
    kinds: dict[str, list[T]] = {"waiting": [], "pilot": [], "computing": []}
    for item in items:
        kinds[kind(nodeid(item))].append(item)
    ordered: list[T] = []
    for k in range(workers):
        rest = spread(kinds["pilot"][k::workers], kinds["computing"][k::workers])
        half = len(rest) // 2
        ordered += spread(kinds["waiting"][k::workers], rest[:half]) + rest[half:]
    return ordered


def spread(a: list[T], b: list[T]) -> list[T]:
    """`a` and `b` merged evenly, each in its own order."""
    merged: list[T] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and i * len(b) <= j * len(a)):
            merged.append(a[i])
            i += 1
        else:
            merged.append(b[j])
            j += 1
    return merged
