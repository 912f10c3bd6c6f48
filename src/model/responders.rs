//! Official responders as witnesses with a track record.
//!
//! A response is evidence, not truth. Each responder has two rates, learned from the stories that were
//! also resolved: how often it confirms a story that is true (`confirm_when_true`, α) and how often it
//! denies one that is false (`deny_when_false`, δ). A government that denies true stories it dislikes but
//! never confirms false ones has a low α and a high δ: its denials then say little, its confirmations much.
//! In those two rates a partial answer counts as half a confirmation and half a denial, a mixed outcome
//! half true and half false; `no_comment` is no evidence and is not learned from.
//!
//! Each rate has a Beta prior centred on the pooled record of all responders (itself shrunk towards a
//! configurable mean), so a responder with no resolved stories behaves like the average one. What an
//! answer weighs, though, comes from each kind of answer's own chance under each truth (denied, partial,
//! confirmed; [`Responder::log_likelihood_ratio`]), learned and shrunk the same way: a partial answer
//! weighs what that responder's partial answers are worth.

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
    /// Weighted answers (the latest informative response per story) by the story's truth (false, true) and
    /// kind (denied, partial, confirmed): what the answers' likelihood ratios are learned from
    /// ([`Responder::log_likelihood_ratio`]), and the two rates' counts ([`Tallies::on_true`] and the rest).
    pub answers: [[f64; 3]; 2],
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
        let kind = answer_kind(signal);
        self.answers[1][kind] += t;
        self.answers[0][kind] += 1.0 - t;
    }

    /// Weighted informative answers on true stories.
    pub fn on_true(&self) -> f64 {
        self.answers[1].iter().sum()
    }

    /// Weighted informative answers on false stories.
    pub fn on_false(&self) -> f64 {
        self.answers[0].iter().sum()
    }

    /// Weighted confirmations of true stories, a partial answer counting half.
    pub fn confirms_true(&self) -> f64 {
        self.answers[1][2] + 0.5 * self.answers[1][1]
    }

    /// Weighted denials of false stories, a partial answer counting half.
    pub fn denies_false(&self) -> f64 {
        self.answers[0][0] + 0.5 * self.answers[0][1]
    }
}

/// An answer's kind from its confirmation share: 0 denied, 1 partial, 2 confirmed.
fn answer_kind(signal: f64) -> usize {
    if signal >= 0.75 {
        2
    } else if signal <= 0.25 {
        0
    } else {
        1
    }
}

/// The answers assumed before any is seen, by the story's truth (false, true) and kind (denied, partial,
/// confirmed): a tenth partial, and the rest split so that the expected confirmation share is the prior's
/// mean `mean` (for a true story; its complement for a false one).
fn base_answers(mean: f64) -> [[f64; 3]; 2] {
    let partial = 0.1;
    let lean = (mean - 0.5 * partial).clamp(0.0, 1.0 - partial);
    [
        [lean, partial, 1.0 - partial - lean],
        [1.0 - partial - lean, partial, lean],
    ]
}

/// A responder's learned record.
#[derive(Debug, Clone, PartialEq)]
pub struct Responder {
    /// Its counts.
    pub tallies: Tallies,
    /// α: the chance it confirms a true story (a partial answer counting half).
    pub confirm_when_true: Rate,
    /// δ: the chance it denies a false story (a partial answer counting half).
    pub deny_when_false: Rate,
    /// The chance of each kind of answer (denied, partial, confirmed) given the story false and true
    /// (posterior means): the answers' likelihoods.
    pub answer_chances: [[f64; 3]; 2],
}

impl Responder {
    /// The log likelihood ratio, true against false, of an answer with confirmation share `signal`: its
    /// kind's chance given the story true over given it false.
    ///
    /// Why not from α and δ alone (`s·ln(α / (1 − δ)) + (1 − s)·ln((1 − α) / δ)`, as before): that reads a
    /// partial answer as half a confirmation and half a denial, which holds only if a responder gives
    /// partial answers as often to true stories as to false ones in just that proportion. Where it does not
    /// (an interested office says "partly" more often of stories that are true), the rates fitted with
    /// partials counted half understate both confirmations' and denials' weight: on the default `gen`
    /// world the honest responder's denial counted −1.97 where its true ratio is −2.20, and the outlets'
    /// reliabilities came out high, as they do wherever the evidence judging them is too weak.
    pub fn log_likelihood_ratio(&self, signal: f64) -> f64 {
        let kind = answer_kind(signal);
        (self.answer_chances[1][kind] / self.answer_chances[0][kind]).ln()
    }
}

