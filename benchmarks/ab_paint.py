"""First paint of two versions of magsleep, launched alternately: `python benchmarks/ab_paint.py OLD_SRC`.

OLD_SRC is another checkout's `src` folder (`git worktree add /tmp/old <rev>`, then
`/tmp/old/src`). Each launch follows a bare Textual app launched the same way, and the order of
the two versions alternates, so a drifting machine affects both alike; prints the median ratio to
the bare app and the median milliseconds to the first frame and to tonight's checklist.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from run import BARE_APP, MAGSLEEP, launch, make_db

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_src", type=Path, help="the other version's src folder")
    parser.add_argument("--runs", type=int, default=12, help="launches of each version (default 12)")
    args = parser.parse_args()
    versions = {"this": HERE.parent / "src", "other": args.old_src}
    with tempfile.TemporaryDirectory() as tmp:
        dbs = {name: make_db(Path(tmp) / f"10y-{name}.db", 3650, src) for name, src in versions.items()}
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        seen: dict[str, list[tuple[float, float, float]]] = {name: [] for name in versions}
        for i in range(args.runs):
            for name in (list(versions) if i % 2 == 0 else list(reversed(versions))):
                base = launch([sys.executable, str(bare)], ["Hello baseline"])["Hello baseline"]
                times = launch(["env", f"PYTHONPATH={versions[name]}", MAGSLEEP, "--db", str(dbs[name])],
                               ["Tonight", "Take magnesium"])
                seen[name].append((times["Tonight"] / base, times["Tonight"], times["Take magnesium"]))
    for name, values in seen.items():
        ratio, paint, ready = (statistics.median(v[k] for v in values) for k in range(3))
        print(f"{name:6} first paint {ratio:.2f}x the bare app, {paint * 1000:.0f} ms; "
              f"tonight ready {ready * 1000:.0f} ms")


if __name__ == "__main__":
    main()
