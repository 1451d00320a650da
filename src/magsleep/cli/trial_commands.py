"""`magsleep trial start|stop|status`: a randomised on/off plan, fixed before its nights."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from magsleep import local_time, store
from magsleep.cli.group import cli, db_path, open_store
from magsleep.domain import trial_sizing
from magsleep.domain.blinding import analyse_blinded
from magsleep.domain.errors import InvalidInput
from magsleep.domain.n_of_1 import TrialPlan, analyse, make_plan, tonight_text
from magsleep.domain.nights import last_night, night_of
from magsleep.domain.parsing import parse_date, parse_int
from magsleep.domain.routine import is_deviation
from magsleep.domain.text_safety import visible
from magsleep.domain.trend import OUTCOMES
from magsleep.domain.trial_plan import DEVIATION, MIN_NEW_PAIRS


@cli.group()
def trial() -> None:
    """A randomised trial: periods with and without magnesium, in an order drawn at random."""


PLAN_OPTIONS = ("baseline", "period", "pairs", "washout")


@trial.command()
@click.option("--baseline", metavar="N", help="Nights without magnesium before the first period.")
@click.option("--period", metavar="N", help="Nights in each period.")
@click.option("--pairs", metavar="N", help="Pairs of one magnesium and one no-magnesium period (3 or more).")
@click.option("--washout", metavar="N", help="First nights of each period that are kept to the plan but not counted.")
@click.option("--outcome", default="sol", show_default=True, metavar="METRIC",
              help="sol (time to fall asleep), se (efficiency), tst (total sleep) or quality.")
@click.option("--start", "start", metavar="DATE", help="The first night, YYYY-MM-DD (default: tonight).")
@click.option("--blind", is_flag=True, help="Blinded: bags A and B, which holds magnesium known only to the sheet.")
@click.option("--sheet", metavar="FILE", help="With --blind: the helper's sheet, written to this new file.")
@click.pass_context
def start(ctx: click.Context, baseline: str | None, period: str | None, pairs: str | None, washout: str | None,
          outcome: str, start: str | None, blind: bool = False, sheet: str | None = None) -> None:
    """Make the plan: each pair's order is drawn now, stored and never redrawn. Without plan
    options, the plan `magsleep trial plan` recommends for your own nights; options given
    replace its numbers one by one."""
    now = local_time.now()
    given = dict(zip(PLAN_OPTIONS, (baseline, period, pairs, washout), strict=True))
    first = parse_date(start, "--start") if start else None
    if first is not None and first < night_of(now):
        raise InvalidInput("--start", f"{first} is in the past; a plan is made before its nights")
    numbers, sizing = _plan_numbers(ctx, given, outcome)
    # Checked in full before the database is written (or made).
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
    if sizing is not None:
        _say_sizing(sizing, given)
    click.echo(f"Trial plan {plan.short_fingerprint} made {plan.created_at}: {plan.start} to {plan.end} "
               f"({plan.weeks} weeks).")
    click.echo(f"Outcome: {plan.outcome}. Baseline {plan.baseline_nights} nights, then {plan.pairs} pairs of "
               f"{plan.period_nights}-night periods; the first {plan.washout_nights} nights of each are "
               "kept to the plan but not counted.")
    if plan.baseline_nights:
        click.echo(f"Take no magnesium from the night of {plan.start} until the first period: the baseline "
                   "nights measure your usual sleep.")
    click.echo("Each night the dashboard (and 'magsleep status') says whether tonight is a magnesium night; "
               "on the others take none.")
    for s in plan.schedule():
        if s.period_night == 1:
            taken = "magnesium" if s.phase == "on" else "no magnesium"
            what = "baseline: no magnesium" if s.phase == "baseline" else f"pair {s.pair}: {taken}"
            click.echo(f"  from {s.night}  {what}")
    click.echo("magsleep never suggests a dose: keep to the one you and your healthcare professional chose.")


def _plan_numbers(ctx: click.Context, given: dict[str, str | None],
                  outcome: str) -> tuple[dict[str, Any], trial_sizing.Sizing | None]:
    """The plan's numbers: those given, checked, and the rest from the plan sized to the person's
    nights (returned too, to be said), or all of them when none was given."""
    numbers: dict[str, Any] = {name: parse_int(value, f"--{name}", minimum=0, maximum=1000)
                               for name, value in given.items() if value is not None}
    if numbers.get("pairs", MIN_NEW_PAIRS) < MIN_NEW_PAIRS:  # a stored plan may hold 2 (made before this rule)
        raise InvalidInput("--pairs", f"must be {MIN_NEW_PAIRS} to 12: with fewer pairs no call is possible")
    if outcome not in OUTCOMES:
        raise InvalidInput("--outcome", f"must be one of {', '.join(OUTCOMES)}")
    if len(numbers) == len(PLAN_OPTIONS):
        return numbers, None
    sizing = _sizing(ctx, outcome, None)
    return {**sizing.recommended.plan_numbers(), **numbers}, sizing


def _say_sizing(sizing: trial_sizing.Sizing, given: dict[str, str | None]) -> None:
    everything = all(v is None for v in given.values())
    click.echo("Sized to your nights (as 'magsleep trial plan' recommends):" if everything
               else "The numbers you did not give are sized to your nights:")
    for line in sizing.lines()[:3]:
        click.echo(f"  {line.strip()}")


def _sizing(ctx: click.Context, outcome: str, effect: float | None) -> trial_sizing.Sizing:
    """The recommendation from the person's usable nights (trial_sizing: a simulation, about a
    second); read only, and with no database yet, from the assumed noise."""
    values: dict[date, float] = {}
    missing = None
    if db_path(ctx).exists():
        with open_store(ctx, read_only=True).reading() as session:
            points = store.views.trend_points(session=session)
        values, missing = trial_sizing.usable_nights(points, outcome)
    return trial_sizing.recommend(outcome, effect, values, missing)


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
        history = store.trials.plan_history(plan, session=session) if isinstance(plan, TrialPlan) else []
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
        plan_dict = {**plan.as_dict(), "fingerprint_short": plan.short_fingerprint,
                     "history": [{"extended_at": at, "pairs_before": before, "pairs_after": after, "matches": ok}
                                 for at, before, after, ok in history]}
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
    for at, pairs_before, pairs_after, matches in history:
        click.echo(f"Extended {visible(at)} from {pairs_before} to {pairs_after} pairs"
                   + ("." if matches else " (this record does not match the plan: changed outside magsleep)."))
    click.echo(tonight_text(plan, tonight))
    tonight_data = data.get(tonight)
    if entry is not None and tonight_data is not None and is_deviation(entry.phase, int(tonight_data.dosed)):
        click.echo(f"⚠ {DEVIATION}")
    click.echo(result.text())
    if step := result.next_step():
        click.echo(f"Next: {step}")
    if result.deviations:
        click.echo(f"Deviations (a dose on a night without, or none on a magnesium night): "
                   f"{len(result.deviations)} nights, latest {result.deviations[-1]}.")


@trial.command()
@click.option("--pairs", "more", required=True, metavar="N", help="Pairs to add at the end of the plan.")
@click.pass_context
def extend(ctx: click.Context, more: str) -> None:
    """Add pairs to the running trial before its planned end (recorded in the plan's history)."""
    added = parse_int(more, "--pairs", minimum=1, maximum=12)
    now = local_time.now()
    db = open_store(ctx)
    with db.writing() as session:
        tonight = night_of(now, store.settings.load_settings(session=session).rollover_hour)
        before = store.trials.current_trial(session=session)
        plan = store.trials.extend_trial(added, now.isoformat(timespec="seconds"), tonight, session=session)
    was = before.pairs if isinstance(before, TrialPlan) else plan.pairs - added
    click.echo(f"Trial extended from {was} to {plan.pairs} pairs: it now runs to {plan.end} "
               f"({plan.weeks} weeks); the call is made after that night. Plan {plan.short_fingerprint}.")
    for s in plan.schedule():
        if s.period_night == 1 and s.pair is not None and s.pair > was:
            click.echo(f"  from {s.night}  pair {s.pair}: {'magnesium' if s.phase == 'on' else 'no magnesium'}")


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
    sizing = _sizing(ctx, outcome, size)
    if as_json:
        click.echo(json.dumps(sizing.as_dict(), indent=2))
        return
    for line in sizing.lines():
        click.echo(line)


# ---------------------------------------------------------------- blinded trial (issue 23)

from magsleep.cli import blind_commands as blind_commands  # noqa: E402 (registers guess and unblind on `trial`)
