//! The partial reader (`credence merge`'s input): any bytes give an error or a partial whose tallies
//! reconcile, and merging and scoring it does not panic; the merged tallies reconcile too.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Partials that claim more mentions than this are not merged here: a merge holds one 16-byte mention per
/// claim by design, so a partial of a billion claims needs the memory of a billion claims.
const MAX_MENTIONS: u64 = 1 << 20;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let path = common::file("p.json", data);
    let Ok(p) = credence::shard::read_partial(&path) else {
        return;
    };
    let t = &p.claims;
    assert_eq!(t.read, t.scored + t.rejected + t.later, "{t:?}");
    if p.mentions.iter().map(|m| m.4).fold(0u64, u64::saturating_add) > MAX_MENTIONS {
        return;
    }
    let Ok(merged) = credence::shard::merge(vec![p]) else {
        return;
    };
    let i = &merged.inputs;
    for t in i.claims.iter().chain(&i.responses).chain(&i.resolutions) {
        assert_eq!(t.read, t.scored + t.rejected + t.later, "{t:?}");
    }
    assert_eq!(merged.corpus.mentions.len() as u64, i.claims[0].scored);
    let _ = credence::model::score(&merged.corpus, &credence::model::Params::default());
});
