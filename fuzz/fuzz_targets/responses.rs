//! The responses file, against a fixed claims file: the first byte picks the reading options, the rest is
//! the file.
#![no_main]

#[path = "common.rs"]
mod common;

use credence::ingest::Inputs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&opts, body)) = data.split_first() else {
        return;
    };
    let inputs = Inputs {
        claims: common::file("claims.csv", common::CLAIMS),
        responses: Some(common::file("responses.csv", body)),
        resolutions: None,
    };
    common::load_and_check(&inputs, common::options(opts));
});
