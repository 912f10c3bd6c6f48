//! Official responders as witnesses with a track record.
//!
//! A response is evidence, not truth. Each responder has two rates, learned from the stories that were
//! also resolved: how often it confirms a story that is true (`confirm_when_true`, α) and how often it
//! denies one that is false (`deny_when_false`, δ). A government that denies true stories it dislikes but
//! never confirms false ones has a low α and a high δ: its denials then say little, its confirmations much.
//! A partial answer counts as half a confirmation and half a denial, a mixed outcome half true and half
//! false; `no_comment` is no evidence and is not learned from.
//!
//! Each rate has a Beta prior centred on the pooled record of all responders (itself shrunk towards a
//! configurable mean), so a responder with no resolved stories behaves like the average one.

use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF};

use crate::corpus::{Outcome, Verdict};

/// How responders' rates are shrunk.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResponderPrior {
    /// The rate assumed before any resolved story is seen (for both α and δ).
    pub mean: f64,
    /// The prior's weight, in resolved stories' worth.
    pub strength: f64,
}

impl Default for ResponderPrior {
    fn default() -> Self {
        ResponderPrior {
            mean: 0.75,
            strength: 4.0,
        }
    }
}

/// A learned rate with its posterior interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// Posterior mean.
    pub mean: f64,
    /// Lower end of the equal-tailed interval.
    pub low: f64,
    /// Upper end of the equal-tailed interval.
    pub high: f64,
    /// Weighted number of resolved stories behind it.
    pub stories: f64,
}

/// What is counted for one responder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tallies {
    /// Responses by verdict: confirmed, denied, partial, no_comment (all rows, superseded ones too).
    pub by_verdict: [u64; 4],
    /// Distinct stories answered.
    pub stories: u64,
    /// Weighted confirmations of true stories (from the latest informative response per story).
    pub confirms_true: f64,
    /// Weighted informative answers on true stories.
    pub on_true: f64,
    /// Weighted denials of false stories.
    pub denies_false: f64,
    /// Weighted informative answers on false stories.
    pub on_false: f64,
}

impl Tallies {
    /// Counts one response row.
    pub fn count_verdict(&mut self, v: Verdict) {
        let k = match v {
            Verdict::Confirmed => 0,
            Verdict::Denied => 1,
            Verdict::Partial => 2,
            Verdict::NoComment => 3,
        };
        self.by_verdict[k] += 1;
    }

    /// Learns from the responder's standing answer `signal` (1 confirm, ½ partial, 0 deny) on a story
    /// resolved as `outcome`.
    pub fn learn(&mut self, signal: f64, outcome: Outcome) {
        self.learn_soft(signal, outcome.truth());
    }

    /// Learns from an answer on a story true with probability `t` (an expected count, for EM).
    pub fn learn_soft(&mut self, signal: f64, t: f64) {
        self.on_true += t;
        self.confirms_true += t * signal;
        self.on_false += 1.0 - t;
        self.denies_false += (1.0 - t) * (1.0 - signal);
    }
}

/// A responder's learned record.
#[derive(Debug, Clone, PartialEq)]
pub struct Responder {
    /// Its counts.
    pub tallies: Tallies,
    /// α: the chance it confirms a true story.
    pub confirm_when_true: Rate,
    /// δ: the chance it denies a false story.
    pub deny_when_false: Rate,
}

impl Responder {
    /// The log likelihood ratio, true against false, of an answer with confirmation share `signal`:
    /// `s·ln(α / (1 − δ)) + (1 − s)·ln((1 − α) / δ)`, with the rates at their posterior means.
    pub fn log_likelihood_ratio(&self, signal: f64) -> f64 {
        let a = self.confirm_when_true.mean;
        let d = self.deny_when_false.mean;
        signal * (a / (1.0 - d)).ln() + (1.0 - signal) * ((1.0 - a) / d).ln()
    }
}

