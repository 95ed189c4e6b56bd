#!/usr/bin/env python3
"""clv.spark against the usual pattern on the same local Spark, in one run.

For each size (transactions; about 10 per customer over two years, simulated
as Pareto/NBD customers and written as Parquet files that split customers
across files) it times, end to end:

  pattern   what the Databricks CLV accelerator does: the customer summary in
            Spark SQL, ``toPandas()``, lifetimes' ``BetaGeoFitter.fit`` on the
            driver, and scoring (P(alive), expected purchases) with lifetimes
            inside a pandas UDF;
  clv       ``clv.spark.summary`` -> ``clv.spark.fit(clv.BetaGeo, ...)`` ->
            ``clv.spark.score`` (the same steps, the core in every partition);
  cli       the single-process ``clv`` CLI on the same rows as one CSV file
            (``clv summary`` then ``clv fit bg-nbd``): Spark's overhead;

and the two ways of computing the summary on Spark alone (Spark SQL
aggregation against the core inside ``mapInArrow``), since the first decides
how ``clv.spark.summary`` is built, and the floor under both: the
transactions read and shuffled by customer with no aggregation at all (with
clv.spark's fit and score added, a bound on the ratio any Spark summary could
reach). Estimates are compared before any time is
reported (the SQL summary uses daily periods, as ``freq="D"``). Both scoring
steps write to Spark's ``noop`` sink so that every row is computed.

Peak memory: Spark's executors run in the driver JVM (local mode) beside the
Python workers; the script polls the RSS of its whole process tree and prints
the peak of each pipeline.

Usage (from the repository root; Java 17):
  python3 -m venv .bench-venv && .bench-venv/bin/pip install -r benches/requirements.txt \
      pyspark==4.3.0 pyarrow==26.0.1 && .bench-venv/bin/pip install target/wheels-python/clv-*.whl
  cargo build --release -p clv-cli
  .bench-venv/bin/python benches/compare_spark.py --rows 10000000 50000000
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benches" / "out"
OBS_END = "2023-12-31"


def generate(rows: int, folder: Path, files: int = 8) -> None:
    """Deterministic log as ``files`` Parquet files (rows shuffled across files).

    Customers as the Pareto/NBD tells them: each is born on a day of 2022
    (their first purchase), buys at a Gamma-distributed rate (shape 0.8) while
    alive and lives an exponential lifetime (mean 400 days); the mean rate is
    set for about 10 transactions per customer. Fitted models are identified,
    as on real data (uniform random dates would not be)."""
    if (folder / "_done").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261202)
    customers = max(rows // 10, 1)
    horizon = 730 * 86400
    birth = rng.integers(0, 365 * 86400, customers)
    death = np.minimum(birth + rng.exponential(400 * 86400, customers).astype(np.int64), horizon)
    active = (death - birth).astype(np.float64)
    rate = rng.gamma(0.8, 1.0, customers)
    rate *= (rows - customers) / float((rate * active).sum())  # expected repeats: rows - customers
    repeats = rng.poisson(rate * active)
    ids = np.concatenate([np.arange(customers), np.repeat(np.arange(customers), repeats)])
    starts = np.repeat(birth, repeats)
    spans = np.repeat(active, repeats)
    seconds = np.concatenate([birth, starts + (rng.random(len(starts)) * spans).astype(np.int64)])
    order = rng.permutation(len(ids))
    ids, seconds = ids[order], seconds[order]
    dates = np.datetime64("2022-01-01T00:00:00") + seconds.astype("timedelta64[s]")
    amount = np.round(rng.gamma(2.0, 20.0, len(ids)), 2)
    for i, part in enumerate(np.array_split(np.arange(len(ids)), files)):
        pd.DataFrame({"customer_id": ids[part], "date": dates[part], "amount": amount[part]}).to_parquet(
            folder / f"part-{i}.parquet", index=False)
    (folder / "_done").write_text(str(len(ids)))


class TreeRss:
    """Polls the resident memory of this process and all its descendants (the
    Spark JVM, whose executors run inside it in local mode, and the Python
    workers) every 0.2 s; ``peak()`` returns the largest sum seen since the
    last ``reset()``, in MB."""

    def __init__(self) -> None:
        import threading

        self._peak = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _tree_kb() -> int:
        parent, rss = {}, {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/status") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
            except OSError:
                continue
            parent[int(d)] = int(fields.get("PPid", "0").strip())
            rss[int(d)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
        me, total = os.getpid(), 0
        for pid in rss:
            p = pid
            while p and p != me:
                p = parent.get(p, 0)
            if p == me:
                total += rss[pid]
        return total

    def _run(self) -> None:
        while not self._stop:
            self._peak = max(self._peak, self._tree_kb())
            time.sleep(0.2)

    def reset(self) -> None:
        self._peak = self._tree_kb()

    def peak(self) -> float:
        return self._peak / 1024


def timed(label, f):
    t = time.perf_counter()
    out = f()
    dt = time.perf_counter() - t
    print(f"  {label:<44} {dt:8.2f} s", flush=True)
    return out, dt


def sql_summary(spark, df):
    """The customer summary in Spark SQL (daily periods, as lifetimes' freq='D')."""
    df.createOrReplaceTempView("tx")
    return spark.sql(f"""
        WITH days AS (
          SELECT customer_id, to_date(date) AS day, SUM(amount) AS spend
          FROM tx WHERE to_date(date) <= DATE'{OBS_END}' GROUP BY customer_id, to_date(date)),
        firsts AS (SELECT customer_id, MIN(day) AS first_day FROM days GROUP BY customer_id)
        SELECT d.customer_id,
               CAST(COUNT(*) - 1 AS DOUBLE) AS frequency,
               CAST(DATEDIFF(MAX(d.day), MIN(d.day)) AS DOUBLE) AS recency,
               CAST(DATEDIFF(DATE'{OBS_END}', MIN(d.day)) AS DOUBLE) AS T,
               COALESCE(AVG(CASE WHEN d.day > f.first_day THEN d.spend END), 0.0) AS monetary_value
        FROM days d JOIN firsts f ON d.customer_id = f.customer_id
        GROUP BY d.customer_id""")


def pattern(spark, df):
    """Spark SQL summary -> toPandas -> lifetimes fit -> lifetimes pandas-UDF scoring."""
    from lifetimes import BetaGeoFitter
    from pyspark.sql.functions import pandas_udf

    steps = {}
    summ, steps["summary + toPandas"] = timed("pattern: Spark SQL summary + toPandas",
                                              lambda: sql_summary(spark, df).toPandas())
    bgf = BetaGeoFitter()
    _, steps["lifetimes fit"] = timed("pattern: lifetimes BetaGeoFitter.fit",
                                      lambda: bgf.fit(summ.frequency, summ.recency, summ["T"]))

    @pandas_udf("double")
    def prob_alive(x: pd.Series, tx: pd.Series, t: pd.Series) -> pd.Series:
        return pd.Series(bgf.conditional_probability_alive(x, tx, t))

    @pandas_udf("double")
    def expected(x: pd.Series, tx: pd.Series, t: pd.Series) -> pd.Series:
        return pd.Series(bgf.conditional_expected_number_of_purchases_up_to_time(30, x, tx, t))

    def score():
        s = sql_summary(spark, df)
        s.select("customer_id", prob_alive("frequency", "recency", "T").alias("p"),
                 expected("frequency", "recency", "T").alias("e")).write.format("noop").mode("overwrite").save()

    _, steps["score"] = timed("pattern: Spark summary + pandas-UDF scoring", score)
    return bgf.params_, steps


def with_clv(spark, df):
    import clv
    import clv.spark as cs

    steps = {}
    summ = cs.summary(df, "customer_id", "date", "amount", observation_period_end=OBS_END).cache()
    _, steps["summary"] = timed("clv.spark: summary (cached)", lambda: summ.count())
    model, steps["fit"] = timed("clv.spark: fit BG/NBD", lambda: cs.fit(clv.BetaGeo, summ))
    passes = getattr(model, "passes", None)
    print("    (fitted on the driver)" if passes is None else f"    (distributed Newton: {passes} passes)")
    _, steps["score"] = timed("clv.spark: score", lambda: cs.score(model, summ, horizon=30)
                              .write.format("noop").mode("overwrite").save())
    summ.unpersist()
    return model.params, steps


def summary_ways(spark, df):
    import clv.spark as cs

    _, sql = timed("summary only: Spark SQL aggregation",
                   lambda: sql_summary(spark, df).write.format("noop").mode("overwrite").save())
    _, core = timed("summary only: core in mapInArrow",
                    lambda: cs.summary(df, "customer_id", "date", "amount", observation_period_end=OBS_END)
                    .write.format("noop").mode("overwrite").save())
    return sql, core


def shuffle_floor(spark, df):
    """The least a summary on Spark pays: read the transactions and shuffle
    them by customer (written to the ``noop`` sink), with no aggregation.
    Both pipelines' summaries do this and more. Also timed: the read alone,
    and the narrowest shuffle that still brings a customer's rows together
    (a 64-bit hash of the id, the day as an int and the amount: 20 bytes a
    row): a summary must at least read every row and, with customers split
    across files, bring each distinct (customer, day) together (counting
    distinct periods needs them; here nearly every row is one, the days
    being spread over two years), so the narrowest shuffle bounds any
    Spark summary from below."""
    from pyspark.sql import functions as F

    timed("floor: read alone (every column, noop sink)",
          lambda: df.select("customer_id", "date", "amount").write.format("noop").mode("overwrite").save())
    _, narrow = timed("floor: read + narrowest shuffle (hash, day, amount)",
                      lambda: df.select(F.xxhash64("customer_id").alias("k"),
                                        F.datediff(F.to_date("date"), F.lit("2022-01-01")).alias("d"), "amount")
                      .repartition("k").write.format("noop").mode("overwrite").save())
    timed("floor: read + shuffle by customer, nothing else",
          lambda: df.select("customer_id", "date", "amount").repartition("customer_id")
          .write.format("noop").mode("overwrite").save())
    return narrow


def cli(folder: Path, rows: int):
    csv = OUT / f"spark_{rows}.csv"
    if not csv.exists():
        pd.concat(pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))).to_csv(csv, index=False)
    binary = ROOT / "target" / "release" / "clv"
    summ = OUT / f"spark_{rows}_summary.csv"

    def run():
        subprocess.run([str(binary), "summary", str(csv), "--customer-col", "customer_id", "--date-col", "date",
                        "--amount-col", "amount", "--observation-end", OBS_END, "--freq", "D", "-o", str(summ)],
                       check=True, stderr=subprocess.DEVNULL)
        subprocess.run([str(binary), "fit", "bg-nbd", "--summary", str(summ), "--json"], check=True,
                       stdout=subprocess.DEVNULL)

    _, t = timed("cli: clv summary + clv fit bg-nbd (one process each)", run)
    return t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--no-pattern", action="store_true", help="skip the lifetimes pattern")
    args = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "8g").config("spark.sql.shuffle.partitions", "8")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    print(f"load average before: {os.getloadavg()}")
    rss = TreeRss()
    warm = OUT / "spark_warmup"
    generate(20_000, warm)
    print("warm-up (JIT, Python workers; not reported)")
    summary_ways(spark, spark.read.parquet(str(warm)))
    for rows in args.rows:
        folder = OUT / f"spark_{rows}"
        generate(rows, folder)
        df = spark.read.parquet(str(folder))
        n = int((folder / "_done").read_text())
        print(f"\n{n:,} transactions ({rows // 10:,} customers), load {os.getloadavg()[0]:.2f}")
        rss.reset()
        sql, core = summary_ways(spark, df)
        floor = shuffle_floor(spark, df)
        rss.reset()
        ours, clv_steps = with_clv(spark, df)
        clv_total = sum(clv_steps.values())
        print(f"  clv.spark end to end {clv_total:.2f} s; peak RSS of driver JVM + Python workers "
              f"{rss.peak():.0f} MB")
        if not args.no_pattern:
            rss.reset()
            theirs, pat_steps = pattern(spark, df)
            pat_total = sum(pat_steps.values())
            rel = max(abs(ours[k] / theirs[k] - 1) for k in ("r", "alpha", "a", "b"))
            print(f"  pattern end to end {pat_total:.2f} s (peak RSS {rss.peak():.0f} MB); ratio "
                  f"{pat_total / clv_total:.1f}x; largest relative difference of the estimates {rel:.1e}")
            best = floor + clv_steps["fit"] + clv_steps["score"]
            print(f"  bound: with a summary as cheap as the narrowest shuffle ({floor:.2f} s), clv.spark would "
                  f"take at least {best:.2f} s, a ratio of at most {pat_total / best:.1f}x")
        t_cli = cli(folder, rows)
        print(f"  summary: SQL {sql:.2f} s vs core {core:.2f} s; Spark overhead over the CLI "
              f"(summary + fit): {(clv_steps['summary'] + clv_steps['fit']) / t_cli:.1f}x; "
              f"load {os.getloadavg()[0]:.2f}")
    spark.stop()


if __name__ == "__main__":
    main()
