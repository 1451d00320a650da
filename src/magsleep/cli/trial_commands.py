"""`magsleep trial start|stop|status`: a randomised on/off plan, fixed before its nights."""

from __future__ import annotations

import json
from typing import Any

import click

from magsleep import local_time, store
from magsleep.cli.group import cli, open_store
from magsleep.domain.blinding import analyse_blinded
from magsleep.domain.errors import InvalidInput
from magsleep.domain.n_of_1 import TrialPlan, analyse, make_plan, tonight_text
from magsleep.domain.nights import last_night, night_of
from magsleep.domain.parsing import parse_date, parse_int
from magsleep.domain.text_safety import visible
from magsleep.domain.trial_plan import MIN_NEW_PAIRS


@cli.group()
def trial() -> None:
    """A randomised trial: periods with and without magnesium, in an order drawn at random."""


@trial.command()
@click.option("--baseline", default="14", metavar="N", show_default=True, help="Nights before the first period.")
@click.option("--period", default="14", metavar="N", show_default=True, help="Nights in each period.")
@click.option("--pairs", default="4", metavar="N", show_default=True, help="Pairs of one on and one off period.")
@click.option("--washout", default="7", metavar="N", show_default=True,
              help="First nights of each period that are taken but not counted.")
@click.option("--outcome", default="sol", show_default=True, metavar="METRIC",
              help="sol (time to fall asleep), se (efficiency), tst (total sleep) or quality.")
@click.option("--start", "start", metavar="DATE", help="The first night, YYYY-MM-DD (default: tonight).")
@click.option("--blind", is_flag=True, help="Blinded: bags A and B, which holds magnesium known only to the sheet.")
@click.option("--sheet", metavar="FILE", help="With --blind: the helper's sheet, written to this new file.")
@click.pass_context
def start(ctx: click.Context, baseline: str, period: str, pairs: str, washout: str, outcome: str,
          start: str | None, blind: bool = False, sheet: str | None = None) -> None:
    """Make the plan: each pair's order is drawn now, stored and never redrawn."""
    now = local_time.now()
    numbers: dict[str, Any] = {name: parse_int(value, f"--{name}", minimum=0, maximum=1000)
               for name, value in (("baseline", baseline), ("period", period), ("pairs", pairs),
                                   ("washout", washout))}
    if numbers["pairs"] < MIN_NEW_PAIRS:  # a stored plan may hold 2 (made before this rule)
        raise InvalidInput("--pairs", f"must be {MIN_NEW_PAIRS} to 12: with fewer pairs no call is possible")
    first = parse_date(start, "--start") if start else None
    if first is not None and first < night_of(now):
        raise InvalidInput("--start", f"{first} is in the past; a plan is made before its nights")
    # Checked in full before the database is touched.
    make_plan(first or night_of(now), now.isoformat(timespec="seconds"), outcome=outcome,
              draw=lambda orders: orders[0], **numbers)
    if blind or sheet is not None:
        if not blind:
            raise InvalidInput("--sheet", "goes with --blind")
        from magsleep.cli.blind_commands import start_blinded

        start_blinded(ctx, now, first, outcome, numbers, sheet)
        return
    db = open_store(ctx)
    with db.writing() as session:
        tonight = night_of(now, store.settings.load_settings(session=session).rollover_hour)
        if first is not None and first < tonight:
            raise InvalidInput("--start", f"{first} is in the past; a plan is made before its nights")
        plan = store.trials.add_trial(make_plan(first or tonight, now.isoformat(timespec="seconds"), outcome=outcome,
                                   **numbers), tonight, session=session)
    click.echo(f"Trial plan {plan.short_fingerprint} made {plan.created_at}: {plan.start} to {plan.end}.")
    click.echo(f"Outcome: {plan.outcome}. Baseline {plan.baseline_nights} nights, then {plan.pairs} pairs of "
               f"{plan.period_nights}-night periods; the first {plan.washout_nights} nights of each are "
               "not counted.")
    for s in plan.schedule():
        if s.period_night == 1:
            taken = "magnesium" if s.phase == "on" else "no magnesium"
            what = "baseline" if s.phase == "baseline" else f"pair {s.pair}: {taken}"
            click.echo(f"  from {s.night}  {what}")
    click.echo("magsleep never suggests a dose: keep to the one you and your healthcare professional chose.")


