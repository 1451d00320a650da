"""How long `magsleep import` takes for 5 years of a tracker (about 1,800 nights): reading and
checking the file, sorting the nights against the database, and writing them, into a new
database. `python benchmarks/import_bench.py [--nights N]`; prints seconds per format.

The files are generated (a realistic night each evening, a nap every tenth day; Apple Health with
an iPhone's InBed and an Apple Watch's stages overlapping), so the figure does not depend on
anyone's data.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/London")
FIRST = date(2020, 1, 1)


def sleepmeter_file(nights: int, seed: int = 5) -> str:
    rng = random.Random(seed)
    rows = ["custom_aid_id,class,name", 'CUSTOM_0001,HERBAL,"Magnesium "glycinate""', "",
            "wake,sleep,bedtime,holes,type,dreams,aid,hindrances,tags,quality,notes"]
    for i in range(nights):
        bed = datetime.combine(FIRST + timedelta(days=i), datetime.min.time(), ZONE) + timedelta(
            hours=22, minutes=rng.randint(0, 120))
        onset = bed + timedelta(minutes=rng.randint(2, 60))
        wake = onset + timedelta(minutes=rng.randint(360, 540))
        holes = "|".join(f"{m}-{m + rng.randint(1, 20)}" for m in sorted(rng.sample(range(30, 300), rng.randint(0, 3))))
        fmt = "%Y-%m-%d %H:%M%z"
        aid = "CUSTOM_0001" if i % 3 else "NONE"
        rows.append(f'"{wake.astimezone(ZONE):{fmt}}","{onset.astimezone(ZONE):{fmt}}","{bed.astimezone(ZONE):{fmt}}",'
                    f'{holes},NIGHT_SLEEP,NONE,{aid},NONE,NONE,{rng.randint(0, 10)},"night {i}, ""fine""\nok"')
        if i % 10 == 0:
            nap = bed.replace(hour=14)
            rows.append(f'"{nap + timedelta(minutes=40):{fmt}}","{nap + timedelta(minutes=5):{fmt}}","{nap:{fmt}}",'
                        ',NAP,NONE,NONE,NONE,NONE,5,""')
    return "\n".join(rows) + "\n"


def apple_health_file(nights: int, seed: int = 5) -> str:
    rng = random.Random(seed)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<HealthData locale="en_GB">',
           ' <ExportDate value="2025-01-01 09:00:00 +0000"/>']
    fmt = "%Y-%m-%d %H:%M:%S %z"

    def record(source: str, start: datetime, end: datetime, value: str) -> str:
        return (f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{source}" sourceVersion="17" '
                f'creationDate="{end.astimezone(ZONE):{fmt}}" startDate="{start.astimezone(ZONE):{fmt}}" '
                f'endDate="{end.astimezone(ZONE):{fmt}}" value="HKCategoryValueSleepAnalysis{value}"/>')

    for i in range(nights):
        bed = datetime.combine(FIRST + timedelta(days=i), datetime.min.time(), ZONE).astimezone(UTC) + timedelta(
            hours=22, minutes=rng.randint(0, 90))
        out.append(record("iPhone", bed, bed + timedelta(hours=8, minutes=30), "InBed"))
        moment = bed + timedelta(minutes=rng.randint(5, 40))
        for _ in range(rng.randint(6, 12)):
            length = timedelta(minutes=rng.randint(20, 60))
            out.append(record("Apple Watch", moment, moment + length, rng.choice(["AsleepCore", "AsleepDeep",
                                                                                 "AsleepREM"])))
            moment += length
            if rng.random() < 0.3:
                out.append(record("Apple Watch", moment, moment + timedelta(minutes=5), "Awake"))
                moment += timedelta(minutes=5)
        out.append(f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Apple Watch" unit="count/min" '
                   f'startDate="{bed:{fmt}}" endDate="{bed:{fmt}}" value="60">'
                   '<MetadataEntry key="k" value="v"/></Record>')
    out.append("</HealthData>")
    return "\n".join(out) + "\n"


def import_seconds(path: Path, db: Path) -> tuple[float, int]:
    """Seconds for the whole import (open, read, check, sort, write), and the nights written."""
    from magsleep.store.engine import Store
    from magsleep.store.tracker_files import read_import
    from magsleep.store.transfer import plan_tracked, write_tracked

    started = time.perf_counter()
    store = Store.open(db)
    loaded = read_import(path, tz=ZONE, latest=date(2030, 1, 1), rollover_hour=12)
    assert loaded.tracked is not None
    with store.writing() as session:
        plan = plan_tracked(loaded.tracked, session=session)
        write_tracked(plan, session=session)
    store.close()
    return time.perf_counter() - started, len(plan.new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=5 * 365)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("sleepmeter", sleepmeter_file), ("apple-health", apple_health_file)):
            path = Path(tmp) / (f"{name}.csv" if name == "sleepmeter" else "export.xml")
            path.write_text(make(args.nights), encoding="utf-8")
            seconds, written = import_seconds(path, Path(tmp) / f"{name}.db")
            print(f"{name}: {written} nights ({path.stat().st_size / 1e6:.1f} MB) imported in {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
