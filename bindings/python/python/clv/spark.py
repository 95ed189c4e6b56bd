"""The whole pipeline on Apache Spark: summarise → compress → fit → score, with
the same numbers as on one machine (``pip install "clv[spark]"``; docs/scale.md).

Every step runs the Rust core inside Spark (``mapInArrow``) or is a plain Spark
aggregation; nothing is collected to the driver but compressed rows (when few)
and per-partition partial sums:

- :func:`summary`: transactions hashed by customer (all rows of a customer in
  one partition), each partition put back in the DataFrame's row order and
  summarised by the core with the *global* observation end: row for row, bit
  for bit :func:`clv.rfm_summary`'s result on ``df.toPandas()``.
- :func:`compress`: the distinct model inputs with their summed weight (a Spark
  ``groupBy``; mergeable, since weights add).
- :func:`fit`: a local weighted fit of the compressed rows when they are at most
  ``max_local_rows`` (the estimate of a local fit of the collected rows);
  otherwise distributed Newton: each evaluation is one pass in which every
  partition returns its log-likelihood, gradient and Hessian sums
  (``clv.scale`` in the core), reduced on the driver in partition order, so the
  result is deterministic. The same estimates to about 1e-10 either way.
- :func:`score`: ``prob_alive``, ``expected_purchases`` and ``clv`` columns
  added per partition with the model shipped as its JSON; no pandas round trip.
- :func:`register_functions`: the same predictions as SQL functions.
- :func:`sample`: a deterministic sample of customers by hash of the id
  (nested across fractions, stable across runs).

Errors raised by the core on an executor reach the driver as the same
:class:`clv.ClvError` (code, field and message) from the functions here that run
Spark jobs; an action of your own on a lazy result (e.g. ``summary(...).count()``)
raises Spark's ``PythonException`` whose message holds the ``ClvError`` text, and
:func:`clv_error` turns it back into the ``ClvError``.

Timestamps: ``TimestampType`` values are read as wall time in the Spark session
time zone (what ``DataFrame.toPandas()`` shows), ``TimestampNTZType`` and
``DateType`` as they are. Parse string dates in Spark first
(``F.to_timestamp(col, fmt)``).
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _clv
from ._convert import ClvError, error, whole
from .models import Model, SpendModel, TransactionModel
from .summary import _timestamp

try:
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyspark.errors import PythonException
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError('clv.spark needs pyspark and pyarrow: pip install "clv[spark]"') from exc

__all__ = ["summary", "compress", "fit", "score", "register_functions", "sample", "clv_error",
           "MAX_LOCAL_ROWS"]

#: The most compressed rows :func:`fit` collects to fit on the driver; above it
#: the fit is distributed. 2M rows of 3 doubles and a weight are 64 MB.
MAX_LOCAL_ROWS = 2_000_000

#: Marker of a ``ClvError`` raised on an executor, in the text Spark carries back.
_MARK = "CLV_ERROR_JSON:"


# -- errors -----------------------------------------------------------------------
def _travelling(e: ClvError) -> RuntimeError:
    """The exception an executor raises for a ``ClvError``: its code, field
    and message as JSON inside the text Spark carries to the driver
    (:func:`clv_error` reads it back)."""
    payload = {"code": getattr(e, "code", "INVALID_INPUT"), "field": getattr(e, "field", None),
               "message": str(e)}
    return RuntimeError(f"{_MARK}{json.dumps(payload)}\n{e}")


def _on_executor(f: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps an executor-side generator so that a ``ClvError`` travels to the
    driver with its code and field (:func:`_travelling`)."""

    def run(*args: Any) -> Any:
        try:
            yield from f(*args)
        except ClvError as e:
            raise _travelling(e) from None

    return run


