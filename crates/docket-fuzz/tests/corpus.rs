//! Replays, on stable and in the normal test run, every committed input
//! of the fuzz targets through the same functions `fuzz/` fuzzes: the seed
//! corpus (`fuzz/corpus/<target>/`) and the inputs that once made a
//! target fail (`fuzz/regressions/<target>/`, one file per bug found).

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted (none if it is missing).
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| e.expect("readable corpus folder").path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => vec![],
    };
    files.sort();
    files
}

fn replay(target: &str) -> usize {
    let (_, body) = docket_fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a known target");
    let mut n = 0;
    for kind in ["corpus", "regressions"] {
        for file in inputs(kind, target) {
            let data = std::fs::read(&file).expect("readable input");
            let run = std::panic::catch_unwind(|| body(&data));
            assert!(run.is_ok(), "{} fails {target}", file.display());
            n += 1;
        }
    }
    n
}

#[test]
fn every_target_has_a_seed_corpus_and_a_fuzz_binary() {
    for (target, _) in docket_fuzz::TARGETS {
        assert!(
            inputs("corpus", target).len() >= 3,
            "fuzz/corpus/{target}/ has fewer than 3 seeds"
        );
        let binary = fuzz_dir().join("fuzz_targets").join(format!("{target}.rs"));
        assert!(binary.is_file(), "no {}", binary.display());
    }
}

#[test]
fn ical_vcard_corpus_and_regressions_replay() {
    assert!(replay("ical_vcard") > 0);
}

#[test]
fn dav_xml_corpus_and_regressions_replay() {
    assert!(replay("dav_xml") > 0);
}

#[test]
fn loopback_corpus_and_regressions_replay() {
    assert!(replay("loopback") > 0);
}

#[test]
fn token_response_corpus_and_regressions_replay() {
    assert!(replay("token_response") > 0);
}

#[test]
fn graph_corpus_and_regressions_replay() {
    assert!(replay("graph") > 0);
}

#[test]
fn loopback_head_corpus_and_regressions_replay() {
    assert!(replay("loopback_head") > 0);
}

#[test]
fn graph_links_corpus_and_regressions_replay() {
    assert!(replay("graph_links") > 0);
}
