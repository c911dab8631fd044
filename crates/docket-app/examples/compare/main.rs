//! The engine against a naive exporter, in one run side by side (see
//! `harness.rs`): Graph requests, round trips, 429s and wall time for a
//! first export, a no-op run and 1 % changed, at each latency.
//!
//! Run: `cargo run --release -p docket-app --example compare -- [ITEMS]
//! [LATENCIES_MS] [BUDGET]`, e.g. `-- 10000 0,50 1000000` (the defaults);
//! a Markdown table goes to stdout (docs/benchmarks.md holds the last one).
//! BUDGET is the emulator's (and the client's) requests per 10 minutes;
//! Outlook's real one is 10,000.

#[path = "harness.rs"]
mod harness;

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let items: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let latencies: Vec<u64> = args
        .get(1)
        .map(|a| a.split(',').filter_map(|l| l.parse().ok()).collect())
        .unwrap_or_else(|| vec![0, 50]);
    let budget: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut rows = vec![];
    for latency in latencies {
        let got = harness::compare(items, latency, budget).await;
        for r in &got {
            eprintln!(
                "{} at {} ms: engine {} items ({} duplicates), naive {} items ({} duplicates)",
                r.scenario,
                r.latency_ms,
                r.engine_items.0,
                r.engine_items.1,
                r.naive_items.0,
                r.naive_items.1
            );
        }
        rows.extend(got);
    }
    println!("{items} items, budget {budget} requests per 10 minutes\n");
    print!("{}", harness::table(&rows));
}
