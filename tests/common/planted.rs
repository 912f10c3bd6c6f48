//! Generated corpora of number stories with planted truth, shared by `planted_numbers.rs` and
//! `planted_bounded.rs`: the draws and bookkeeping each generator repeats.

use rand::RngExt;

/// The generator every planted corpus draws from.
pub type Rng = rand_chacha::ChaCha8Rng;

/// A corpus of number claims with what was planted.
pub struct Corpus {
    /// Each story's true number.
    pub truth: Vec<i64>,
    /// Each outlet's planted rate of good reports.
    pub theta: Vec<f64>,
    /// Each outlet's (good reports, reports) as written.
    pub counts: Vec<(u32, u32)>,
    /// The claims CSV.
    pub claims: String,
    /// Claims written so far (the last claim's id).
    written: u32,
}

impl Corpus {
    /// An empty corpus of outlets with planted rates `theta`.
    pub fn new(theta: Vec<f64>) -> Corpus {
        Corpus {
            truth: Vec::new(),
            counts: vec![(0, 0); theta.len()],
            theta,
            claims: String::from("claim_id,source,published_at,story_id,stance,value\n"),
            written: 0,
        }
    }

    /// Adds outlet `o`'s report `value` (good or not) on story `s`.
    pub fn report(&mut self, o: usize, s: usize, value: i64, good: bool) {
        self.counts[o].1 += 1;
        self.counts[o].0 += u32::from(good);
        self.written += 1;
        let id = self.written;
        self.claims
            .push_str(&format!("{id},outlet{o:02},2020-01-01,s{s:04},asserts,{value}\n"));
    }

    /// Each outlet's share of good reports, what counting against the hidden truth gives.
    pub fn counted(&self) -> Vec<f64> {
        self.counts.iter().map(|c| f64::from(c.0) / f64::from(c.1)).collect()
    }
}

/// A normal draw by Box–Muller (the tests need no more than this).
pub fn normal(rng: &mut Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.random(), rng.random());
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// `k` distinct outlets of `n`, in the order drawn.
pub fn outlets(rng: &mut Rng, k: usize, n: usize) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::with_capacity(k);
    while picked.len() < k {
        let o = (rng.random::<f64>() * n as f64) as usize;
        if !picked.contains(&o) {
            picked.push(o);
        }
    }
    picked
}
