//! # RFM: quantile scores and named segments
//!
//! Scores each customer 1..=`bins` on **R**ecency, **F**requency and
//! **M**onetary value from the per-customer summary (the `lifetimes`
//! definitions of [`crate::summary`]), and maps the scores to named segments
//! with an overridable [`SegmentMap`].
//!
//! ## Dimensions
//!
//! | dimension | value scored | better is |
//! | --- | --- | --- |
//! | R | time since the last purchase, `T − recency` (in the summary's unit) | smaller |
//! | F | `frequency` (repeat purchase periods) | larger |
//! | M | `monetary_value` (mean repeat spend) | larger |
//!
//! Note that the summary's `recency` is the customer's *age at the last
//! purchase*; RFM needs the time *since* the last purchase, hence `T − recency`
//! (computed in `f64`; two customers tie on R when these differences are equal).
//!
//! ## Quantile score and its tie rule
//!
//! For a customer with value `v` in one dimension, with `N` customers in all:
//!
//! ```text
//! score = 1 + floor(bins · L / N)
//! L     = number of customers strictly worse than v
//!         (R: strictly longer time since the last purchase;
//!          F, M: strictly smaller value)
//! ```
//!
//! Consequences: the worst value always scores 1; equal values always share a
//! score (ties are never split across bins); scores lie in `1..=bins` because
//! `L ≤ N − 1`; with no ties each score holds `N / bins` customers (±1). With
//! many ties some scores may be empty (all-equal input scores 1 everywhere).
//! The computation sorts the customers once per dimension and assigns scores by
//! runs of equal values: `O(N log N)`.
//!
//! ## Segments
//!
//! [`SegmentMap::default_map`] is the widely used R×F grid (M is not used by the
//! default map); rules are tried in order and the first match wins. Scores from
//! `bins ≠ 5` are first mapped to the 1..5 scale by `ceil(5 · s / bins)`.
//!
//! ```
//! use clv::rfm::{rfm_scores, rfm_segments, SegmentMap};
//! // time since last purchase T − recency = 10, 8, 1, 0
//! let frequency = [0.0, 1.0, 4.0, 6.0];
//! let recency = [0.0, 2.0, 9.0, 10.0];
//! let t = [10.0, 10.0, 10.0, 10.0];
//! let monetary = [0.0, 12.5, 20.0, 30.0];
//! let scores = rfm_scores(&frequency, &recency, &t, &monetary, 4)?;
//! assert_eq!(scores.codes(), ["111", "222", "333", "444"]);
//! let segments = rfm_segments(&scores, &SegmentMap::default())?;
//! // bins 4 → 5-scale: 1→2, 2→3, 3→4, 4→5
//! assert_eq!(segments, ["Hibernating", "Need Attention", "Loyal", "Champions"]);
//! # Ok::<(), clv::Error>(())
//! ```

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check};

/// Smallest accepted number of bins.
pub const MIN_BINS: u8 = 2;
/// Largest accepted number of bins (one digit per score in the code).
pub const MAX_BINS: u8 = 9;

/// Per-customer R, F and M scores, each in `1..=bins`, in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmScores {
    /// Recency score: higher = more recent last purchase.
    pub r_score: Vec<u8>,
    /// Frequency score: higher = more repeat purchases.
    pub f_score: Vec<u8>,
    /// Monetary score: higher = larger mean repeat spend.
    pub m_score: Vec<u8>,
    /// Number of bins the scores were computed with (2..=9).
    pub bins: u8,
}

impl RfmScores {
    /// The combined code of customer `i`, R then F then M, e.g. `"545"`
    /// (one digit each, as `bins ≤ 9`); `None` if `i` is out of range.
    ///
    /// ```
    /// let s = clv::rfm::RfmScores { r_score: vec![5], f_score: vec![4], m_score: vec![5], bins: 5 };
    /// assert_eq!(s.code(0).as_deref(), Some("545"));
    /// assert_eq!(s.code(1), None);
    /// ```
    pub fn code(&self, i: usize) -> Option<String> {
        let r = self.r_score.get(i)?;
        let f = self.f_score.get(i)?;
        let m = self.m_score.get(i)?;
        Some(format!("{r}{f}{m}"))
    }

    /// The combined codes of all customers, in input order.
    pub fn codes(&self) -> Vec<String> {
        self.r_score
            .iter()
            .zip(&self.f_score)
            .zip(&self.m_score)
            .map(|((r, f), m)| format!("{r}{f}{m}"))
            .collect()
    }

    /// Number of customers scored.
    pub fn len(&self) -> usize {
        self.r_score.len()
    }

    /// `true` when no customer was scored.
    pub fn is_empty(&self) -> bool {
        self.r_score.is_empty()
    }
}

/// Quantile R, F and M scores (see the [module documentation](self) for the
/// definitions and the tie rule `score = 1 + floor(bins · L / N)`).
///
/// Inputs are the summary columns, one element per customer: `frequency`,
/// `recency` (age at the last purchase), `t` (age at the end of observation,
/// the summary's `T`) and `monetary_value`.
///
/// # Errors
///
/// - [`Error::LengthMismatch`] if `recency`, `T` or `monetary_value` differ in
///   length from `frequency`;
/// - [`Error::Empty`] if there are no customers;
/// - [`Error::InvalidValue`] with the field and the 0-based index for a value
///   that is NaN, infinite or negative, for `recency[i] > T[i]`, and for
///   `bins` outside `2..=9`.
///
/// # Example
///
/// ```
/// // frequency 0, 1, 1, 2: L = 0, 1, 1, 3 → 1 + floor(2·L/4) = 1, 1, 1, 2
/// let s = clv::rfm::rfm_scores(&[0.0, 1.0, 1.0, 2.0], &[0.0; 4], &[5.0; 4], &[1.0; 4], 2)?;
/// assert_eq!(s.f_score, [1, 1, 1, 2]);
/// assert_eq!(s.r_score, [1, 1, 1, 1]); // everybody ties on R and on M
/// # Ok::<(), clv::Error>(())
/// ```
pub fn rfm_scores(
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    monetary_value: &[f64],
    bins: u8,
) -> Result<RfmScores> {
    check_bins(bins)?;
    let n = frequency.len();
    check::same_len("recency", recency.len(), "frequency", n)?;
    check::same_len("T", t.len(), "frequency", n)?;
    check::same_len("monetary_value", monetary_value.len(), "frequency", n)?;
    if n == 0 {
        return Err(Error::Empty {
            field: "frequency".to_string(),
            reason: "RFM scores need at least one customer".to_string(),
        });
    }
    check::all_non_negative("frequency", frequency)?;
    check::all_non_negative("recency", recency)?;
    check::all_non_negative("T", t)?;
    check::all_non_negative("monetary_value", monetary_value)?;
    if let Some(i) = (0..n).find(|&i| recency[i] > t[i]) {
        return Err(Error::invalid_at(
            "recency",
            i,
            recency[i],
            format!("a number <= T[{i}] = {}", t[i]),
        ));
    }

    // Time since the last purchase; smaller is better, so score its negation
    // with "larger is better" (negation is exact and keeps ties).
    let neg_since: Vec<f64> = t.iter().zip(recency).map(|(t, r)| -(t - r)).collect();
    Ok(RfmScores {
        r_score: quantile_scores(&neg_since, bins),
        f_score: quantile_scores(frequency, bins),
        m_score: quantile_scores(monetary_value, bins),
        bins,
    })
}