def clv_error(exc: BaseException) -> Optional[ClvError]:
    """The :class:`clv.ClvError` an executor raised, from the exception Spark
    raised on the driver (``PythonException`` or a wrapper), or ``None`` when it
    is not one."""
    text = str(exc)
    at = text.find(_MARK)
    if at < 0:
        return None
    try:
        payload, _ = json.JSONDecoder().raw_decode(text[at + len(_MARK):])
    except ValueError:
        return None
    return error(str(payload["message"]), code=str(payload["code"]), field=payload.get("field"))


def _job(run: Callable[[], Any]) -> Any:
    """Runs a Spark action; an executor's ``ClvError`` is raised as itself."""
    try:
        return run()
    except PythonException as exc:
        e = clv_error(exc)
        if e is None:
            raise
        raise e from None
    except Exception as exc:  # Py4J / Spark Connect wrappers carry the same text
        e = clv_error(exc)
        if e is None:
            raise
        raise e from None


# -- helpers -----------------------------------------------------------------------
def _model_key(model: Any) -> Tuple[str, "type[Model]"]:
    cls = model if isinstance(model, type) else type(model)
    if not (isinstance(cls, type) and issubclass(cls, Model)):
        raise error(f"invalid model: {model!r} (expected a clv model class or instance, e.g. clv.BetaGeo)",
                    field="model")
    return str(cls._spec["key"]), cls


def _columns(df: DataFrame, names: Sequence[str], field: str = "columns") -> None:
    have = set(df.columns)
    for n in names:
        if n not in have:
            raise error(f"missing column {n!r}; the frame has: {', '.join(df.columns)}",
                        code="MISSING_COLUMN", field=n)


def _seconds_col(df: DataFrame, col: str) -> Any:
    """The column as naive wall-time timestamps (``TimestampNTZType``)."""
    dtype = df.schema[col].dataType
    if isinstance(dtype, (T.TimestampType, T.DateType)):
        return F.col(col).cast(T.TimestampNTZType())
    if isinstance(dtype, T.TimestampNTZType):
        return F.col(col)
    raise error(f"invalid {col}: column of type {dtype.simpleString()} (expected a timestamp or date; "
                f"parse strings in Spark first, e.g. F.to_timestamp({col!r}, 'yyyy-MM-dd'))", field=col)


def _seconds(values: Any) -> np.ndarray:
    """int64 seconds of an Arrow timestamp array, as :func:`clv.rfm_summary` computes them."""
    arr = values.to_numpy(zero_copy_only=False)
    return np.ascontiguousarray(arr.astype("datetime64[s]").astype(np.int64))


def _to_epoch(value: Any, field: str) -> int:
    """A date as the seconds :func:`clv.rfm_summary` gives it."""
    ts = _timestamp(field, value)
    if ts is None:  # pragma: no cover - callers pass a value
        raise error(f"invalid {field}: missing (expected a date)", field=field)
    return ts


def _frequency_unit(freq: str, freq_multiplier: float) -> str:
    """``freq`` with ``freq_multiplier`` folded in by the core, as :func:`clv.rfm_summary` does."""
    if freq_multiplier == 1:
        return str(freq)
    return str(_clv.unit_with_multiplier(str(freq), float(freq_multiplier)))


def _day(ts: int) -> str:
    """A timestamp as clv.rfm_summary's messages write it (the date alone at midnight)."""
    e = pd.Timestamp(int(ts), unit="s")
    return e.strftime("%Y-%m-%d") if e == e.normalize() else e.isoformat()


def _in_partition(e: ClvError, where: str) -> ClvError:
    """The core's error of a partition's row, ``field[i]`` (a row number that
    means nothing outside the partition) written as ``field (row i of Spark
    partition p)``; the customer, date and value it names are unchanged."""
    import re

    text = re.sub(r"^invalid (\w+)\[(\d+)\]", lambda m: f"invalid {m[1]} (row {m[2]} {where})", str(e),
                  count=1)
    return error(text, code=getattr(e, "code", "INVALID_INPUT"), field=getattr(e, "field", None))


