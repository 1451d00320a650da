"""The trend graph's y axis: whole numbers on scales of whole numbers, round values elsewhere."""

from __future__ import annotations

import math

from tests.support.app import SIZE, app_for, settle


async def test_every_metric_gets_round_ticks_and_quality_whole_ones(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = {}
        for _ in range(6):
            chart = app.screen.query_one("#trend")
            seen[app.screen.metric] = list(chart.plotted["yticks"])
            await pilot.press("m")
            await settle(pilot)
    assert set(seen) == {"se_pct", "tst_min", "sol_min", "quality", "midsleep_sd", "sri"}
    assert seen["quality"] and all(t == int(t) for t in seen["quality"]), seen["quality"]
    for metric, ticks in seen.items():
        assert len(ticks) >= 2, (metric, ticks)
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5)), (metric, ticks)
        assert all(abs(t / step - round(t / step)) < 1e-6 for t in ticks), (metric, ticks)
