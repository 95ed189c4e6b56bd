"""Transaction log → per-customer summary (``frequency``, ``recency``, ``T``,
``monetary_value``), with the ``lifetimes`` definitions (computed by the Rust
core, ``clv::summary``).

- frequency: distinct periods with a purchase, minus 1 (the first);
- recency: start of the last purchase period − start of the first (in units);
- T: start of the observation-end period − start of the first purchase period;
- monetary_value: mean over the repeat periods of the per-period spend sums
  (0 when frequency = 0).

With ``calibration_period_end`` the holdout columns ``frequency_holdout``,
``monetary_value_holdout`` (mean of the raw holdout amounts, a lifetimes quirk
kept for comparability) and ``duration_holdout`` are added.

The observation end defines the window, as in lifetimes: a row is inside when
its period is not after the observation end's period (a weekly summary to a
Tuesday keeps that week's later days); rows outside are left out, counted, and
reported with a :class:`UserWarning` (and in ``DataFrame.attrs``). With a
calibration end, the holdout ends at the observation end itself (lifetimes'
``calibration_and_holdout_data``). $0 amounts are valid transactions; a
negative amount (a return) is a ``ClvError`` naming the customer and the date.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional

import numpy as np

from . import _clv
from ._convert import _is_polars, error


def _column(df: Any, name: str, polars: bool) -> Any:
    cols = list(df.columns)
    if name not in cols:
        raise error(
            f"missing column {name!r}; the frame has: {', '.join(map(str, cols))}",
            code="MISSING_COLUMN",
            field=name,
        )
    if polars:
        import pandas as pd

        # to_numpy, not to_pandas: the latter needs pyarrow
        return pd.Series(df.get_column(name).to_numpy())
    return df[name]


def _seconds(field: str, values: Any, datetime_format: Optional[str]) -> np.ndarray:
    """Timestamps as int64 seconds since 1970-01-01 (naive, as the core expects).

    A value that does not parse is a ``PARSE_ERROR`` naming the column, the
    row (0-based position in the frame) and the value, and pointing to
    clv's own ``datetime_format`` argument (not pandas' advice)."""
    import pandas as pd

    try:
        dt = pd.to_datetime(values, format=datetime_format)
    except (ValueError, TypeError, OverflowError):
        raise _date_error(field, values, datetime_format) from None
    if getattr(dt.dt, "tz", None) is not None:
        dt = dt.dt.tz_localize(None)
    na = dt.isna().to_numpy()
    if na.any():
        i = int(np.flatnonzero(na)[0])
        raise error(f"invalid {field}[{i}]: NaT (expected a date)", field=field)
    return np.ascontiguousarray(dt.to_numpy().astype("datetime64[s]").astype(np.int64))


def _date_error(field: str, values: Any, datetime_format: Optional[str]) -> Exception:
    """The ``ClvError`` of the first value of ``values`` that is not a date."""
    import pandas as pd

    def bad(v: Any) -> bool:
        if pd.isna(v):
            return False
        try:
            pd.to_datetime(v, format=datetime_format)
            return False
        except (ValueError, TypeError, OverflowError):
            return True

    series = pd.Series(values).reset_index(drop=True)
    # pandas infers one format from the first value: the first row not in it, else
    # the first row that is no date at all
    try:
        coerced = pd.to_datetime(series, format=datetime_format, errors="coerce")
        failed = np.flatnonzero((coerced.isna() & series.notna()).to_numpy())
    except (ValueError, TypeError, OverflowError):
        failed = np.array([], dtype=np.intp)
    i = int(failed[0]) if len(failed) else next((k for k, v in enumerate(series.tolist()) if bad(v)), None)
    how = (f"does not match datetime_format={datetime_format!r}" if datetime_format is not None
           else "is not a date in the format of the first row; give datetime_format, e.g. "
                "datetime_format=\"%d/%m/%Y\"")
    if i is None:
        return error(f"invalid {field}: the dates do not share one format ({how})", code="PARSE_ERROR",
                     field=field)
    return error(f"invalid {field}[{i}]: {series.iloc[i]!r} on row {i} {how}", code="PARSE_ERROR", field=field)


def _timestamp(field: str, value: Any) -> Optional[int]:
    import pandas as pd

    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise error(f"invalid {field}: {value!r} ({exc})", field=field) from None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(ts.to_datetime64().astype("datetime64[s]").astype(np.int64))


def _frequency_unit(freq: str, freq_multiplier: float) -> str:
    """``freq`` with ``freq_multiplier`` folded in by the core ("7D" with 2 is "14d")."""
    if freq_multiplier == 1:
        return str(freq)
    return str(_clv.unit_with_multiplier(str(freq), float(freq_multiplier)))


def summarize(
    df: Any,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: Optional[str],
    observation_period_end: Any,
    freq: str,
    calibration_period_end: Any,
    datetime_format: Optional[str],
    freq_multiplier: float,
) -> Dict[str, Any]:
    """The summary columns as a dict (customer ids in their original dtype)."""
    import pandas as pd

    polars = _is_polars(df)
    ids = _column(df, customer_id_col, polars)
    dates = _column(df, datetime_col, polars)
    amounts = None
    if monetary_value_col is not None:
        a = _column(df, monetary_value_col, polars)
        try:
            amounts = np.ascontiguousarray(pd.to_numeric(a).to_numpy(dtype=np.float64, na_value=np.nan))
        except (ValueError, TypeError) as exc:
            raise error(f"invalid {monetary_value_col}: not numeric ({exc})", field=monetary_value_col) from None
    # Factorise ids (sorted, as lifetimes' groupby) and hand the core one code per
    # row; the result lists each output row's code.
    codes, uniques = pd.factorize(ids, sort=True)
    if (codes < 0).any():
        i = int(np.flatnonzero(codes < 0)[0])
        raise error(f"invalid {customer_id_col}[{i}]: missing customer id", field=customer_id_col)
    ts = _seconds(datetime_col, dates, datetime_format)
    end = _timestamp("observation_period_end", observation_period_end)
    codes = np.ascontiguousarray(codes, dtype=np.uint32)
    # Rows after the observation end are left out and counted by the core
    # (lifetimes' period rule: rows of the end's own period stay in).
    out = _clv.summarize(
        codes,
        len(uniques),
        ts,
        amounts,
        _frequency_unit(freq, freq_multiplier),
        observation_end=end,
        calibration_end=_timestamp("calibration_period_end", calibration_period_end),
        names=uniques,
    )
    rows = out.pop("customer_code")
    out["customer_id"] = uniques.take(rows) if hasattr(uniques, "take") else np.asarray(uniques)[rows]
    return dict(out)


def rfm_summary(
    df: Any,
    customer_id_col: str = "customer_id",
    datetime_col: str = "date",
    monetary_value_col: Optional[str] = None,
    observation_period_end: Any = None,
    freq: str = "D",
    calibration_period_end: Any = None,
    datetime_format: Optional[str] = None,
    freq_multiplier: float = 1,
) -> Any:
    """Summarise a transaction log, one row per customer.

    ``df`` is a pandas or polars DataFrame (the result is of the same kind: a
    pandas frame indexed by customer id, or a polars frame with the id column
    first), or numpy arrays as a dict of columns or a structured array (the
    result is then a pandas frame). ``freq`` is the time unit of ``recency`` and ``T``: ``"D"``,
    ``"W"`` (ISO weeks, Monday..Sunday), ``"M"``, ``"H"``, or a multiple such
    as ``"7D"``; ``freq_multiplier`` divides the counts as in lifetimes.
    ``observation_period_end`` defaults to the latest transaction; it defines
    the window as in lifetimes: rows whose period is after its period are left
    out (with a calibration end: rows after it), counted in
    ``attrs["after_observation_end"]`` (pandas) and reported with a
    ``UserWarning``. Zero amounts are valid transactions.

    ``attrs["unit"]`` (pandas) is the time unit (``"W"``, ``"7d"``): a model
    fitted on the columns stores it, and CLV takes its months from it.

    Columns: ``frequency``, ``recency``, ``T`` and, with
    ``monetary_value_col``, ``monetary_value``; with
    ``calibration_period_end``, also ``frequency_holdout``,
    ``monetary_value_holdout`` and ``duration_holdout``.

    Raises ``ClvError`` for a missing column, an unparsable or missing date,
    a negative or NaN amount (naming the customer and the date: a return is not
    a purchase, net it against the purchase it refunds), or a calibration end
    outside the data.
    """
    import pandas as pd

    if isinstance(df, dict) or (isinstance(df, np.ndarray) and df.dtype.names):
        # numpy arrays: a dict of columns or a structured array -> pandas result
        df = pd.DataFrame(df)
    s = summarize(df, customer_id_col, datetime_col, monetary_value_col, observation_period_end,
                  freq, calibration_period_end, datetime_format, freq_multiplier)
    n = len(s["frequency"])
    after = int(s["after_observation_end"])
    if after:
        end = pd.Timestamp(int(s["observation_end"]), unit="s")
        day = end.strftime("%Y-%m-%d") if end == end.normalize() else end.isoformat()
        warnings.warn(f"{after} transaction(s) after the observation end {day} are outside the window "
                      "and left out (as in lifetimes)", UserWarning, stacklevel=2)
    cols: Dict[str, Any] = {"frequency": s["frequency"], "recency": s["recency"], "T": s["T"]}
    if s.get("monetary_value") is not None:
        cols["monetary_value"] = s["monetary_value"]
    if "frequency_holdout" in s:
        cols["frequency_holdout"] = s["frequency_holdout"]
        if s.get("monetary_value_holdout") is not None:
            cols["monetary_value_holdout"] = s["monetary_value_holdout"]
        cols["duration_holdout"] = np.full(n, s["duration_holdout"])
    if _is_polars(df):
        import polars as pl

        ids = s["customer_id"]
        ids = ids.to_numpy() if hasattr(ids, "to_numpy") else ids
        return pl.DataFrame({customer_id_col: ids, **cols})
    out = pd.DataFrame(cols, index=pd.Index(s["customer_id"], name=customer_id_col))
    out.attrs["after_observation_end"] = after
    # units travel with the data: a model fitted on these columns stores it
    out.attrs["unit"] = s["unit"]
    return out