def _table(batches: Iterator[pa.RecordBatch]) -> Optional[pa.Table]:
    """A partition's batches as one table; ``None`` for an empty partition."""
    got = [b for b in batches if b.num_rows]
    return pa.Table.from_batches(got) if got else None


class _Names:
    """``names[code]``: a customer's id, for the core's error messages."""

    def __init__(self, ids: Any) -> None:
        self._ids = ids

    def __getitem__(self, i: int) -> Any:
        return self._ids[int(i)].as_py()


# -- summary -----------------------------------------------------------------------
def summary(df: DataFrame, customer_id_col: str = "customer_id", datetime_col: str = "date",
            monetary_value_col: Optional[str] = None, observation_period_end: Any = None, freq: str = "D",
            calibration_period_end: Any = None, freq_multiplier: float = 1,
            partitions: Optional[int] = None) -> DataFrame:
    """The customer summary of a transaction log, identical to :func:`clv.rfm_summary`
    on the same rows (same definitions, units and holdout columns), as a Spark
    DataFrame with the id column first.

    Identical bit for bit: ``monetary_value`` adds each customer's amounts in
    row order, as :func:`clv.rfm_summary` does, and a shuffle does not keep
    the order of rows, so each row carries its position in ``df``
    (``monotonically_increasing_id``) and each partition puts its rows back in
    that order before summarising. The result is that of
    ``clv.rfm_summary(df.toPandas(), ...)``; in another row order it differs at
    most in the last bits of ``monetary_value`` (frequency, recency and ``T`` do
    not depend on the order).

    One aggregation pass runs at once (the latest transaction, when
    ``observation_period_end`` is not given, and the number of rows outside the
    window, reported with a ``UserWarning`` as by :func:`clv.rfm_summary`); the
    summary itself is lazy. ``partitions`` (default: the session's
    ``spark.sql.shuffle.partitions``) is the number of customer partitions.
    Bad rows raise :class:`clv.ClvError` naming the customer and value when the
    result is computed (see the module docs).
    """
    cols = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    _columns(df, cols)
    unit = _frequency_unit(freq, freq_multiplier)
    ts = _seconds_col(df, datetime_col)
    cal = _timestamp("calibration_period_end", calibration_period_end)
    given_end = _timestamp("observation_period_end", observation_period_end)
    # One pass: the global observation end (the latest transaction when not
    # given) and the rows outside the window, counted and reported as by
    # clv.rfm_summary; each partition then drops those rows itself.
    if given_end is None:
        got = _job(lambda: df.agg(F.count(F.lit(1)).alias("n"), F.max(ts).alias("last"),
                                  F.min(ts).alias("first")).collect()[0])
        if got["last"] is None:
            raise error("transactions is empty: there are no rows to summarise", code="EMPTY_INPUT",
                        field="transactions")
    end = _to_epoch(got["last"], datetime_col) if given_end is None else given_end
    limit = int(_clv.window_end(unit, end, cal is not None))
    limit_ts = F.lit(np.datetime64(limit, "s").astype("datetime64[us]").item()).cast(T.TimestampNTZType())
    if given_end is not None:
        got = _job(lambda: df.agg(F.count(F.lit(1)).alias("n"), F.min(ts).alias("first"),
                                  F.sum(F.when(ts >= limit_ts, 1).otherwise(0)).alias("outside")).collect()[0])
        outside, n_rows = int(got["outside"] or 0), int(got["n"])
        day = _day(end)
        if n_rows and outside == n_rows:
            raise error(f"transactions is empty: all {n_rows} rows are after the observation end {day}",
                        code="EMPTY_INPUT", field="transactions")
        if outside:
            warnings.warn(f"{outside} transaction(s) after the observation end {day} are outside the window "
                          "and left out (as in lifetimes)", UserWarning, stacklevel=2)
    if cal is not None and got["first"] is not None and _to_epoch(got["first"], datetime_col) > cal:
        # no customer has a calibration purchase: the core's own error
        first = np.array([_to_epoch(got["first"], datetime_col)], dtype=np.int64)
        _clv.summarize(np.zeros(1, dtype=np.uint32), 1, first, None, unit, observation_end=end,
                       calibration_end=cal)
    id_field = df.schema[customer_id_col]
    fields = [T.StructField(customer_id_col, id_field.dataType, False),
              T.StructField("frequency", T.DoubleType(), False),
              T.StructField("recency", T.DoubleType(), False),
              T.StructField("T", T.DoubleType(), False)]
    if monetary_value_col:
        fields.append(T.StructField("monetary_value", T.DoubleType(), False))
    if cal is not None:
        fields.append(T.StructField("frequency_holdout", T.DoubleType(), False))
        if monetary_value_col:
            fields.append(T.StructField("monetary_value_holdout", T.DoubleType(), False))
        fields.append(T.StructField("duration_holdout", T.DoubleType(), False))
    schema = T.StructType(fields)
    names = [f.name for f in fields]
    select = [F.col(customer_id_col).alias("id"), ts.alias("ts"), F.monotonically_increasing_id().alias("seq")]
    if monetary_value_col:
        select.append(F.col(monetary_value_col).cast(T.DoubleType()).alias("amount"))
    n_parts = int(partitions) if partitions else int(str(df.sparkSession.conf.get("spark.sql.shuffle.partitions")))
    rows = df.select(*select).repartition(n_parts, "id")

    @_on_executor
    def per_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        table = _table(batches)
        if table is None:
            return
        table = _in_row_order(table)
        ctx = TaskContext.get()
        where = f"of Spark partition {ctx.partitionId() if ctx else 0}"
        ids = table.column("id").combine_chunks()
        stamps = table.column("ts").combine_chunks()
        for field, col in ((customer_id_col, ids), (datetime_col, stamps)):
            if col.null_count:
                i = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
                who = "" if col is ids else f" for customer {ids[i].as_py()!r}"
                raise error(f"invalid {field} (row {i} {where}): missing{who} (expected "
                            f"{'a customer id' if col is ids else 'a date'})", field=field)
        seconds = _seconds(stamps)
        inside = seconds < limit
        if not inside.all():
            table, ids, seconds = table.filter(pa.array(inside)), ids.filter(pa.array(inside)), seconds[inside]
        if not len(seconds) or (cal is not None and seconds.min() > cal):
            return  # nothing inside the window, or no calibration purchase here
        encoded = ids.dictionary_encode()
        codes = np.ascontiguousarray(encoded.indices.to_numpy(zero_copy_only=False).astype(np.uint32))
        uniques = encoded.dictionary
        amounts = None
        if monetary_value_col:
            a = table.column("amount").combine_chunks().fill_null(float("nan"))
            amounts = np.ascontiguousarray(a.to_numpy(zero_copy_only=False), dtype=np.float64)
        try:
            s = _clv.summarize(codes, len(uniques), np.ascontiguousarray(seconds), amounts, unit,
                               observation_end=end, calibration_end=cal, names=_Names(uniques))
        except ClvError as e:
            raise _in_partition(e, where) from None
        out = {customer_id_col: uniques.take(pa.array(s["customer_code"]))}
        n = len(s["frequency"])
        for name in names[1:]:
            if name == "duration_holdout":
                out[name] = pa.array(np.full(n, float(s["duration_holdout"])))
            else:
                out[name] = pa.array(np.asarray(s[name], dtype=np.float64))
        yield pa.RecordBatch.from_pydict(out, schema=_arrow_schema(schema))

    return rows.mapInArrow(per_partition, schema)