fn check_bins(bins: u8) -> Result<()> {
    if (MIN_BINS..=MAX_BINS).contains(&bins) {
        Ok(())
    } else {
        Err(Error::invalid(
            "bins",
            bins,
            format!("an integer in {MIN_BINS}..={MAX_BINS}"),
        ))
    }
}

/// `1 + floor(bins · L / N)` with `L` = number of strictly smaller values
/// ("larger is better"). `values` are finite (validated by the caller) and
/// non-empty; equality is numeric, so `-0.0 == 0.0`.
fn quantile_scores(values: &[f64], bins: u8) -> Vec<u8> {
    let n = values.len();
    let cmp = |a: &usize, b: &usize| {
        values[*a]
            .partial_cmp(&values[*b])
            .unwrap_or(Ordering::Equal)
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(cmp);
    let mut scores = vec![1u8; n];
    let mut start = 0;
    while start < n {
        let v = values[order[start]];
        let mut end = start + 1;
        while end < n && values[order[end]] == v {
            end += 1;
        }
        // L = start customers are strictly smaller. bins·L ≤ 9·N fits in u128
        // without overflow for any slice length; the result is ≤ bins − 1.
        let score = 1 + (u128::from(bins) * start as u128 / n as u128) as u8;
        for &i in &order[start..end] {
            scores[i] = score;
        }
        start = end;
    }
    scores
}

/// The segment names of the default map, in map order.
pub const SEGMENT_NAMES: [&str; 11] = [
    "Champions",
    "Loyal",
    "Potential Loyalist",
    "New",
    "Promising",
    "Need Attention",
    "About to Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
    "Lost",
];

fn full_range() -> (u8, u8) {
    (1, 5)
}

/// One rule of a [`SegmentMap`]: a name and inclusive score ranges on the
/// 1..5 scale.
///
/// JSON form: `{"name":"Champions","r":[5,5],"f":[4,5],"m":[1,5]}`; an omitted
/// range means the full `[1,5]`, unknown keys are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    /// Segment name (non-empty).
    pub name: String,
    /// Inclusive R score range `(lo, hi)`, `1 ≤ lo ≤ hi ≤ 5`.
    #[serde(default = "full_range")]
    pub r: (u8, u8),
    /// Inclusive F score range `(lo, hi)`, `1 ≤ lo ≤ hi ≤ 5`.
    #[serde(default = "full_range")]
    pub f: (u8, u8),
    /// Inclusive M score range `(lo, hi)`, `1 ≤ lo ≤ hi ≤ 5`.
    #[serde(default = "full_range")]
    pub m: (u8, u8),
}

impl SegmentRule {
    /// A rule named `name` matching the given inclusive ranges (unvalidated;
    /// [`SegmentMap::new`] validates).
    pub fn new(name: impl Into<String>, r: (u8, u8), f: (u8, u8), m: (u8, u8)) -> Self {
        SegmentRule {
            name: name.into(),
            r,
            f,
            m,
        }
    }

    /// Whether the 1..5-scale scores `(r, f, m)` fall in this rule's ranges.
    pub fn matches(&self, r: u8, f: u8, m: u8) -> bool {
        let within = |(lo, hi): (u8, u8), s: u8| lo <= s && s <= hi;
        within(self.r, r) && within(self.f, f) && within(self.m, m)
    }
}

/// An ordered list of [`SegmentRule`]s; the first rule that matches wins.
///
/// Every map is validated to assign a segment to each of the 125 cells
/// `(r, f, m) ∈ 1..=5³`.
///
/// ## Default map (R×F grid; M not used)
///
/// | rule | R | F | segment |
/// | --- | --- | --- | --- |
/// | 1 | 5 | 4–5 | Champions |
/// | 2 | 3–4 | 4–5 | Loyal |
/// | 3 | 4–5 | 2–3 | Potential Loyalist |
/// | 4 | 5 | 1 | New |
/// | 5 | 4 | 1 | Promising |
/// | 6 | 3 | 3 | Need Attention |
/// | 7 | 3 | 1–2 | About to Sleep |
/// | 8 | 1–2 | 3–4 | At Risk |
/// | 9 | 1–2 | 5 | Can't Lose Them |
/// | 10 | 2 | 1–2 | Hibernating |
/// | 11 | 1 | 1–2 | Lost |
///
/// As a grid (rows F 5..1, columns R 1..5); each of the 25 cells is covered by
/// exactly one rule:
///
/// ```text
///        R=1              R=2              R=3             R=4                 R=5
/// F=5  Can't Lose Them  Can't Lose Them  Loyal           Loyal               Champions
/// F=4  At Risk          At Risk          Loyal           Loyal               Champions
/// F=3  At Risk          At Risk          Need Attention  Potential Loyalist  Potential Loyalist
/// F=2  Lost             Hibernating      About to Sleep  Potential Loyalist  Potential Loyalist
/// F=1  Lost             Hibernating      About to Sleep  Promising           New
/// ```
///
/// Serialised as the JSON array of its rules (see [`SegmentMap::to_json`]);
/// deserialising validates like [`SegmentMap::new`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Vec<SegmentRule>")]
pub struct SegmentMap {
    rules: Vec<SegmentRule>,
}

