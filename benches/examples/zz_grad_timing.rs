use clv::ModelKind;
use clv::bayes::{LogDensity, default_priors};
use std::time::Instant;
fn main() {
    let c0 = clv_benches::cdnow();
    let d = [c0.x, c0.tx, c0.t];
    println!("rows {}", d[0].len());
    let cols: Vec<&[f64]> = d.iter().map(Vec::as_slice).collect();
    let data = clv::bayes::Compressed::new(ModelKind::BgNbd, &cols, None);
    println!("distinct {}", data.inputs[0].len());
    let c = data.columns();
    let dens = LogDensity::new(
        ModelKind::BgNbd,
        &c,
        data.weights.as_deref(),
        default_priors(ModelKind::BgNbd),
    )
    .unwrap();
    let phi = [0.243f64.ln(), 4.414f64.ln(), 0.793f64.ln(), 2.426f64.ln()];
    let mut g = [0.0; 4];
    let n = 20000;
    let t = Instant::now();
    let mut s = 0.0;
    for i in 0..n {
        let mut p = phi;
        p[0] += 1e-6 * i as f64;
        s += dens.value_and_gradient(&p, &mut g);
    }
    println!(
        "{:.1} us per gradient ({s})",
        t.elapsed().as_secs_f64() / n as f64 * 1e6
    );
}
