//! The engine-against-naive harness (`examples/compare`) with a few items,
//! so that it cannot rot: only facts that do not depend on timing — both
//! mailboxes end equal to the PMS with no duplicates, the engine needs
//! fewer round trips in every scenario and fewer requests in every run
//! after the first (a first export costs both one request per item; the
//! engine's few more start change tracking).

#[path = "../../examples/compare/harness.rs"]
mod harness;

#[tokio::test]
async fn the_engine_costs_less_than_a_naive_exporter_and_makes_no_duplicates() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rows = harness::compare(60, 0, 10_000).await;
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert_eq!(r.engine_items, (60, 0), "{}: engine mailbox", r.scenario);
        assert_eq!(r.naive_items, (60, 0), "{}: naive mailbox", r.scenario);
        assert!(
            r.engine.round_trips < r.naive.round_trips,
            "{}: {:?} vs {:?}",
            r.scenario,
            r.engine,
            r.naive
        );
        assert_eq!((r.engine.throttled, r.naive.throttled), (0, 0));
    }
    assert!(rows[0].engine.requests <= rows[0].naive.requests + 10);
    for r in &rows[1..] {
        assert!(r.engine.requests < r.naive.requests, "{r:?}");
    }
    // The no-op run: the engine writes nothing, the naive exporter
    // rewrites every item.
    assert_eq!(rows[1].engine.requests, 3, "{:?}", rows[1].engine);
    assert!(rows[1].naive.requests > 60, "{:?}", rows[1].naive);
    let table = harness::table(&rows);
    assert_eq!(table.lines().count(), 2 + 3, "{table}");
}