impl Serialize for SegmentMap {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.rules.serialize(serializer)
    }
}

impl TryFrom<Vec<SegmentRule>> for SegmentMap {
    type Error = Error;
    fn try_from(rules: Vec<SegmentRule>) -> Result<Self> {
        SegmentMap::new(rules)
    }
}

impl Default for SegmentMap {
    /// [`SegmentMap::default_map`].
    fn default() -> Self {
        SegmentMap::default_map()
    }
}

impl SegmentMap {
    /// A validated map from `rules`, tried in order.
    ///
    /// # Errors
    ///
    /// - [`Error::Empty`] for no rules;
    /// - [`Error::InvalidValue`] (field `name`, `r`, `f` or `m`, with the rule's
    ///   0-based index) for an empty name or a range outside `1..=5` or with
    ///   `lo > hi`;
    /// - [`Error::InvalidValue`] (field `rules`) naming the first `(r, f, m)`
    ///   cell, in lexicographic order, that no rule matches.
    ///
    /// ```
    /// use clv::rfm::{SegmentMap, SegmentRule};
    /// let map = SegmentMap::new(vec![
    ///     SegmentRule::new("Best", (5, 5), (5, 5), (1, 5)),
    ///     SegmentRule::new("Rest", (1, 5), (1, 5), (1, 5)),
    /// ])?;
    /// assert_eq!(map.segment(5, 5, 1, 5)?, "Best");
    /// assert_eq!(map.segment(5, 4, 1, 5)?, "Rest");
    /// let gap = SegmentMap::new(vec![SegmentRule::new("Best", (5, 5), (1, 5), (1, 5))]);
    /// assert!(gap.unwrap_err().to_string().contains("(1, 1, 1)"));
    /// # Ok::<(), clv::Error>(())
    /// ```
    pub fn new(rules: Vec<SegmentRule>) -> Result<Self> {
        if rules.is_empty() {
            return Err(Error::Empty {
                field: "rules".to_string(),
                reason: "a segment map needs at least one rule".to_string(),
            });
        }
        for (i, rule) in rules.iter().enumerate() {
            if rule.name.trim().is_empty() {
                return Err(Error::invalid_at(
                    "name",
                    i,
                    format!("{:?}", rule.name),
                    "a non-empty segment name",
                ));
            }
            for (field, (lo, hi)) in [("r", rule.r), ("f", rule.f), ("m", rule.m)] {
                if !(1 <= lo && lo <= hi && hi <= 5) {
                    return Err(Error::invalid_at(
                        field,
                        i,
                        format!("[{lo}, {hi}]"),
                        "an inclusive range [lo, hi] with 1 <= lo <= hi <= 5",
                    ));
                }
            }
        }
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    if !rules.iter().any(|rule| rule.matches(r, f, m)) {
                        return Err(Error::invalid(
                            "rules",
                            format!("no rule matches (r, f, m) = ({r}, {f}, {m})"),
                            "rules that together cover every (r, f, m) cell in 1..=5",
                        ));
                    }
                }
            }
        }
        Ok(SegmentMap { rules })
    }

    /// The default R×F map (the table in the [type documentation](SegmentMap)).
    pub fn default_map() -> Self {
        let any = (1, 5);
        let rule = |name: &str, r: (u8, u8), f: (u8, u8)| SegmentRule::new(name, r, f, any);
        SegmentMap {
            rules: vec![
                rule("Champions", (5, 5), (4, 5)),
                rule("Loyal", (3, 4), (4, 5)),
                rule("Potential Loyalist", (4, 5), (2, 3)),
                rule("New", (5, 5), (1, 1)),
                rule("Promising", (4, 4), (1, 1)),
                rule("Need Attention", (3, 3), (3, 3)),
                rule("About to Sleep", (3, 3), (1, 2)),
                rule("At Risk", (1, 2), (3, 4)),
                rule("Can't Lose Them", (1, 2), (5, 5)),
                rule("Hibernating", (2, 2), (1, 2)),
                rule("Lost", (1, 1), (1, 2)),
            ],
        }
    }

    /// The rules, in the order they are tried.
    pub fn rules(&self) -> &[SegmentRule] {
        &self.rules
    }

    /// The segment of scores `(r, f, m)` computed with `bins` bins.
    ///
    /// Each score `s` is mapped to the 1..5 scale by `ceil(5 · s / bins)`
    /// (identity for `bins = 5`; for `bins = 3`: 1→2, 2→4, 3→5), then the first
    /// matching rule gives the name.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] for `bins` outside `2..=9` or a score outside
    /// `1..=bins` (field `r_score`, `f_score` or `m_score`).
    ///
    /// ```
    /// let map = clv::rfm::SegmentMap::default();
    /// assert_eq!(map.segment(5, 5, 5, 5)?, "Champions");
    /// assert_eq!(map.segment(1, 1, 3, 5)?, "Lost");
    /// assert_eq!(map.segment(9, 8, 1, 9)?, "Champions"); // 9→5, 8→ceil(40/9)=5
    /// # Ok::<(), clv::Error>(())
    /// ```
    pub fn segment(&self, r: u8, f: u8, m: u8, bins: u8) -> Result<&str> {
        check_bins(bins)?;
        let r5 = to_scale5("r_score", r, bins)?;
        let f5 = to_scale5("f_score", f, bins)?;
        let m5 = to_scale5("m_score", m, bins)?;
        self.lookup(r5, f5, m5)
    }

    /// First matching rule for validated 1..5 scores. Validation in `new`
    /// guarantees a match; the error path only guards against a logic bug.
    fn lookup(&self, r: u8, f: u8, m: u8) -> Result<&str> {
        self.rules
            .iter()
            .find(|rule| rule.matches(r, f, m))
            .map(|rule| rule.name.as_str())
            .ok_or_else(|| {
                Error::invalid(
                    "rules",
                    format!("no rule matches (r, f, m) = ({r}, {f}, {m})"),
                    "rules that together cover every (r, f, m) cell in 1..=5",
                )
            })
    }

    /// Parse a map from its JSON form, an array of rules:
    /// `[{"name":"Champions","r":[5,5],"f":[4,5],"m":[1,5]}, ...]`
    /// (an omitted range is the full `[1,5]`), and validate it as
    /// [`SegmentMap::new`] does.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] for text that is not such an array; the errors of
    /// [`SegmentMap::new`] for rules that do not form a valid map.
    ///
    /// ```
    /// let map = clv::rfm::SegmentMap::from_json(
    ///     r#"[{"name":"Recent","r":[4,5]},{"name":"Other"}]"#,
    /// )?;
    /// assert_eq!(map.segment(4, 1, 1, 5)?, "Recent");
    /// assert_eq!(map.segment(3, 5, 5, 5)?, "Other");
    /// # Ok::<(), clv::Error>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        let rules: Vec<SegmentRule> = serde_json::from_str(text).map_err(|e| Error::Format {
            what: "segment map JSON".to_string(),
            message: e.to_string(),
        })?;
        SegmentMap::new(rules)
    }

    /// The JSON form read by [`SegmentMap::from_json`], every range written out.
    ///
    /// ```
    /// let json = clv::rfm::SegmentMap::default().to_json();
    /// assert!(json.starts_with(r#"[{"name":"Champions","r":[5,5],"f":[4,5],"m":[1,5]},"#));
    /// ```
    pub fn to_json(&self) -> String {
        // Written by hand so that the keys keep the documented order
        // (name, r, f, m); the name is escaped by serde_json.
        let rules: Vec<String> = self
            .rules
            .iter()
            .map(|rule| {
                format!(
                    r#"{{"name":{},"r":[{},{}],"f":[{},{}],"m":[{},{}]}}"#,
                    serde_json::Value::String(rule.name.clone()),
                    rule.r.0,
                    rule.r.1,
                    rule.f.0,
                    rule.f.1,
                    rule.m.0,
                    rule.m.1
                )
            })
            .collect();
        format!("[{}]", rules.join(","))
    }

    /// Distinct segment names in the order of their first rule.
    pub fn segment_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for rule in &self.rules {
            if !names.contains(&rule.name.as_str()) {
                names.push(&rule.name);
            }
        }
        names
    }
}