def _in_row_order(table: "pa.Table") -> "pa.Table":
    """A partition's rows put back in the DataFrame's order by their ``seq``
    column (usually already so: a local shuffle reads the map outputs in
    order; a cluster's fetches may not)."""
    seq = table.column("seq").combine_chunks().to_numpy()
    if len(seq) > 1 and not bool(np.all(seq[1:] > seq[:-1])):
        table = table.take(pa.array(np.argsort(seq, kind="stable")))
    return table


def _arrow_schema(schema: T.StructType) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(schema)


# -- compress ------------------------------------------------------------------------
def compress(summary_df: DataFrame, columns: Sequence[str] = ("frequency", "recency", "T"),
             weight_col: Optional[str] = None) -> DataFrame:
    """The distinct rows of ``columns`` with their summed weight (column
    ``weight``: the number of rows, or the sum of ``weight_col``). Mergeable:
    compressing the union of compressed parts with ``weight_col="weight"``
    gives the compression of the whole. Lazy."""
    cols = list(columns)
    _columns(summary_df, cols + ([weight_col] if weight_col else []))
    w = F.sum(F.col(weight_col).cast(T.DoubleType())) if weight_col else F.count(F.lit(1)).cast(T.DoubleType())
    return summary_df.groupBy(*cols).agg(w.alias("weight"))