/// Turns every responder's tallies into rates, shrinking each towards the pooled record.
pub fn learn(tallies: Vec<Tallies>, prior: ResponderPrior, level: f64) -> Vec<Responder> {
    let k = prior.strength;
    let pooled = |hit: f64, all: f64| (hit + k * prior.mean) / (all + k);
    let pooled_a = pooled(
        tallies.iter().map(|t| t.confirms_true()).sum(),
        tallies.iter().map(|t| t.on_true()).sum(),
    );
    let pooled_d = pooled(
        tallies.iter().map(|t| t.denies_false()).sum(),
        tallies.iter().map(|t| t.on_false()).sum(),
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
    // Each kind of answer's chance given each truth: a Dirichlet prior of strength k centred on the pooled
    // record of all responders (itself shrunk toward `base_answers`), as the rates' Beta priors are.
    let shrunk = |seen: &[f64; 3], toward: &[f64; 3]| -> [f64; 3] {
        let row = super::ratings::shrink(seen, toward, k);
        [row[0], row[1], row[2]]
    };
    let base = base_answers(prior.mean);
    let pooled: [[f64; 3]; 2] = std::array::from_fn(|truth| {
        let seen = std::array::from_fn(|kind| tallies.iter().map(|t| t.answers[truth][kind]).sum());
        shrunk(&seen, &base[truth])
    });
    let chances =
        |t: &Tallies| -> [[f64; 3]; 2] { std::array::from_fn(|truth| shrunk(&t.answers[truth], &pooled[truth])) };
    tallies
        .into_iter()
        .map(|t| Responder {
            confirm_when_true: rate(pooled_a, t.confirms_true(), t.on_true()),
            deny_when_false: rate(pooled_d, t.denies_false(), t.on_false()),
            answer_chances: chances(&t),
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
        // Its denial is weak evidence of falsehood, its confirmation strong evidence of truth. The answers'
        // chances: a Dirichlet of strength 4 around the pooled record (itself around a tenth partial and
        // 0.7 / 0.2 leaning to the truth). Pooled given true: denied (8 + 0.8)/14, partial 0.4/14, confirmed
        // (2 + 2.8)/14; given false: 12.8/14, 0.4/14, 0.8/14. Its own given true: confirmed (2 + 4·4.8/14)/14,
        // denied (8 + 4·8.8/14)/14; given false: confirmed (4·0.8/14)/14, denied (10 + 4·12.8/14)/14. So a
        // confirmation's ratio is (28 + 19.2)/3.2 = 14.75, a denial's 147.2/191.2, a partial answer's 1
        // (it never gave one, and the pool gives them alike).
        let deny = r.log_likelihood_ratio(0.0);
        let confirm = r.log_likelihood_ratio(1.0);
        assert!((confirm - 14.75f64.ln()).abs() < 1e-12, "{confirm}");
        assert!((deny - (147.2f64 / 191.2).ln()).abs() < 1e-12, "{deny}");
        assert!(r.log_likelihood_ratio(0.5).abs() < 1e-12);
    }

    /// Partial answers given three times as often to true stories as to false ones are evidence of truth,
    /// whatever the confirmations and denials say; read as half of each they would be none (α = δ here).
    #[test]
    fn partial_answers_carry_their_own_ratio() {
        let mut t = Tallies::default();
        for _ in 0..300 {
            for (signal, n) in [(1.0, 6), (0.5, 3), (0.0, 1)] {
                for _ in 0..n {
                    t.learn(signal, Outcome::True);
                }
            }
            for (signal, n) in [(1.0, 1), (0.5, 1), (0.0, 6)] {
                for _ in 0..n {
                    t.learn(signal, Outcome::False);
                }
            }
        }
        let r = &learn(vec![t], ResponderPrior::default(), 0.95)[0];
        // 900 of 3,000 answers on true stories partial, 300 of 2,400 on false ones: ratio 0.3 / 0.125 = 2.4.
        assert!(
            (r.log_likelihood_ratio(0.5) - 2.4f64.ln()).abs() < 0.01,
            "{}",
            r.log_likelihood_ratio(0.5)
        );
        assert!((r.log_likelihood_ratio(1.0) - (0.6f64 / 0.125).ln()).abs() < 0.01);
        assert!((r.log_likelihood_ratio(0.0) - (0.1f64 / 0.75).ln()).abs() < 0.01);
    }

    #[test]
    fn mixed_outcomes_count_half_each_way() {
        let mut t = Tallies::default();
        t.learn(0.5, Outcome::Mixed);
        assert_eq!(
            (t.on_true(), t.confirms_true(), t.on_false(), t.denies_false()),
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