/// `ceil(5 · s / bins)`, after checking `1 ≤ s ≤ bins`.
fn to_scale5(field: &str, s: u8, bins: u8) -> Result<u8> {
    if !(1..=bins).contains(&s) {
        return Err(Error::invalid(field, s, format!("a score in 1..={bins}")));
    }
    let (s, b) = (u16::from(s), u16::from(bins));
    // 1 ≤ s ≤ bins ⇒ 1 ≤ ceil(5s/bins) ≤ 5, so the cast is lossless.
    Ok(((5 * s).div_ceil(b)) as u8)
}

/// The segment name of every customer, in input order (see
/// [`SegmentMap::segment`] for the mapping of `bins ≠ 5` scores).
///
/// # Errors
///
/// [`Error::LengthMismatch`] if the three score vectors differ in length;
/// [`Error::InvalidValue`] (with the index) for `bins` outside `2..=9` or a
/// score outside `1..=bins` — possible only for hand-built [`RfmScores`].
///
/// ```
/// use clv::rfm::{rfm_segments, RfmScores, SegmentMap};
/// let s = RfmScores { r_score: vec![5, 1, 3], f_score: vec![5, 5, 3], m_score: vec![1, 1, 1], bins: 5 };
/// assert_eq!(
///     rfm_segments(&s, &SegmentMap::default())?,
///     ["Champions", "Can't Lose Them", "Need Attention"]
/// );
/// # Ok::<(), clv::Error>(())
/// ```
pub fn rfm_segments(scores: &RfmScores, map: &SegmentMap) -> Result<Vec<String>> {
    let n = scores.r_score.len();
    check::same_len("f_score", scores.f_score.len(), "r_score", n)?;
    check::same_len("m_score", scores.m_score.len(), "r_score", n)?;
    check_bins(scores.bins)?;
    let bins = scores.bins;
    (0..n)
        .map(|i| {
            let at = |field: &str, s: u8| {
                to_scale5(field, s, bins)
                    .map_err(|_| Error::invalid_at(field, i, s, format!("a score in 1..={bins}")))
            };
            let r = at("r_score", scores.r_score[i])?;
            let f = at("f_score", scores.f_score[i])?;
            let m = at("m_score", scores.m_score[i])?;
            map.lookup(r, f, m).map(str::to_string)
        })
        .collect()
}

/// One row of a segment table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentCount {
    /// Segment name.
    pub segment: String,
    /// Number of customers in the segment.
    pub customers: usize,
    /// `customers / total customers` (0 when there are no customers).
    pub share: f64,
}

/// Customers per segment: one row per distinct segment name of `map`, in map
/// order, including segments with no customers; names in `segments` that the
/// map does not contain are not dropped but appended after the map's names,
/// in order of first appearance. Shares sum to 1 (or are all 0 for no
/// customers).
///
/// ```
/// use clv::rfm::{segment_table, SegmentMap};
/// let table = segment_table(&["Lost", "Champions", "Lost", "Lost"], &SegmentMap::default());
/// assert_eq!(table.len(), 11);
/// assert_eq!((table[0].segment.as_str(), table[0].customers, table[0].share), ("Champions", 1, 0.25));
/// assert_eq!((table[10].segment.as_str(), table[10].customers, table[10].share), ("Lost", 3, 0.75));
/// assert_eq!(table[1].customers, 0);
/// ```
pub fn segment_table(segments: &[impl AsRef<str>], map: &SegmentMap) -> Vec<SegmentCount> {
    let mut names: Vec<String> = map
        .segment_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut position: HashMap<String, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i))
        .collect();
    let mut counts = vec![0usize; names.len()];
    for s in segments {
        let s = s.as_ref();
        let k = match position.get(s) {
            Some(&k) => k,
            None => {
                names.push(s.to_string());
                counts.push(0);
                position.insert(s.to_string(), names.len() - 1);
                names.len() - 1
            }
        };
        counts[k] += 1;
    }
    let total = segments.len();
    names
        .into_iter()
        .zip(counts)
        .map(|(segment, customers)| SegmentCount {
            segment,
            customers,
            share: if total == 0 {
                0.0
            } else {
                customers as f64 / total as f64
            },
        })
        .collect()
}