# -- fit -------------------------------------------------------------------------------
def _arrays(table: pa.Table, names: Sequence[str]) -> List[np.ndarray]:
    return [np.ascontiguousarray(table.column(n).to_numpy(), dtype=np.float64) for n in names]


def fit(model: Any, summary_df: DataFrame, columns: Optional[Sequence[str]] = None,
        weight_col: Optional[str] = None, penalty: float = 0.0, max_iterations: int = 1000,
        gradient_tolerance: float = 1e-6, unit: Optional[str] = None,
        max_local_rows: int = MAX_LOCAL_ROWS, sample_rows: int = 200_000) -> Any:
    """Maximum-likelihood fit of ``model`` (a clv model class or instance, e.g.
    ``clv.ParetoNBD``) to the rows of ``summary_df``; returns a fitted model.

    ``columns`` are the model's inputs in its order (default its input names:
    ``frequency, recency, T``; Gamma-Gamma ``frequency, monetary_value``);
    ``weight_col`` weights rows (e.g. a compressed table's ``weight``). The rows
    are compressed in Spark first. At most ``max_local_rows`` distinct rows are
    fitted on the driver (the local fit); more are fitted by distributed Newton
    from partial sums, started from the fit of a deterministic sample of about
    ``sample_rows`` distinct rows. Both give the local fit's estimates (see the
    module docs). A distributed fit also sets ``model.passes``, the number of
    Spark passes it took.
    """
    key, cls = _model_key(model)
    names = list(columns) if columns is not None else list(cls._spec["inputs"])
    # persisted: the counting pass computes the compression once, and the
    # collection or the passes of the distributed fit read it back
    comp = compress(summary_df, names, weight_col).persist()
    try:
        stats = _job(lambda: comp.agg(F.count(F.lit(1)).alias("n"), F.sum("weight").alias("w")).collect()[0])
        n_rows, total = int(stats["n"]), float(stats["w"] or 0.0)
        if n_rows == 0:
            raise error(f"{names[0]}: no rows to fit", code="EMPTY_INPUT", field=names[0])
        m = cls() if isinstance(model, type) else model
        if n_rows <= max_local_rows:
            table = _job(lambda: comp.toArrow())
            return m._fit(_arrays(table, names), table.column("weight").to_numpy(), penalty, max_iterations,
                          gradient_tolerance, unit)
        fraction = min(1.0, sample_rows / n_rows)
        sampled = comp.where(_uniform(F.xxhash64(*[F.col(c) for c in names])) < F.lit(fraction))
        table = _job(lambda: sampled.toArrow())
        sample_inputs = _arrays(table, names)
        sample_w = np.ascontiguousarray(table.column("weight").to_numpy(), dtype=np.float64)
        terms = _partial_sums_job(comp, key, names)
        core, passes = _clv.fit_from_partial_sums(
            key, sample_inputs, total, terms, sample_weights=sample_w, penalty=float(penalty),
            max_iterations=whole("max_iterations", max_iterations), gradient_tolerance=float(gradient_tolerance),
            unit=unit)
    finally:
        comp.unpersist()
    m._core = core
    setattr(m, "passes", int(passes))
    return m


