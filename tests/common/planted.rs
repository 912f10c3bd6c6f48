//! Generated corpora of valued stories with planted truth, shared by `planted_numbers.rs`,
//! `planted_bounded.rs` and `planted_text.rs`: the draws and bookkeeping each generator repeats, and how a
//! run's `sources.csv` is read against what was planted.

use rand::RngExt;

/// The generator every planted corpus draws from.
pub type Rng = rand_chacha::ChaCha8Rng;

/// A corpus of valued claims with what was planted.
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
    /// An empty corpus of `outlets` outlets whose planted rates run evenly from `lo` to `lo + width`.
    pub fn spread(outlets: usize, lo: f64, width: f64) -> Corpus {
        Corpus::new(
            (0..outlets)
                .map(|i| lo + width * i as f64 / (outlets - 1) as f64)
                .collect(),
        )
    }

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

/// A run's outlets against what was planted, in `sources.csv`'s order.
#[allow(dead_code)] // Not every test reads every field.
pub struct Outlets {
    /// Each outlet's planted rate.
    pub planted: Vec<f64>,
    /// Its `reliability`.
    pub reliability: Vec<f64>,
    /// Its share of good reports, counting against the hidden truth.
    pub counted: Vec<f64>,
    /// The share of outlets whose interval holds the planted rate.
    pub coverage: f64,
}

impl Outlets {
    /// Spearman's rank correlation of the run's reliabilities with the planted rates, and of counting
    /// against the hidden truth with them (issue 5's rank bar is the first at 0.95 of the second).
    #[allow(dead_code)] // Not every test ranks.
    pub fn spearmans(&self) -> (f64, f64) {
        let spearman = |a: &[f64]| credence::evaluate::spearman(a, &self.planted).expect("ranks vary");
        (spearman(&self.reliability), spearman(&self.counted))
    }
}

impl Corpus {
    /// Reads a run's `sources.csv` rows (outlets named `outletNN`) against the planted rates.
    #[allow(dead_code)] // Not every test reads it.
    pub fn outlets(&self, rows: &[std::collections::BTreeMap<String, String>]) -> Outlets {
        let (mut planted, mut reliability, mut counted, mut covered) = (vec![], vec![], vec![], 0);
        for r in rows {
            let o: usize = r["source"]["outlet".len()..].parse().unwrap();
            let (lo, hi): (f64, f64) = (r["ci_low"].parse().unwrap(), r["ci_high"].parse().unwrap());
            planted.push(self.theta[o]);
            reliability.push(r["reliability"].parse().unwrap());
            counted.push(self.counted()[o]);
            covered += usize::from(lo <= self.theta[o] && self.theta[o] <= hi);
        }
        let coverage = covered as f64 / rows.len() as f64;
        Outlets {
            planted,
            reliability,
            counted,
            coverage,
        }
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
