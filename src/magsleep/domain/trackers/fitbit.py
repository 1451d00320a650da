"""Fitbit sleep from a Google Takeout export: ``sleep-YYYY-MM-DD.json`` files (alone, in a folder
or a zip), each a JSON list of sleep logs.

Per log: ``dateOfSleep`` is the wake date; ``startTime``/``endTime`` are local times without an
offset (placed in ``--tz`` or the local zone, so a night across a DST change is as long as it
was lived); ``mainSleep`` (the API's ``isMainSleep``) false is a nap. Fitbit's own identity
(Web API docs): timeInBed = minutesToFallAsleep + minutesAsleep + minutesAwake + minutesAfterWakeup.
Mapping: start is in bed and tried to sleep, latency
``minutesToFallAsleep`` (0 is a real 0), minutes awake ``minutesAwake``, awakenings the stages'
``levels.summary.wake.count`` (a classic log's ``awake.count``), final awakening ``endTime`` minus
``minutesAfterWakeup``, out of bed ``endTime``. Fitbit has no quality rating.
"""

from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from typing import Any

from magsleep.domain.errors import InvalidInput
from magsleep.domain.nights import attach_zone
from magsleep.domain.parsing import iso_moment
from magsleep.domain.trackers.night import Collector, TrackerFile, elapsed


def looks_like(head: str) -> bool:
    start = head.lstrip("\ufeff \t\r\n")
    return start.startswith("[") and '"logId"' in head and '"dateOfSleep"' in head or start in ("[]", "[ ]")


def parse(files: list[tuple[str, str]], *, tz: tzinfo, latest: date | None, rollover_hour: int) -> TrackerFile:
    """Every sleep log in (name, text) files; raises ImportFailed naming the file and the log."""
    collect = Collector("fitbit", latest, rollover_hour)
    for name, text in files:
        try:
            logs = json.loads(text.removeprefix("\ufeff"))
        except json.JSONDecodeError as err:
            collect.problems.append(f"{name} line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})")
            continue
        except (ValueError, RecursionError):
            collect.problems.append(f"{name}: not a usable JSON file")
            continue
        if not isinstance(logs, list):
            collect.problems.append(f"{name}: expected a list of Fitbit sleep logs")
            continue
        for index, log in enumerate(logs):
            log_id = log.get("logId") if isinstance(log, dict) else None
            where = f"{name} log {log_id}" if isinstance(log_id, int) else f"{name} log #{index + 1}"
            try:
                _log(collect, where, log, tz)
            except InvalidInput as err:
                collect.problem(where, err)
    return collect.finish()


def _local(value: object, field: str, tz: tzinfo) -> datetime:
    moment = iso_moment(value, field, kind="a local time", example=" like 2024-03-09T23:10:00.000")
    if moment.tzinfo is not None:
        return moment
    return attach_zone(moment, tz)


def _minutes(log: dict[str, Any], field: str, *, required: bool = True) -> int | None:
    value = log.get(field)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24 * 60:
        raise InvalidInput(field, "must be whole minutes, 0 to 1440")
    return value


def _log(collect: Collector, where: str, log: object, tz: tzinfo) -> None:
    if not isinstance(log, dict):
        raise InvalidInput("log", "must be an object")
    if not isinstance(log.get("logId"), int):
        raise InvalidInput("logId", "is missing")
    start, end = _local(log.get("startTime"), "startTime", tz), _local(log.get("endTime"), "endTime", tz)
    after_wakeup = _minutes(log, "minutesAfterWakeup", required=False)
    summary = (log.get("levels") or {}).get("summary") if isinstance(log.get("levels"), dict) else None
    awakenings = None
    if isinstance(summary, dict):
        counted = summary.get("wake") if log.get("type") == "stages" or "wake" in summary else summary.get("awake")
        if isinstance(counted, dict) and isinstance(counted.get("count"), int):
            awakenings = counted["count"]
    collect.add(where, str(log["logId"]), bed=start, tried=start,
                latency_min=_minutes(log, "minutesToFallAsleep", required=False),
                awakenings=awakenings, waso_min=_minutes(log, "minutesAwake", required=False),
                final=elapsed(end, -after_wakeup) if after_wakeup is not None else None,
                up=end, nap=log.get("mainSleep", log.get("isMainSleep")) is False)
