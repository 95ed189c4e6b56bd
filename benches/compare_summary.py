#!/usr/bin/env python3
"""Side-by-side timing of the transaction -> customer summary step.

Generates a deterministic synthetic transaction log (about 10 transactions per
customer over two years), then times, in one run, on the same CSV file:

  clv      `clv summary FILE ... -o OUT` (release binary; CSV parse + summary + CSV write)
  lifetimes  pandas.read_csv + lifetimes.utils.summary_data_from_transaction_data + to_csv
  polars   polars.read_csv + the same definitions as a group-by + write_csv
  duckdb   DuckDB SQL over read_csv (the same definitions) + COPY to CSV

and prints wall times and ratios (lifetimes' ``summary_data_from_transaction_data``
call is also timed alone, its CSV read and write excluded). All three results are checked to agree
before any time is reported.

Usage (from the repository root):
  python3 -m venv .bench-venv && .bench-venv/bin/pip install -r benches/requirements.txt
  cargo build --release -p clv-cli
  .bench-venv/bin/python benches/compare_summary.py --rows 1000000 10000000
  CLV_EXE=/path/to/other/clv ...   times that `clv` binary instead of target/release/clv
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benches" / "out"
OBS_END = "2023-12-31"


def generate(rows: int, path: Path) -> None:
    """Deterministic log: customers ~ rows/10, dates uniform over 2022-2023."""
    if path.exists():
        return
    rng = np.random.default_rng(20261123)
    customers = max(rows // 10, 1)
    cust = rng.integers(0, customers, rows)
    days = rng.integers(0, 730, rows)
    amount = np.round(rng.gamma(2.0, 20.0, rows), 2)
    base = np.datetime64("2022-01-01")
    dates = (base + days.astype("timedelta64[D]")).astype(str)
    ids = np.char.add("c", np.char.zfill(cust.astype(str), 8))
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        f.write("customer_id,date,amount\n")
        chunk = 1_000_000
        for s in range(0, rows, chunk):
            e = min(s + chunk, rows)
            lines = np.char.add(np.char.add(np.char.add(np.char.add(ids[s:e], ","), dates[s:e]), ","),
                                amount[s:e].astype(str))
            f.write("\n".join(lines.tolist()))
            f.write("\n")
    tmp.rename(path)


def run_clv(path: Path, out: Path) -> float:
    # CLV_EXE: another build to time (e.g. the previous commit's, for a before/after table).
    exe = Path(os.environ.get("CLV_EXE", ROOT / "target" / "release" / "clv"))
    t0 = time.perf_counter()
    subprocess.run([str(exe), "summary", str(path), "--amount-col", "amount", "--freq", "D",
                    "--observation-end", OBS_END, "-o", str(out)], check=True)
    return time.perf_counter() - t0


LIFETIMES_CALL = {}


def run_lifetimes(path: Path, out: Path) -> float:
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data
    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype={"customer_id": str})
    t1 = time.perf_counter()
    s = summary_data_from_transaction_data(df, "customer_id", "date", monetary_value_col="amount",
                                           observation_period_end=OBS_END, freq="D")
    LIFETIMES_CALL[path] = time.perf_counter() - t1
    s.to_csv(out)
    return time.perf_counter() - t0


def run_duckdb(path: Path, out: Path) -> float:
    import duckdb
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"""
        COPY (
          WITH t AS (
            SELECT customer_id, date AS d, amount
            FROM read_csv('{path}', header = true,
                          columns = {{'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DOUBLE'}})
            WHERE date <= DATE '{OBS_END}'),
          per AS (SELECT customer_id, d, sum(amount) AS amount FROM t GROUP BY customer_id, d),
          c AS (SELECT customer_id, count(*) AS n, min(d) AS first, max(d) AS last,
                       sum(amount) AS total, arg_min(amount, d) AS first_amount
                FROM per GROUP BY customer_id)
          SELECT customer_id, n - 1 AS frequency,
                 date_diff('day', first, last)::DOUBLE AS recency,
                 date_diff('day', first, DATE '{OBS_END}')::DOUBLE AS T,
                 CASE WHEN n > 1 THEN (total - first_amount) / (n - 1) ELSE 0 END AS monetary_value
          FROM c ORDER BY customer_id
        ) TO '{out}' (HEADER, DELIMITER ',')""")
    con.close()
    return time.perf_counter() - t0


def run_polars(path: Path, out: Path) -> float:
    import polars as pl
    t0 = time.perf_counter()
    obs = dt.date.fromisoformat(OBS_END)
    df = pl.read_csv(path, schema_overrides={"customer_id": pl.Utf8, "date": pl.Date})
    per = df.group_by(["customer_id", "date"]).agg(pl.col("amount").sum())
    s = (per.group_by("customer_id")
            .agg(n=pl.len(), first=pl.col("date").min(), last=pl.col("date").max(),
                 total=pl.col("amount").sum(),
                 first_amount=pl.col("amount").sort_by("date").first())
            .select("customer_id",
                    frequency=pl.col("n") - 1,
                    recency=(pl.col("last") - pl.col("first")).dt.total_days(),
                    T=(pl.lit(obs) - pl.col("first")).dt.total_days(),
                    monetary_value=pl.when(pl.col("n") > 1)
                    .then((pl.col("total") - pl.col("first_amount")) / (pl.col("n") - 1))
                    .otherwise(0.0))
            .sort("customer_id"))
    s.write_csv(out)
    return time.perf_counter() - t0


def check_same(paths: dict) -> None:
    import pandas as pd
    frames = {k: pd.read_csv(p, dtype={"customer_id": str}).set_index("customer_id").sort_index()
              for k, p in paths.items()}
    ref = frames["clv"]
    for k, f in frames.items():
        f = f[["frequency", "recency", "T", "monetary_value"]]
        if len(f) != len(ref) or not (f.index == ref.index).all():
            sys.exit(f"{k}: customers differ from clv")
        diff = np.abs(f.values - ref[["frequency", "recency", "T", "monetary_value"]].values)
        if np.nanmax(diff) > 1e-6:
            sys.exit(f"{k}: values differ from clv by up to {np.nanmax(diff)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool (best is reported)")
    ap.add_argument("--skip-lifetimes-above", type=int, default=0,
                    help="do not run lifetimes above this many rows (0 = always run)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    rows_out = []
    for rows in args.rows:
        path = OUT / f"tx_{rows}.csv"
        generate(rows, path)
        size = path.stat().st_size / 1e6
        tools = {"clv": run_clv, "polars": run_polars, "duckdb": run_duckdb, "lifetimes": run_lifetimes}
        if args.skip_lifetimes_above and rows > args.skip_lifetimes_above:
            del tools["lifetimes"]
        best, outs = {}, {}
        for name, fn in tools.items():
            outs[name] = OUT / f"summary_{name}_{rows}.csv"
            reps = 1 if name == "lifetimes" else args.repeat
            best[name] = min(fn(path, outs[name]) for _ in range(reps))
            print(f"  {rows:>11,} rows  {name:<10} {best[name]:8.2f} s", flush=True)
        check_same(outs)
        rows_out.append((rows, size, best))
    print()
    print("| rows | CSV MB | clv s | polars s | duckdb s | lifetimes s (its call alone) "
          "| polars / clv | duckdb / clv | lifetimes / clv (call alone / clv) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rows, size, b in rows_out:
        lt = b.get("lifetimes")
        call = LIFETIMES_CALL.get(OUT / f"tx_{rows}.csv")
        c = b["clv"]
        lt_s = "n/a" if lt is None else f"{lt:.1f} ({call:.1f})"
        lt_r = "n/a" if lt is None else f"{lt / c:.1f}x ({call / c:.1f}x)"
        print(f"| {rows:,} | {size:.0f} | {c:.2f} | {b['polars']:.2f} | {b['duckdb']:.2f} | {lt_s} | "
              f"{b['polars'] / c:.2f}x | {b['duckdb'] / c:.2f}x | {lt_r} |")


if __name__ == "__main__":
    main()