/// Turns every responder's tallies into rates, shrinking each towards the pooled record.
pub fn learn(tallies: Vec<Tallies>, prior: ResponderPrior, level: f64) -> Vec<Responder> {
    let k = prior.strength;
    let pooled = |hit: f64, all: f64| (hit + k * prior.mean) / (all + k);
    let pooled_a = pooled(
        tallies.iter().map(|t| t.confirms_true).sum(),
        tallies.iter().map(|t| t.on_true).sum(),
    );
    let pooled_d = pooled(
        tallies.iter().map(|t| t.denies_false).sum(),
        tallies.iter().map(|t| t.on_false).sum(),
    );
    let rate = |mean: f64, hit: f64, all: f64| {
        let (a, b) = (k * mean + hit, k * (1.0 - mean) + (all - hit));
        let dist = Beta::new(a, b).expect("shapes are positive");
        Rate {
            mean: a / (a + b),
            low: dist.inverse_cdf((1.0 - level) / 2.0),
            high: dist.inverse_cdf((1.0 + level) / 2.0),
            stories: all,
        }
    };
    tallies
        .into_iter()
        .map(|t| Responder {
            confirm_when_true: rate(pooled_a, t.confirms_true, t.on_true),
            deny_when_false: rate(pooled_d, t.denies_false, t.on_false),
            tallies: t,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An interested responder: confirms 2 of 10 true stories (denies 8), denies all 10 false ones. With
    /// prior mean ¾ and strength 4 pooled over itself alone: pooled α = (2 + 3)/(10 + 4) = 5/14, so its α
    /// prior is Beta(20/14, 36/14) and the posterior Beta(20/14 + 2, 36/14 + 8), mean (48/14)/14 = 0.244898.
    /// Pooled δ = (10 + 3)/(10 + 4) = 13/14; posterior Beta(52/14 + 10, 4/14), mean (192/14)/14 = 0.979592.
    #[test]
    fn learns_an_interested_responder_by_hand() {
        let mut t = Tallies::default();
        for i in 0..10 {
            t.learn(if i < 2 { 1.0 } else { 0.0 }, Outcome::True);
            t.learn(0.0, Outcome::False);
        }
        let r = &learn(vec![t], ResponderPrior::default(), 0.95)[0];
        assert!((r.confirm_when_true.mean - 48.0 / 14.0 / 14.0).abs() < 1e-12);
        assert!((r.deny_when_false.mean - 192.0 / 14.0 / 14.0).abs() < 1e-12);
        // Its denial is weak evidence of falsehood, its confirmation strong evidence of truth.
        let deny = r.log_likelihood_ratio(0.0);
        let confirm = r.log_likelihood_ratio(1.0);
        assert!(deny < 0.0 && deny > -0.3, "{deny}");
        assert!(confirm > 2.0, "{confirm}");
        // A partial answer sits halfway between, on the log scale.
        assert!((r.log_likelihood_ratio(0.5) - (deny + confirm) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn mixed_outcomes_count_half_each_way() {
        let mut t = Tallies::default();
        t.learn(0.5, Outcome::Mixed);
        assert_eq!(
            (t.on_true, t.confirms_true, t.on_false, t.denies_false),
            (0.5, 0.25, 0.5, 0.25)
        );
    }

    #[test]
    fn a_responder_without_record_gets_the_pooled_rates() {
        let mut honest = Tallies::default();
        for _ in 0..20 {
            honest.learn(1.0, Outcome::True);
            honest.learn(0.0, Outcome::False);
        }
        let rs = learn(vec![honest, Tallies::default()], ResponderPrior::default(), 0.95);
        // Pooled α = (20 + 3)/(20 + 4) = 23/24, which the newcomer takes as its mean.
        assert!((rs[1].confirm_when_true.mean - 23.0 / 24.0).abs() < 1e-12);
        assert!(rs[1].confirm_when_true.high - rs[1].confirm_when_true.low > 0.1);
    }
}
