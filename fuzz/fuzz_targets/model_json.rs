//! Model JSON: any text through `AnyModel::from_json`; a model it loads
//! answers every prediction, on customers and horizons made from the bytes,
//! with a typed error or numbers that are not NaN, and never panics.
#![no_main]
use clv::models::{AnyModel, Family, ModelInfo, SpendModel, TransactionModel};
use libfuzzer_sys::fuzz_target;

fn num(b: &[u8], i: usize) -> f64 {
    let v = b.get(i).copied().unwrap_or(1);
    // whole numbers and fractions over several decades
    [0.0, 0.5, 1.0, 2.0, 7.0, 30.0, 1e4, 1e6][usize::from(v & 7)] * if v & 8 != 0 { 3.0 } else { 1.0 }
}

fn no_nan(r: clv::Result<Vec<f64>>) {
    if let Ok(v) = r {
        assert!(v.iter().all(|x| !x.is_nan()), "{v:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (text, tail) = data.split_at(split);
    let Ok(text) = std::str::from_utf8(text) else { return };
    let Ok(m) = AnyModel::from_json(text) else { return };
    let back = AnyModel::from_json(&m.to_json()).expect("a loaded model's own JSON");
    assert_eq!(back.values(), m.values());
    let (x, tt, h) = (num(tail, 1).floor(), num(tail, 2).max(num(tail, 1)), num(tail, 3));
    let tx = if x == 0.0 { 0.0 } else { tt * 0.5 };
    match m.kind().spec().family {
        Family::Transaction => {
            let (x, tx, tt) = ([x], [tx], [tt]);
            no_nan(m.log_likelihood(&x, &tx, &tt));
            no_nan(m.prob_alive(&x, &tx, &tt));
            no_nan(m.expected_purchases(h, &x, &tx, &tt));
            no_nan(m.expected_purchases_new(h).map(|v| vec![v]));
            no_nan(m.prob_purchases(u32::from(tail.first().copied().unwrap_or(0)), h).map(|v| vec![v]));
            no_nan(m.prob_purchases_conditional(1, h, &x, &tx, &tt));
            no_nan(m.dert(0.01, &x, &tx, &tt));
            no_nan(m.prob_alive_ahead(h, &x, &tx, &tt));
        }
        Family::Spend => no_nan(m.expected_spend(&[x], &[h + 1.0])),
        Family::Retention => {
            if let Ok(r) = m.retention("survival") {
                no_nan(r.survival(h.floor()).map(|v| vec![v]));
                no_nan(r.prob_churn(h.floor() + 1.0).map(|v| vec![v]));
                no_nan(r.dert(0.1, h.floor()).map(|v| vec![v]));
            }
        }
    }
});
