//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) and every crash input found
//! so far (`fuzz/regressions/<target>/`, each fixed) through the targets: what the fuzzer
//! once reached keeps working, and a fixed crash stays fixed.

use std::path::PathBuf;

fn replay(target: &str) {
    let Some((_, run)) = fuzzing::TARGETS.iter().find(|(name, _)| *name == target) else {
        panic!("no fuzz target {target}");
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut replayed = 0;
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else { continue };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        for path in paths {
            let Ok(data) = std::fs::read(&path) else { panic!("cannot read {}", path.display()) };
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{target}: {} fails", path.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "{target} has no committed corpus");
}

macro_rules! corpora {
    ($($target:ident),* $(,)?) => {
        $(#[test] fn $target() { replay(stringify!($target)); })*
        #[test]
        fn every_target_has_a_replay_test() {
            let tested = [$(stringify!($target)),*];
            for (name, _) in fuzzing::TARGETS {
                assert!(tested.contains(name), "{name} is not replayed");
            }
        }
    };
}

corpora!(
    ec2_query,
    aws_query,
    aws_json,
    rest_xml,
    sigv4,
    dns_message,
    alb_request,
    trace_question,
    reach_question,
    traffic,
);