_TERMS_SCHEMA = T.StructType([
    T.StructField("partition", T.IntegerType(), False),
    T.StructField("value", T.DoubleType(), False),
    T.StructField("gradient", T.ArrayType(T.DoubleType(), False), False),
    T.StructField("hessian", T.ArrayType(T.DoubleType(), False), True),
])


_Terms = Tuple[float, List[float], Optional[List[float]]]


def _partial_sums_job(comp: DataFrame, key: str, names: Sequence[str]) -> Callable[[List[float], bool], List[_Terms]]:
    """``terms(params, hessian)``: one Spark pass returning every partition's
    partial sums, in partition order (the core adds them)."""

    def terms(params: List[float], hessian: bool) -> List[_Terms]:
        p = [float(v) for v in params]

        @_on_executor
        def per_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            from pyspark import TaskContext

            table = _table(batches)
            if table is None:
                return
            w = np.ascontiguousarray(table.column("weight").to_numpy(), dtype=np.float64)
            value, grad, hess = _clv.partial_sums(key, _arrays(table, names), p, weights=w, hessian=hessian)
            ctx = TaskContext.get()
            yield pa.RecordBatch.from_pylist(
                [{"partition": ctx.partitionId() if ctx else 0, "value": value, "gradient": grad,
                  "hessian": hess}], schema=_arrow_schema(_TERMS_SCHEMA))

        rows = _job(lambda: comp.mapInArrow(per_partition, _TERMS_SCHEMA).collect())
        # in partition order: the core adds them in this order (add_partial_sums)
        return [(r["value"], list(r["gradient"]), None if r["hessian"] is None else list(r["hessian"]))
                for r in sorted(rows, key=lambda r: r["partition"])]

    return terms


def _uniform(h: Any) -> Any:
    """A 64-bit hash as a number in [0, 1): its low 53 bits over 2⁵³."""
    return (F.pmod(h, F.lit(2**53))).cast(T.DoubleType()) / F.lit(float(2**53))


# -- sample -----------------------------------------------------------------------------
def sample(df: DataFrame, fraction: float, seed: int = 0, customer_id_col: str = "customer_id") -> DataFrame:
    """The rows of a deterministic sample of customers: a customer is in when
    the xxhash64 of (``seed``, id) maps below ``fraction``. The same customers
    on every run and machine, all rows of a customer or none, and nested: the
    sample at 0.1 is inside the sample at 0.2 (same seed). Lazy."""
    f = float(fraction)
    if not (0.0 <= f <= 1.0):
        raise error(f"invalid fraction: {fraction!r} (expected a number in [0, 1])", field="fraction")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise error(f"invalid seed: {seed!r} (expected a whole number)", field="seed")
    _columns(df, [customer_id_col])
    u = _uniform(F.xxhash64(F.lit(int(seed)), F.col(customer_id_col)))
    return df.where(u < F.lit(f))


# -- score ------------------------------------------------------------------------------
def _quantile_name(what: str, q: float) -> str:
    """``prob_alive_q5`` for the 5% quantile (no dots: plain Spark column names)."""
    return f"{what}_q{q * 100:g}".replace(".", "_")