/// The mean of `values` per segment, one per row of [`segment_table`] (same
/// order); NaN for a segment without customers. With a model's P(alive) or
/// CLV it shows whether the segments agree with the model.
///
/// # Errors
/// [`Error::LengthMismatch`] when `values` and `segments` differ in length.
///
/// ```
/// use clv::rfm::{segment_means, SegmentMap};
/// let means = segment_means(&["Lost", "Champions", "Lost"], &SegmentMap::default(), &[0.2, 0.9, 0.4])?;
/// assert_eq!(means.len(), 11);
/// assert_eq!(means[0], 0.9); // Champions
/// assert!((means[10] - 0.3).abs() < 1e-12); // Lost
/// assert!(means[1].is_nan()); // Loyal: nobody
/// # Ok::<(), clv::Error>(())
/// ```
pub fn segment_means(
    segments: &[impl AsRef<str>],
    map: &SegmentMap,
    values: &[f64],
) -> Result<Vec<f64>> {
    crate::error::check::same_len("values", values.len(), "segments", segments.len())?;
    let table = segment_table(segments, map);
    let position: HashMap<&str, usize> = table
        .iter()
        .enumerate()
        .map(|(k, row)| (row.segment.as_str(), k))
        .collect();
    let mut sums = vec![0.0; table.len()];
    for (s, v) in segments.iter().zip(values) {
        sums[position[s.as_ref()]] += v;
    }
    Ok(sums
        .iter()
        .zip(&table)
        .map(|(sum, row)| {
            if row.customers == 0 {
                f64::NAN
            } else {
                sum / row.customers as f64
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores5(f: &[f64], r: &[f64], t: &[f64], m: &[f64]) -> RfmScores {
        rfm_scores(f, r, t, m, 5).unwrap()
    }

    #[test]
    fn hand_computed_scores_with_ties() {
        // N = 6, bins = 5, score = 1 + floor(5·L/6).
        let frequency = [0.0, 1.0, 1.0, 3.0, 5.0, 2.0];
        let recency = [0.0, 2.0, 9.0, 9.0, 10.0, 4.0];
        let t = [10.0; 6];
        let monetary = [0.0, 10.0, 20.0, 20.0, 20.0, 15.0];
        let s = scores5(&frequency, &recency, &t, &monetary);
        // F sorted: 0 | 1 1 | 2 | 3 | 5
        //   0: L=0 → 1;  1: L=1 → 1+floor(5/6)=1;  2: L=3 → 1+floor(15/6)=3;
        //   3: L=4 → 1+floor(20/6)=4;  5: L=5 → 1+floor(25/6)=5
        assert_eq!(s.f_score, [1, 1, 1, 4, 5, 3]);
        // time since last purchase T − recency = 10, 8, 1, 1, 0, 6 (larger is worse)
        //   10: L=0 → 1;  8: L=1 → 1;  6: L=2 → 1+floor(10/6)=2;
        //   1 (tie): L=3 → 3;  0: L=5 → 5
        assert_eq!(s.r_score, [1, 1, 3, 3, 5, 2]);
        // M sorted: 0 | 10 | 15 | 20 20 20
        //   0: L=0 → 1;  10: L=1 → 1;  15: L=2 → 2;  20: L=3 → 1+floor(15/6)=3
        assert_eq!(s.m_score, [1, 1, 3, 3, 3, 2]);
        assert_eq!(s.codes(), ["111", "111", "313", "343", "553", "232"]);
        assert_eq!(s.code(4).as_deref(), Some("553"));
        assert_eq!(s.code(6), None);
        assert_eq!(s.len(), 6);
        assert!(!s.is_empty());
        assert_eq!(s.bins, 5);
    }

    #[test]
    fn all_equal_input_scores_one() {
        let s = rfm_scores(&[2.0; 7], &[3.0; 7], &[8.0; 7], &[4.5; 7], 5).unwrap();
        assert!(
            s.r_score
                .iter()
                .chain(&s.f_score)
                .chain(&s.m_score)
                .all(|&x| x == 1)
        );
    }

    #[test]
    fn single_customer_scores_one() {
        let s = rfm_scores(&[3.0], &[1.0], &[2.0], &[9.0], 9).unwrap();
        assert_eq!(s.codes(), ["111"]);
    }

    #[test]
    fn no_ties_give_equal_bins() {
        // N = 10, bins = 5: L = i → 1 + floor(5i/10) = 1 + floor(i/2)
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        let s = rfm_scores(&v, &[0.0; 10], &[20.0; 10], &v, 5).unwrap();
        assert_eq!(s.f_score, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(s.m_score, s.f_score);
        // input order does not matter
        let rev: Vec<f64> = v.iter().rev().copied().collect();
        let s = rfm_scores(&rev, &[0.0; 10], &[20.0; 10], &rev, 5).unwrap();
        assert_eq!(s.f_score, [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    }

    #[test]
    fn bins_three_and_nine() {
        // bins 3, N = 6, no ties: 1 + floor(3L/6) = 1,1,2,2,3,3
        let v = [5.0, 0.0, 3.0, 1.0, 4.0, 2.0];
        let s = rfm_scores(&v, &[0.0; 6], &[1.0; 6], &v, 3).unwrap();
        assert_eq!(s.f_score, [3, 1, 2, 1, 3, 2]);
        // recency = age at last purchase; time since = 6 − v = 1,6,3,5,2,4
        // L (strictly longer time since) = 5,0,3,1,4,2 → same scores as F
        let s = rfm_scores(&v, &v, &[6.0; 6], &v, 3).unwrap();
        assert_eq!(s.r_score, [3, 1, 2, 1, 3, 2]);
        // bins 9, N = 9 distinct: each score once
        let v: Vec<f64> = (0..9).map(|i| f64::from(i) * 1.5).collect();
        let s = rfm_scores(&v, &[0.0; 9], &[1.0; 9], &v, 9).unwrap();
        assert_eq!(s.f_score, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        // bins 9, N = 4: 1 + floor(9L/4) for L = 0..3 → 1, 3, 5, 7
        let s = rfm_scores(&[0.0, 1.0, 2.0, 3.0], &[0.0; 4], &[1.0; 4], &[0.0; 4], 9).unwrap();
        assert_eq!(s.f_score, [1, 3, 5, 7]);
        // bins 9, N = 5 with a tie at the top: 0,1,2,2,3 → L = 0,1,2,2,4
        // → 1+floor(0)=1, 1+floor(9/5)=2, 1+floor(18/5)=4, 4, 1+floor(36/5)=8
        let s = rfm_scores(
            &[0.0, 1.0, 2.0, 2.0, 3.0],
            &[0.0; 5],
            &[1.0; 5],
            &[0.0; 5],
            9,
        )
        .unwrap();
        assert_eq!(s.f_score, [1, 2, 4, 4, 8]);
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        let s = rfm_scores(&[0.0, -0.0, 1.0], &[0.0; 3], &[1.0; 3], &[0.0; 3], 3).unwrap();
        // 0 and −0 tie: L = 0, 0, 2 → 1, 1, 1 + floor(6/3) = 3
        assert_eq!(s.f_score, [1, 1, 3]);
    }

    #[test]
    fn errors() {
        let ok = [1.0, 2.0];
        let e = rfm_scores(&ok, &[1.0], &ok, &ok, 5).unwrap_err();
        assert_eq!(
            e,
            Error::LengthMismatch {
                field: "recency".into(),
                actual: 1,
                reference: "frequency".into(),
                expected: 2
            }
        );
        let e = rfm_scores(&ok, &ok, &[1.0, 2.0, 3.0], &ok, 5).unwrap_err();
        assert_eq!(e.field(), Some("T"));
        let e = rfm_scores(&ok, &ok, &ok, &[], 5).unwrap_err();
        assert_eq!(e.field(), Some("monetary_value"));
        let e = rfm_scores(&[], &[], &[], &[], 5).unwrap_err();
        assert_eq!(e.code(), "EMPTY_INPUT");
        let e = rfm_scores(&[1.0, f64::NAN], &ok, &ok, &ok, 5).unwrap_err();
        assert_eq!(
            e,
            Error::invalid_at("frequency", 1, f64::NAN, "a finite number >= 0")
        );
        let e = rfm_scores(&ok, &[-1.0, 0.0], &ok, &ok, 5).unwrap_err();
        assert_eq!(
            e,
            Error::invalid_at("recency", 0, -1.0, "a finite number >= 0")
        );
        let e = rfm_scores(&ok, &ok, &[1.0, f64::INFINITY], &ok, 5).unwrap_err();
        assert_eq!(e.field(), Some("T"));
        let e = rfm_scores(&ok, &ok, &ok, &[0.0, -3.0], 5).unwrap_err();
        assert_eq!(
            e,
            Error::invalid_at("monetary_value", 1, -3.0, "a finite number >= 0")
        );
        let e = rfm_scores(&ok, &[1.0, 2.5], &ok, &ok, 5).unwrap_err();
        assert_eq!(
            e,
            Error::invalid_at("recency", 1, 2.5, "a number <= T[1] = 2")
        );
        assert_eq!(
            e.to_string(),
            "invalid recency[1]: 2.5 (expected a number <= T[1] = 2)"
        );
        for bins in [0, 1, 10, 255] {
            let e = rfm_scores(&ok, &ok, &ok, &ok, bins).unwrap_err();
            assert_eq!(e, Error::invalid("bins", bins, "an integer in 2..=9"));
        }
    }

    proptest::proptest! {
        /// Invariants of `1 + floor(bins·L/N)`: range, ties, monotonicity,
        /// the worst value scores 1, and equal bins (±1) without ties.
        #[test]
        fn score_invariants(
            values in proptest::collection::vec(0u8..20, 1..60),
            bins in 2u8..=9,
        ) {
            let v: Vec<f64> = values.iter().map(|&x| f64::from(x)).collect();
            let n = v.len();
            let s = rfm_scores(&v, &vec![0.0; n], &vec![0.0; n], &v, bins).unwrap();
            let worst = v.iter().cloned().fold(f64::INFINITY, f64::min);
            for i in 0..n {
                proptest::prop_assert!((1..=bins).contains(&s.f_score[i]));
                // L counted directly
                let l = v.iter().filter(|&&x| x < v[i]).count();
                proptest::prop_assert_eq!(usize::from(s.f_score[i]), 1 + bins as usize * l / n);
                if v[i] == worst {
                    proptest::prop_assert_eq!(s.f_score[i], 1);
                }
                for j in 0..n {
                    if v[i] == v[j] {
                        proptest::prop_assert_eq!(s.f_score[i], s.f_score[j]);
                    }
                    if v[i] < v[j] {
                        proptest::prop_assert!(s.f_score[i] <= s.f_score[j]);
                    }
                }
            }
            proptest::prop_assert_eq!(&s.m_score, &s.f_score);
            // all T − recency are 0: one tie group
            proptest::prop_assert!(s.r_score.iter().all(|&x| x == 1));
            // distinct values 0..n: each score holds floor(N/bins) or ceil(N/bins)
            let distinct: Vec<f64> = (0..n).rev().map(|x| x as f64).collect();
            let s = rfm_scores(&distinct, &vec![0.0; n], &vec![0.0; n], &distinct, bins).unwrap();
            for score in 1..=bins {
                let count = s.f_score.iter().filter(|&&x| x == score).count();
                proptest::prop_assert!(count == n / bins as usize || count == n.div_ceil(bins as usize));
            }
        }
    }

    #[test]
    fn default_map_covers_each_rf_cell_exactly_once() {
        let map = SegmentMap::default_map();
        let names: Vec<&str> = map.rules().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, SEGMENT_NAMES);
        for r in 1..=5 {
            for f in 1..=5 {
                let hits = map
                    .rules()
                    .iter()
                    .filter(|rule| rule.r.0 <= r && r <= rule.r.1 && rule.f.0 <= f && f <= rule.f.1)
                    .count();
                assert_eq!(hits, 1, "cell R{r} F{f}");
            }
        }
        assert!(map.rules().iter().all(|rule| rule.m == (1, 5)));
        // the default map passes its own validation
        assert_eq!(SegmentMap::new(map.rules().to_vec()).unwrap(), map);
        assert_eq!(SegmentMap::default(), map);
    }

    #[test]
    fn default_map_grid() {
        let map = SegmentMap::default();
        let seg = |r, f| map.segment(r, f, 3, 5).unwrap();
        assert_eq!(seg(5, 5), "Champions");
        assert_eq!(seg(5, 4), "Champions");
        assert_eq!(seg(4, 5), "Loyal");
        assert_eq!(seg(3, 4), "Loyal");
        assert_eq!(seg(5, 2), "Potential Loyalist");
        assert_eq!(seg(4, 3), "Potential Loyalist");
        assert_eq!(seg(5, 1), "New");
        assert_eq!(seg(4, 1), "Promising");
        assert_eq!(seg(3, 3), "Need Attention");
        assert_eq!(seg(3, 1), "About to Sleep");
        assert_eq!(seg(2, 3), "At Risk");
        assert_eq!(seg(1, 4), "At Risk");
        assert_eq!(seg(1, 5), "Can't Lose Them");
        assert_eq!(seg(2, 2), "Hibernating");
        assert_eq!(seg(1, 1), "Lost");
    }

    #[test]
    fn rescaling_of_other_bins() {
        // ceil(5s/3): 1→2, 2→4, 3→5
        assert_eq!(to_scale5("r", 1, 3).unwrap(), 2);
        assert_eq!(to_scale5("r", 2, 3).unwrap(), 4);
        assert_eq!(to_scale5("r", 3, 3).unwrap(), 5);
        // ceil(5s/9) for s = 1..9: 5/9→1, 10/9→2, 15/9→2, 20/9→3, 25/9→3,
        // 30/9→4, 35/9→4, 40/9→5, 45/9=5
        let v: Vec<u8> = (1..=9).map(|s| to_scale5("r", s, 9).unwrap()).collect();
        assert_eq!(v, [1, 2, 2, 3, 3, 4, 4, 5, 5]);
        let map = SegmentMap::default();
        // bins 3: (r, f) = (1, 1) → (2, 2) Hibernating; (3, 2) → (5, 4) Champions
        assert_eq!(map.segment(1, 1, 1, 3).unwrap(), "Hibernating");
        assert_eq!(map.segment(3, 2, 1, 3).unwrap(), "Champions");
        // bins 9: (1, 1) → (1, 1) Lost
        assert_eq!(map.segment(1, 1, 1, 9).unwrap(), "Lost");
    }

    #[test]
    fn segment_errors() {
        let map = SegmentMap::default();
        assert_eq!(
            map.segment(0, 1, 1, 5).unwrap_err(),
            Error::invalid("r_score", 0, "a score in 1..=5")
        );
        assert_eq!(
            map.segment(1, 4, 1, 3).unwrap_err().field(),
            Some("f_score")
        );
        assert_eq!(
            map.segment(1, 1, 6, 5).unwrap_err().field(),
            Some("m_score")
        );
        assert_eq!(map.segment(1, 1, 1, 1).unwrap_err().field(), Some("bins"));
        let bad = RfmScores {
            r_score: vec![1, 2],
            f_score: vec![1, 7],
            m_score: vec![1, 1],
            bins: 5,
        };
        assert_eq!(
            rfm_segments(&bad, &map).unwrap_err(),
            Error::invalid_at("f_score", 1, 7, "a score in 1..=5")
        );
        let short = RfmScores {
            r_score: vec![1, 2],
            f_score: vec![1],
            m_score: vec![1, 1],
            bins: 5,
        };
        assert_eq!(
            rfm_segments(&short, &map).unwrap_err().field(),
            Some("f_score")
        );
    }

    #[test]
    fn segments_of_scored_customers() {
        let frequency = [0.0, 1.0, 1.0, 3.0, 5.0, 2.0];
        let recency = [0.0, 2.0, 9.0, 9.0, 10.0, 4.0];
        let monetary = [0.0, 10.0, 20.0, 20.0, 20.0, 15.0];
        let s = scores5(&frequency, &recency, &[10.0; 6], &monetary);
        // codes 111, 111, 313, 343, 553, 232 (see hand_computed_scores_with_ties)
        let seg = rfm_segments(&s, &SegmentMap::default()).unwrap();
        assert_eq!(
            seg,
            [
                "Lost",
                "Lost",
                "About to Sleep",
                "Loyal",
                "Champions",
                "At Risk"
            ]
        );
        let table = segment_table(&seg, &SegmentMap::default());
        let got: Vec<(&str, usize)> = table
            .iter()
            .map(|c| (c.segment.as_str(), c.customers))
            .collect();
        assert_eq!(
            got,
            [
                ("Champions", 1),
                ("Loyal", 1),
                ("Potential Loyalist", 0),
                ("New", 0),
                ("Promising", 0),
                ("Need Attention", 0),
                ("About to Sleep", 1),
                ("At Risk", 1),
                ("Can't Lose Them", 0),
                ("Hibernating", 0),
                ("Lost", 2),
            ]
        );
        assert_eq!(table[10].share, 2.0 / 6.0);
        let total: f64 = table.iter().map(|c| c.share).sum();
        assert!((total - 1.0).abs() < 1e-15);
    }

    #[test]
    fn segment_table_edge_cases() {
        let map = SegmentMap::default();
        let empty: [&str; 0] = [];
        let t = segment_table(&empty, &map);
        assert_eq!(t.len(), 11);
        assert!(t.iter().all(|c| c.customers == 0 && c.share == 0.0));
        // names outside the map are kept, after the map's names
        let t = segment_table(&["Other".to_string(), "Lost".to_string()], &map);
        assert_eq!(t.len(), 12);
        assert_eq!(
            (t[11].segment.as_str(), t[11].customers, t[11].share),
            ("Other", 1, 0.5)
        );
        // a name used by two rules is listed once
        let map = SegmentMap::new(vec![
            SegmentRule::new("A", (5, 5), (1, 5), (1, 5)),
            SegmentRule::new("B", (3, 4), (1, 5), (1, 5)),
            SegmentRule::new("A", (1, 2), (1, 5), (1, 5)),
        ])
        .unwrap();
        assert_eq!(map.segment_names(), ["A", "B"]);
        let t = segment_table(&["A", "A", "B"], &map);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].customers, 2);
    }

    #[test]
    fn custom_map_overrides_default() {
        // M-aware override: big spenders first, then the default grid.
        let mut rules = vec![SegmentRule::new("Whales", (1, 5), (1, 5), (5, 5))];
        rules.extend(SegmentMap::default().rules().iter().cloned());
        let map = SegmentMap::new(rules).unwrap();
        assert_eq!(map.segment(1, 1, 5, 5).unwrap(), "Whales");
        assert_eq!(map.segment(1, 1, 4, 5).unwrap(), "Lost");
        let s = RfmScores {
            r_score: vec![5, 5],
            f_score: vec![5, 5],
            m_score: vec![5, 4],
            bins: 5,
        };
        assert_eq!(rfm_segments(&s, &map).unwrap(), ["Whales", "Champions"]);
        let table = segment_table(&rfm_segments(&s, &map).unwrap(), &map);
        assert_eq!(table[0].segment, "Whales");
        assert_eq!(table.len(), 12);
    }

    #[test]
    fn map_validation_errors() {
        let all = (1, 5);
        assert_eq!(SegmentMap::new(vec![]).unwrap_err().code(), "EMPTY_INPUT");
        let e = SegmentMap::new(vec![SegmentRule::new(" ", all, all, all)]).unwrap_err();
        assert_eq!(
            e,
            Error::invalid_at("name", 0, "\" \"", "a non-empty segment name")
        );
        let expected = "an inclusive range [lo, hi] with 1 <= lo <= hi <= 5";
        let e = SegmentMap::new(vec![
            SegmentRule::new("A", all, all, all),
            SegmentRule::new("B", (0, 2), all, all),
        ])
        .unwrap_err();
        assert_eq!(e, Error::invalid_at("r", 1, "[0, 2]", expected));
        let e = SegmentMap::new(vec![SegmentRule::new("A", all, (4, 3), all)]).unwrap_err();
        assert_eq!(e, Error::invalid_at("f", 0, "[4, 3]", expected));
        let e = SegmentMap::new(vec![SegmentRule::new("A", all, all, (1, 6))]).unwrap_err();
        assert_eq!(e, Error::invalid_at("m", 0, "[1, 6]", expected));
        // coverage: every cell except m = 5 with r = 1, f = 2 is covered
        let e = SegmentMap::new(vec![
            SegmentRule::new("A", (2, 5), all, all),
            SegmentRule::new("B", (1, 1), (1, 1), all),
            SegmentRule::new("C", (1, 1), (3, 5), all),
            SegmentRule::new("D", (1, 1), (2, 2), (1, 4)),
        ])
        .unwrap_err();
        assert_eq!(
            e,
            Error::invalid(
                "rules",
                "no rule matches (r, f, m) = (1, 2, 5)",
                "rules that together cover every (r, f, m) cell in 1..=5"
            )
        );
        // the default map without "Lost" leaves (1, 1, 1) unmatched
        let rules: Vec<SegmentRule> = SegmentMap::default()
            .rules()
            .iter()
            .filter(|r| r.name != "Lost")
            .cloned()
            .collect();
        let e = SegmentMap::new(rules).unwrap_err();
        assert!(e.to_string().contains("(1, 1, 1)"), "{e}");
    }

    #[test]
    fn json_round_trip() {
        let map = SegmentMap::default();
        let json = map.to_json();
        assert_eq!(SegmentMap::from_json(&json).unwrap(), map);
        // serde (Serialize/Deserialize) uses the same form and validates
        assert_eq!(serde_json::to_string(&map).unwrap(), json);
        let back: SegmentMap = serde_json::from_str(&json).unwrap();
        assert_eq!(back, map);
        assert!(serde_json::from_str::<SegmentMap>(r#"[{"name":"A","r":[5,5]}]"#).is_err());
        // omitted ranges are full
        let map = SegmentMap::from_json(r#"[{"name":"All"}]"#).unwrap();
        assert_eq!(
            map.rules()[0],
            SegmentRule::new("All", (1, 5), (1, 5), (1, 5))
        );
        assert_eq!(
            map.to_json(),
            r#"[{"name":"All","r":[1,5],"f":[1,5],"m":[1,5]}]"#
        );
        // names are escaped
        let map = SegmentMap::new(vec![SegmentRule::new("a\"b", (1, 5), (1, 5), (1, 5))]).unwrap();
        assert_eq!(SegmentMap::from_json(&map.to_json()).unwrap(), map);
    }

    #[test]
    fn json_errors() {
        let e = SegmentMap::from_json("not json").unwrap_err();
        assert_eq!(e.code(), "FORMAT_ERROR");
        let e = SegmentMap::from_json(r#"[{"name":"A","x":[1,5]}]"#).unwrap_err();
        assert_eq!(e.code(), "FORMAT_ERROR");
        assert!(e.to_string().contains("unknown field"), "{e}");
        let e = SegmentMap::from_json(r#"[{"name":"A","r":[1,9]}]"#).unwrap_err();
        assert_eq!(e.field(), Some("r"));
        let e = SegmentMap::from_json(r#"[{"name":"A","r":[2,5]}]"#).unwrap_err();
        assert!(e.to_string().contains("(1, 1, 1)"), "{e}");
        let e = SegmentMap::from_json("[]").unwrap_err();
        assert_eq!(e.code(), "EMPTY_INPUT");
    }
}
