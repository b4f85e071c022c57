"""Benchmark `followup import` on SQLite and PostgreSQL against a plain-parsing baseline.

Requirement: 100,000 rows import in under 30 s, in under 300 MB, on both databases.
The baseline, timed in the same run on the same file, is what no import can beat: one
csv.reader pass plus phonenumbers parsing and validation of every phone cell.

Prints one JSON line on stdout; progress goes to stderr. Exits 0 even when over the limits:
`within_limits` tells. Exits non-zero only when the import itself goes wrong.

    .venv/bin/python scripts/bench_import.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
from bench_support import say, scratch_database

from followup.demo_data import EXCEL_NL, HEADER_EN, demo_rows, write_demo_file

LIMIT_SECONDS = 30
LIMIT_RSS_MB = 300
FOLLOWUP = Path(sys.executable).with_name("followup")
PHONE_COLUMNS = (HEADER_EN.index("phone"), HEADER_EN.index("phone_alt"))


def baseline(path: Path) -> float:
    """Seconds for one csv.reader pass plus phonenumbers parse + validate of each phone cell."""
    start = time.perf_counter()
    valid = invalid = 0
    with path.open(encoding=EXCEL_NL.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=EXCEL_NL.delimiter)
        next(reader)
        for cells in reader:
            for column in PHONE_COLUMNS:
                if cells[column]:
                    try:
                        number = phonenumbers.parse(cells[column], "NL")
                    except phonenumbers.NumberParseException:
                        invalid += 1
                        continue
                    if phonenumbers.is_valid_number(number):
                        valid += 1
                    else:
                        invalid += 1
    seconds = time.perf_counter() - start
    say(f"baseline: {valid} valid and {invalid} invalid phone numbers in {seconds:.2f} s")
    return seconds


def followup(args: list[str], database_url: str, cwd: Path) -> tuple[float, float, str]:
    """Run `followup ARGS`: (wall seconds, peak RSS in MB of that one process, stdout)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    env["FOLLOWUP_DATABASE_URL"] = database_url
    start = time.perf_counter()
    proc = subprocess.Popen([FOLLOWUP, *args], cwd=cwd, env=env, stdout=subprocess.PIPE)
    out = proc.stdout.read().decode()
    # wait4 reaps this child alone and reports its own rusage (ru_maxrss in KiB on Linux).
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"followup {' '.join(args)} exited {proc.returncode}:\n{out}")
    return seconds, usage.ru_maxrss / 1024, out


def import_once(path: Path, database_url: str, cwd: Path) -> tuple[float, float, dict]:
    seconds, rss_mb, out = followup(["import", str(path), "--json"], database_url, cwd)
    return seconds, rss_mb, json.loads(out)


def bench_database(name: str, database_url: str, path: Path, rows: int, cwd: Path, base: float):
    say(f"{name}: db upgrade")
    followup(["db", "upgrade"], database_url, cwd)
    say(f"{name}: importing {rows} rows")
    seconds, rss_mb, summary = import_once(path, database_url, cwd)
    if summary["imported"] != rows or summary["rejected"] != 0:
        raise SystemExit(f"{name}: expected {rows} imported and 0 rejected, got {summary}")
    say(f"{name}: {seconds:.1f} s, {rss_mb:.0f} MB; importing again (nothing changes)")
    rerun_seconds, rerun_rss_mb, summary = import_once(path, database_url, cwd)
    if summary["unchanged"] != rows or summary["rejected"] != 0:
        raise SystemExit(f"{name}: re-run expected {rows} unchanged, got {summary}")
    say(f"{name}: re-run {rerun_seconds:.1f} s, {rerun_rss_mb:.0f} MB")
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(rss_mb, 1),
        "rerun_seconds": round(rerun_seconds, 2),
        "rerun_peak_rss_mb": round(rerun_rss_mb, 1),
        "ratio_to_baseline": round(seconds / base, 1),
    }


def bench_postgres(server_url: str, path: Path, rows: int, cwd: Path, base: float) -> dict:
    """Import into a fresh database on the given server, dropped again afterwards."""
    with scratch_database(server_url) as url:
        return bench_database("postgres", url, path, rows, cwd, base)


def within_limits(result: dict | None) -> bool:
    return result is None or (
        max(result["seconds"], result["rerun_seconds"]) < LIMIT_SECONDS
        and max(result["peak_rss_mb"], result["rerun_peak_rss_mb"]) < LIMIT_RSS_MB
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("FOLLOWUP_TEST_POSTGRES_URL"),
        help="a PostgreSQL server to create a scratch database on "
        "(default: $FOLLOWUP_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if not args.postgres:
        say("no --postgres and no FOLLOWUP_TEST_POSTGRES_URL: SQLite only")

    workdir = Path(tempfile.mkdtemp(prefix="bench_import_"))
    try:
        # The importer judges dates by the municipality's calendar day, so generate by it too.
        today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
        path = write_demo_file(workdir / "klanten.csv", demo_rows(args.rows, today), EXCEL_NL)
        say(f"wrote {args.rows} rows to {path} ({path.stat().st_size / 1e6:.1f} MB)")
        base = baseline(path)
        sqlite_url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        sqlite = bench_database("sqlite", sqlite_url, path, args.rows, workdir, base)
        postgres = None
        if args.postgres:
            postgres = bench_postgres(args.postgres, path, args.rows, workdir, base)
    finally:
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    report = {
        "benchmark": "import",
        "rows": args.rows,
        "baseline_seconds": round(base, 2),
        "sqlite": sqlite,
        "postgres": postgres,
        "limits": {"seconds": LIMIT_SECONDS, "peak_rss_mb": LIMIT_RSS_MB},
        "within_limits": within_limits(sqlite) and within_limits(postgres),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
