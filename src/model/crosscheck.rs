//! Cross-checking: each story's official answers and resolution, and who is credited for each claim.
//!
//! A responder may answer a story more than once (a denial, then a clarification); its standing answer is
//! the latest one (ties by file line), and only that one is weighed. Attribution follows "according to"
//! chains within a story: a claim relaying an outlet that itself relays another is credited to the outlet at
//! the end of the chain, the originator.

use crate::corpus::{Corpus, Outcome, Stance};

/// How a story stands after cross-checking, before any source's record is weighed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Answer {
    /// No response at all.
    Unanswered,
    /// Only `no_comment` answers.
    NoComment,
    /// Every informative standing answer confirms.
    Confirmed,
    /// Every informative standing answer denies.
    Denied,
    /// Every informative standing answer is partial.
    Partial,
    /// Informative standing answers disagree.
    Conflicting,
}

/// The evidence on one story.
#[derive(Debug, Clone, Default)]
pub struct StoryEvidence {
    /// The resolution, if any: settles the story.
    pub resolution: Option<Outcome>,
    /// The standing answers: `(responder, signal)`, with `signal` `None` for no comment, in responder order.
    pub answers: Vec<(u32, Option<f64>)>,
}

impl StoryEvidence {
    /// The summary of the standing answers.
    pub fn answer(&self) -> Answer {
        let mut seen: Option<f64> = None;
        let mut conflicting = false;
        let mut any = false;
        for &(_, s) in &self.answers {
            any = true;
            if let Some(s) = s {
                match seen {
                    None => seen = Some(s),
                    Some(t) if t != s => conflicting = true,
                    Some(_) => {}
                }
            }
        }
        match (any, seen, conflicting) {
            (false, _, _) => Answer::Unanswered,
            (true, None, _) => Answer::NoComment,
            (true, Some(_), true) => Answer::Conflicting,
            (true, Some(1.0), false) => Answer::Confirmed,
            (true, Some(0.0), false) => Answer::Denied,
            (true, Some(_), false) => Answer::Partial,
        }
    }

    /// Whether some standing answer is informative (not `no_comment`).
    pub fn informative(&self) -> bool {
        self.answers.iter().any(|a| a.1.is_some())
    }

    /// The naive reading of the answers, as if official bodies were never wrong: the mean signal.
    pub fn naive_truth(&self) -> Option<f64> {
        let signals: Vec<f64> = self.answers.iter().filter_map(|a| a.1).collect();
        (!signals.is_empty()).then(|| signals.iter().sum::<f64>() / signals.len() as f64)
    }
}

/// Builds every story's evidence from the corpus's responses and resolutions.
pub fn stories(corpus: &Corpus) -> Vec<StoryEvidence> {
    let mut out = vec![StoryEvidence::default(); corpus.stories.len()];
    for r in &corpus.resolutions {
        out[r.story as usize].resolution = Some(r.outcome);
    }
    let mut order: Vec<usize> = (0..corpus.responses.len()).collect();
    order.sort_by_key(|&i| {
        let r = &corpus.responses[i];
        (r.story, r.responder, r.responded_at, r.line)
    });
    for (k, &i) in order.iter().enumerate() {
        let r = &corpus.responses[i];
        let superseded = order
            .get(k + 1)
            .is_some_and(|&j| corpus.responses[j].story == r.story && corpus.responses[j].responder == r.responder);
        if !superseded {
            out[r.story as usize].answers.push((r.responder, r.verdict.signal()));
        }
    }
    out
}

/// Whether a claim is the outlet's own report or a relay of another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Not attributed to another outlet.
    Original,
    /// Attributed to another outlet.
    Relay,
}

impl Role {
    /// The label used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Original => "original",
            Role::Relay => "relay",
        }
    }
}

