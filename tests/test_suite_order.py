"""The suite's order for four workers: every test kept, and each worker's quarter starts with its
share of the tests that wait on other processes (tests/support/order.py)."""

from __future__ import annotations

from tests.support.order import for_worksteal, kind, spread

IDS = ([f"tests/faults/test_f.py::t{i}" for i in range(40)] + [f"tests/ui/test_u.py::t{i}" for i in range(100)]
       + [f"tests/domain/test_d.py::t{i}" for i in range(60)] + ["tests/ui/test_terminal_x.py::t"])


def test_every_test_is_kept_once():
    assert sorted(for_worksteal(IDS, 4, nodeid=str)) == sorted(IDS)
    assert for_worksteal(IDS, 1, nodeid=str)[0] == IDS[0]  # one process: the waiting tests still start


def test_each_quarter_gets_its_share_of_the_waiting_tests_in_its_first_half():
    ordered = for_worksteal(IDS, 4, nodeid=str)
    quarter = len(ordered) // 4
    for k in range(4):
        chunk = ordered[k * quarter:(k + 1) * quarter]
        waiting = [n for n, i in enumerate(chunk) if kind(i) == "waiting"]
        assert 9 <= len(waiting) <= 12
        assert max(waiting) < len(chunk) * 0.6  # none left for the back half, which others steal
        assert any(kind(i) == "pilot" for i in chunk) and any(kind(i) == "computing" for i in chunk)


def test_spread_interleaves_evenly():
    assert spread([1, 2], ["a", "b", "c", "d"]) == [1, "a", "b", 2, "c", "d"]
    assert spread([], ["a"]) == ["a"] and spread([1], []) == [1]
