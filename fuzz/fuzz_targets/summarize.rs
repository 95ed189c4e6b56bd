//! `summarize` on rows made from the bytes (4 bytes a row: customer, a day
//! offset, an amount), any unit and observation end: no panic, and a
//! summary that holds its definitions (0 ≤ x, 0 ≤ t_x ≤ T, finite values).
#![no_main]
use clv::summary::{SummaryOptions, summarize};
use clv::time::TimeUnit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rows)) = data.split_first() else {
        return;
    };
    let (mut ids, mut ts, mut amounts) = (vec![], vec![], vec![]);
    for r in rows.chunks_exact(4) {
        ids.push(format!("c{}", r[0] % 16));
        ts.push(852_076_800 + i64::from(i16::from_le_bytes([r[1], r[2]])) * 86_400 + i64::from(r[3]) * 997);
        amounts.push(f64::from(r[3]) - 8.0);
    }
    let unit = ["D", "W", "M", "H", "7d", "2W"][usize::from(flags & 7) % 6];
    let Ok(unit) = TimeUnit::parse(unit) else { return };
    let options = SummaryOptions {
        unit,
        observation_end: (flags & 8 != 0).then_some(852_076_800 + 86_400 * 100),
        calibration_end: (flags & 16 != 0).then_some(852_076_800 + 86_400 * 10),
        skip_invalid: flags & 32 != 0,
        ..SummaryOptions::default()
    };
    let with_amounts = (flags & 64 != 0).then_some(amounts.as_slice());
    if let Ok(s) = summarize(&ids, &ts, with_amounts, &options) {
        let json = s.to_json();
        assert!(json.is_object());
    }
});