def score(model: TransactionModel, summary_df: DataFrame, horizon: float = 1.0,
          spend_model: Optional[SpendModel] = None, months: int = 12, discount_rate: float = 0.01,
          freq: Optional[str] = None, columns: Sequence[str] = ("frequency", "recency", "T"),
          monetary_value_col: str = "monetary_value", intervals: Optional[Sequence[float]] = None,
          draws: int = 1000, seed: int = 0) -> DataFrame:
    """``summary_df`` with ``prob_alive``, ``expected_purchases`` (over
    ``horizon`` time units of the summary) and, with a ``spend_model``,
    ``expected_spend`` and ``clv`` (:func:`clv.customer_lifetime_value` over
    ``months`` months at ``discount_rate`` a month; ``freq`` the data's unit
    when the model does not carry one). Computed per partition by the core with
    the models shipped as their JSON; lazy.

    With ``intervals`` (quantiles, e.g. ``(0.05, 0.95)``), each prediction also
    gets one column per quantile (``prob_alive_q5``, ``prob_alive_q95``, ...;
    ``clv_q5`` ...) over ``draws`` Laplace draws of the model's parameters with
    ``seed`` (:meth:`clv.BetaGeo.draws`, docs/uncertainty.md): every partition
    draws the same parameters from the seed, so the intervals are those of
    ``model.draws("laplace", draws, seed)`` on one machine."""
    if not isinstance(model, TransactionModel):
        raise error(f"invalid model: {type(model).__name__} (expected a fitted transaction model, e.g. "
                    "clv.BetaGeo)", field="model")
    if spend_model is not None and not isinstance(spend_model, SpendModel):
        raise error(f"invalid spend_model: {type(spend_model).__name__} (expected GammaGamma)",
                    field="spend_model")
    cols = list(columns)
    _columns(summary_df, cols + ([monetary_value_col] if spend_model is not None else []))
    tm_json, tm_cls = model.to_json(), type(model)
    sm_json = None if spend_model is None else spend_model.to_json()
    sm_cls = None if spend_model is None else type(spend_model)
    h = float(horizon)
    qs: List[float] = []
    if intervals is not None:
        qs = [float(q) for q in np.atleast_1d(np.asarray(intervals, dtype=np.float64))]
        # the draws and the quantiles are checked here, on the driver, by the core
        model.draws("laplace", n=draws, seed=seed).prob_alive(np.zeros(1), np.zeros(1), np.ones(1), quantiles=qs)
    outputs = ["prob_alive", "expected_purchases"] + (["expected_spend", "clv"] if spend_model is not None else [])
    added = []
    for name in outputs:
        added.append(T.StructField(name, T.DoubleType(), False))
        if name != "expected_spend":
            added += [T.StructField(_quantile_name(name, q), T.DoubleType(), False) for q in qs]
    schema = T.StructType(list(summary_df.schema.fields) + added)

    @_on_executor
    def per_batch(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from .value import customer_lifetime_value

        tm = tm_cls.from_json(tm_json)
        sm = None if sm_json is None or sm_cls is None else sm_cls.from_json(sm_json)
        d = tm.draws("laplace", n=draws, seed=seed) if qs else None
        arrow_schema = _arrow_schema(schema)
        for batch in batches:
            if batch.num_rows == 0:
                continue
            x, tx, t = (np.ascontiguousarray(batch.column(c).to_numpy(zero_copy_only=False), dtype=np.float64)
                        for c in cols)
            out = {name: batch.column(name) for name in batch.schema.names}
            out["prob_alive"] = pa.array(tm.prob_alive(x, tx, t))
            out["expected_purchases"] = pa.array(tm.expected_purchases(h, x, tx, t))
            ranges = {}
            if d is not None:
                ranges["prob_alive"] = d.prob_alive(x, tx, t, quantiles=qs)
                ranges["expected_purchases"] = d.expected_purchases(h, x, tx, t, quantiles=qs)
            if sm is not None:
                mv = np.ascontiguousarray(batch.column(monetary_value_col).to_numpy(zero_copy_only=False),
                                          dtype=np.float64)
                out["expected_spend"] = pa.array(sm.expected_spend(x, mv))
                out["clv"] = pa.array(customer_lifetime_value(tm, sm, x, tx, t, mv, time=months,
                                                              discount_rate=discount_rate, freq=freq))
                if d is not None:
                    ranges["clv"] = d.customer_lifetime_value(sm, x, tx, t, mv, time=months,
                                                              discount_rate=discount_rate, freq=freq, quantiles=qs)
            for name, frame in ranges.items():
                for q, col in zip(qs, frame.columns[1:]):
                    out[_quantile_name(name, q)] = pa.array(frame[col].to_numpy())
            yield pa.RecordBatch.from_pydict({f.name: out[f.name] for f in arrow_schema}, schema=arrow_schema)

    return summary_df.mapInArrow(per_batch, schema)


def register_functions(spark: SparkSession, model: TransactionModel, prefix: str = "clv_",
                       spend_model: Optional[SpendModel] = None) -> List[str]:
    """Registers the model's predictions as SQL functions and returns their
    names: ``{prefix}prob_alive(frequency, recency, T)``,
    ``{prefix}expected_purchases(t, frequency, recency, T)`` and, with a
    ``spend_model``, ``{prefix}expected_spend(frequency, monetary_value)``.
    Vectorised (Arrow batches), the model shipped as its JSON."""
    if not isinstance(model, TransactionModel):
        raise error(f"invalid model: {type(model).__name__} (expected a fitted transaction model)",
                    field="model")
    from pyspark.sql.functions import pandas_udf

    tm_json, tm_cls = model.to_json(), type(model)
    registered: List[str] = []

    def f64(s: Any) -> np.ndarray:
        return np.ascontiguousarray(s.to_numpy(), dtype=np.float64)

    @pandas_udf(T.DoubleType())  # type: ignore[call-overload]
    def prob_alive(x: pd.Series, tx: pd.Series, t: pd.Series) -> pd.Series:
        return pd.Series(_rethrowing(lambda: tm_cls.from_json(tm_json).prob_alive(f64(x), f64(tx), f64(t))))

    @pandas_udf(T.DoubleType())  # type: ignore[call-overload]
    def expected_purchases(h: pd.Series, x: pd.Series, tx: pd.Series, t: pd.Series) -> pd.Series:
        def run() -> Any:
            # one core call per distinct horizon in the batch (usually one)
            m = tm_cls.from_json(tm_json)
            hs, xs, txs, ts = f64(h), f64(x), f64(tx), f64(t)
            out = np.empty(len(hs))
            for hv in np.unique(hs):
                at = np.isnan(hs) if np.isnan(hv) else hs == hv
                out[at] = m.expected_purchases(float(hv), xs[at], txs[at], ts[at])
            return out

        return pd.Series(_rethrowing(run))

    for name, fn in (("prob_alive", prob_alive), ("expected_purchases", expected_purchases)):
        spark.udf.register(prefix + name, fn)
        registered.append(prefix + name)
    if spend_model is not None:
        if not isinstance(spend_model, SpendModel):
            raise error(f"invalid spend_model: {type(spend_model).__name__} (expected GammaGamma)",
                        field="spend_model")
        sm_json, sm_cls = spend_model.to_json(), type(spend_model)

        @pandas_udf(T.DoubleType())  # type: ignore[call-overload]
        def expected_spend(x: pd.Series, mv: pd.Series) -> pd.Series:
            return pd.Series(_rethrowing(lambda: sm_cls.from_json(sm_json).expected_spend(f64(x), f64(mv))))

        spark.udf.register(prefix + "expected_spend", expected_spend)
        registered.append(prefix + "expected_spend")
    return registered


def _rethrowing(run: Callable[[], Any]) -> Any:
    """Runs on an executor; a ``ClvError`` leaves with its code and field (:func:`_travelling`)."""
    try:
        return run()
    except ClvError as e:
        raise _travelling(e) from None
