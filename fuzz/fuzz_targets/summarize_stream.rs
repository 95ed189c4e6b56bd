//! The streaming summary (issue 17 #18): any bytes, with options taken from
//! the first two bytes, fed to `SummaryReader` in pieces cut where the next
//! bytes say, in small batches, in both row orders. It may not panic, and
//! must give what `read_transactions` + `summarize_coded` give on the whole
//! input: the same summary and skipped lines, or the same error (message
//! included); under `RowOrder::Chronological` a row out of date order may
//! instead be its own error. And `summarize_reader_csv` (the CSV written
//! straight from the states, reading again in any order when needed) must
//! write the bytes `Summary::write_csv` writes, or fail with the same error
//! without opening its output.
#![no_main]
use clv::io::{read_transactions_in_chunks, summarize_bytes_in_pieces, summarize_reader_csv};
use clv::summary::{RowOrder, SummaryOptions, summarize_coded};
use clv::time::TimeUnit;
use libfuzzer_sys::fuzz_target;

#[path = "read_options.rs"]
mod read_options;

fuzz_target!(|data: &[u8]| {
    let [flags, more, cut_a, cut_b, batch, text @ ..] = data else {
        return;
    };
    let (flags, more) = (*flags, *more);
    let read = read_options::read_options(flags);
    let day = 86_400;
    let summary = SummaryOptions {
        unit: TimeUnit::parse(["D", "W", "M", "H", "3d"][usize::from(more & 7) % 5]).unwrap(),
        observation_end: (more & 8 != 0).then_some(852_076_800 + i64::from(more >> 4) * 30 * day),
        calibration_end: (more & 128 != 0 && more & 8 != 0).then_some(852_076_800 + i64::from(more >> 5) * 20 * day),
        skip_invalid: flags & 128 != 0,
    };
    let want = read_transactions_in_chunks(text, &read, 1).and_then(|t| {
        summarize_coded(&t.ids, &t.timestamps, t.amounts.as_deref(), &summary).map(|s| (s, t.skipped))
    });
    let n = text.len().max(1);
    let cuts = [usize::from(*cut_a) * n / 256, usize::from(*cut_b) * n / 256];
    let mut cuts = cuts.to_vec();
    cuts.sort_unstable();
    for order in [RowOrder::Any, RowOrder::Chronological] {
        let got = summarize_bytes_in_pieces(text, &cuts, &read, &summary, order, usize::from(*batch) + 1);
        match (&want, &got) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (_, Err(clv::Error::InvalidValue { field, .. }))
                if order == RowOrder::Chronological && field == "date" => {}
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("the paths disagree ({order:?}): {want:?} vs {got:?}"),
        }
    }
    let mut written = Vec::new();
    let mut opened = false;
    let open = || Ok(std::io::Cursor::new(text));
    let got = summarize_reader_csv(open, &read, &summary, usize::from(*batch) + 1, || {
        opened = true;
        Ok(&mut written)
    });
    match (&want, &got) {
        (Ok((s, skipped)), Ok((info, lines))) => {
            let mut bytes = Vec::new();
            s.write_csv(&mut bytes).unwrap();
            assert_eq!(bytes, written);
            assert_eq!((&s.info(), skipped), (info, lines));
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string());
            assert!(!opened, "the output was opened for a summary that failed");
        }
        _ => panic!("the CSV writer disagrees: {want:?} vs {got:?}"),
    }
});