/// The outlet credited with each claim (in claim order): the claim's own source for an original, else the
/// end of its attribution chain within the story.
pub fn credit(corpus: &Corpus) -> Vec<u32> {
    let claims = &corpus.claims;
    let mut order: Vec<usize> = (0..claims.len()).collect();
    order.sort_by_key(|&i| (claims[i].story, claims[i].line));
    let mut credited: Vec<u32> = claims.iter().map(|c| c.attributed_to.unwrap_or(c.source)).collect();
    let mut start = 0;
    while start < order.len() {
        let story = claims[order[start]].story;
        let end = start + order[start..].partition_point(|&i| claims[i].story == story);
        let group = &order[start..end];
        // Within the story: who reported on their own, and whom each pure relayer first cites.
        let originators: Vec<u32> = group
            .iter()
            .filter(|&&i| claims[i].attributed_to.is_none())
            .map(|&i| claims[i].source)
            .collect();
        let mut cites: Vec<(u32, u32)> = Vec::new();
        for &i in group {
            if let Some(to) = claims[i].attributed_to
                && !originators.contains(&claims[i].source)
                && !cites.iter().any(|&(s, _)| s == claims[i].source)
            {
                cites.push((claims[i].source, to));
            }
        }
        if !cites.is_empty() {
            for &i in group {
                let Some(mut at) = claims[i].attributed_to else {
                    continue;
                };
                let mut hops = 0;
                while let Some(&(_, next)) = cites.iter().find(|&&(s, _)| s == at) {
                    // A chain that returns to the claim's own source, or runs long, stops where it is.
                    if next == claims[i].source || hops >= cites.len() {
                        break;
                    }
                    at = next;
                    hops += 1;
                }
                credited[i] = at;
            }
        }
        start = end;
    }
    credited
}

/// The probability, from a story's evidence alone, that a claim of stance `stance` on it is correct,
/// given the story's probability of being true `p_true`.
pub fn correct_given(stance: Stance, p_true: f64) -> f64 {
    match stance {
        Stance::Asserts => p_true,
        Stance::Denies => 1.0 - p_true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Claim, Response, Verdict};

    fn claim(corpus: &mut Corpus, id: &str, source: &str, story: &str, attributed: Option<&str>) {
        let source = corpus.sources.intern(source);
        let attributed_to = attributed.map(|a| corpus.sources.intern(a));
        let story = corpus.stories.intern(story);
        let line = corpus.claims.len() as u64 + 2;
        corpus.claims.push(Claim {
            id: id.into(),
            source,
            story,
            stance: Stance::Asserts,
            attributed_to,
            published_at: 0,
            line,
        });
    }

    #[test]
    fn credit_follows_chains_to_the_originator() {
        let mut c = Corpus::default();
        claim(&mut c, "1", "Reuters", "s", None);
        claim(&mut c, "2", "Wire", "s", Some("Reuters"));
        claim(&mut c, "3", "Blog", "s", Some("Wire"));
        claim(&mut c, "4", "Echo", "t", Some("Ghost")); // cited outlet with no claim of its own
        claim(&mut c, "5", "A", "u", Some("B")); // a cycle: A cites B, B cites A
        claim(&mut c, "6", "B", "u", Some("A"));
        let names: Vec<&str> = credit(&c).iter().map(|&s| c.sources.name(s)).collect();
        assert_eq!(names, ["Reuters", "Reuters", "Reuters", "Ghost", "B", "A"]);
    }

    #[test]
    fn the_latest_answer_stands() {
        let mut c = Corpus::default();
        claim(&mut c, "1", "Reuters", "s", None);
        let k = c.responders.intern("Kremlin");
        for (at, v) in [(5, Verdict::Denied), (9, Verdict::Partial), (7, Verdict::Confirmed)] {
            c.responses.push(Response {
                id: at.to_string(),
                story: 0,
                responder: k,
                responded_at: at,
                verdict: v,
                line: at as u64,
            });
        }
        let s = &stories(&c)[0];
        assert_eq!(s.answers, vec![(k, Some(0.5))]);
        assert_eq!(s.answer(), Answer::Partial);
    }

    #[test]
    fn answers_summarise() {
        let ev = |a: &[Option<f64>]| StoryEvidence {
            resolution: None,
            answers: a.iter().map(|&s| (0, s)).collect(),
        };
        assert_eq!(ev(&[]).answer(), Answer::Unanswered);
        assert_eq!(ev(&[None]).answer(), Answer::NoComment);
        assert_eq!(ev(&[None, Some(1.0)]).answer(), Answer::Confirmed);
        assert_eq!(ev(&[Some(0.0), Some(0.0)]).answer(), Answer::Denied);
        assert_eq!(ev(&[Some(1.0), Some(0.0)]).answer(), Answer::Conflicting);
        assert_eq!(ev(&[Some(1.0), Some(0.0)]).naive_truth(), Some(0.5));
    }
}