@trial.command()
@click.pass_context
def stop(ctx: click.Context) -> None:
    """End the running trial early (recorded, and said in every result)."""
    now = local_time.now()
    db = open_store(ctx)
    with db.writing() as session:
        # The night by the rollover hour, as `status` and `start` count it (at 01:00 the last
        # night is still running).
        tonight = night_of(now, store.settings.load_settings(session=session).rollover_hour)
        plan = store.trials.stop_trial(now.isoformat(timespec="seconds"), tonight, session=session)
    if isinstance(plan, store.tonight.DamagedPlan):
        click.echo(f"The trial plan made {visible(plan.created_at[:25])} (changed outside magsleep) is ended: "
                   f"stopped {plan.stopped_at}.")
        return
    click.echo(f"Trial {plan.short_fingerprint} stopped {plan.stopped_at}.")


@trial.command()
@click.option("--json", "as_json", is_flag=True, help="The plan, its schedule and tonight, as JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """The plan, tonight's assignment, progress and deviations."""
    db = open_store(ctx, read_only=True)
    now = local_time.now()
    with db.reading() as session:
        rollover = store.settings.load_settings(session=session).rollover_hour
        plan = store.trials.current_trial(session=session)
        data = store.views.trial_nights(plan, session=session) if isinstance(plan, TrialPlan) else {}
        guesses = store.blinding.guesses(plan, session=session) if isinstance(plan, TrialPlan) and plan.blinded else {}
    if plan is None:
        click.echo(json.dumps({"plan": None}) if as_json else "No trial yet: 'magsleep trial start' makes one.")
        return
    if isinstance(plan, store.tonight.DamagedPlan):  # reported, never used: exit 1 as `verify` does
        if as_json:
            click.echo(json.dumps({"plan": None, "problem": plan.notice}))
        else:
            click.echo(visible(plan.notice), err=True)
        ctx.exit(1)
    tonight, last = night_of(now, rollover), last_night(now, rollover)
    result = analyse_blinded(plan, data, last, guesses) if plan.blinded else analyse(plan, data, last)
    entry = plan.night(tonight)
    if as_json:
        plan_dict = {**plan.as_dict(), "fingerprint_short": plan.short_fingerprint}
        click.echo(json.dumps({
            "plan": plan_dict,
            "schedule": [s.as_dict() for s in plan.schedule()],
            "tonight": {"night": tonight.isoformat(), "phase": entry.phase if entry else None,
                        "pair": entry.pair if entry else None, "counts": entry.counts if entry else False,
                        "text": tonight_text(plan, tonight)},
            "result": result.as_dict(),
        }, indent=2))
        return
    ended = ""
    if plan.stopped_at:
        ended = f" Stopped {plan.stopped_at}." if plan.stopped_early else f" Closed {plan.stopped_at}, after its end."
    click.echo(f"Trial plan {plan.short_fingerprint} (made {plan.created_at}): {plan.start} to {plan.end}, "
               f"outcome {plan.outcome}.{ended}")
    click.echo(tonight_text(plan, tonight))
    click.echo(result.text())
    if result.deviations:
        click.echo(f"Deviations (a dose on a night without, or none on a magnesium night): "
                   f"{len(result.deviations)} nights, latest {result.deviations[-1]}.")


# ---------------------------------------------------------------- trial plan (sizing, issue 18)


@trial.command("plan")
@click.option("--outcome", default="sol", show_default=True, metavar="METRIC",
              help="sol (time to fall asleep), se (efficiency), tst (total sleep) or quality.")
@click.option("--effect", metavar="N", help="The improvement to find, in the outcome's unit (sol: 15 min).")
@click.option("--json", "as_json", is_flag=True, help="The recommendation and its alternatives, as JSON.")
@click.pass_context
def plan_command(ctx: click.Context, outcome: str, effect: str | None, as_json: bool) -> None:
    """Recommend pairs, period and washout that find the effect 8 times in 10, sized by simulation
    from your own nights without magnesium."""
    from magsleep.domain import trial_sizing
    from magsleep.domain.trend import OUTCOMES

    if outcome not in OUTCOMES:
        raise InvalidInput("--outcome", f"must be one of {', '.join(OUTCOMES)}")
    size = None
    if effect is not None:
        try:
            size = float(effect)
        except ValueError:
            raise InvalidInput("--effect", f"{effect!r} is not a number") from None
        if not 0 < size <= 600:
            raise InvalidInput("--effect", "must be more than 0 and at most 600")
    db = open_store(ctx, read_only=True)
    with db.reading() as session:
        points = store.views.trend_points(session=session)
    values, missing = trial_sizing.usable_nights(points, outcome)
    sizing = trial_sizing.recommend(outcome, size, values, missing)
    if as_json:
        click.echo(json.dumps(sizing.as_dict(), indent=2))
        return
    for line in sizing.lines():
        click.echo(line)


# ---------------------------------------------------------------- blinded trial (issue 23)

from magsleep.cli import blind_commands as blind_commands  # noqa: E402 (registers guess and unblind on `trial`)
