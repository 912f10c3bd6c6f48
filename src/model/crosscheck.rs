//! Cross-checking: each story's official answers and resolution, and who is credited for each claim.
//!
//! A responder may answer a story more than once (a denial, then a clarification); its standing answer is
//! the latest one (ties by file line), and only that one is weighed. Attribution follows "according to"
//! chains within a story: a claim relaying an outlet that itself relays another is credited to the outlet at
//! the end of the chain, the originator.

use crate::corpus::{Corpus, Mention, Mentions, Outcome, Stance};

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

/// The evidence on one story: a view into [`Evidence`].
#[derive(Debug, Clone, Copy, Default)]
pub struct StoryEvidence<'a> {
    /// The resolution, if any: settles the story.
    pub resolution: Option<Outcome>,
    /// The standing answers: `(responder, signal)`, with `signal` `None` for no comment, in responder order.
    pub answers: &'a [(u32, Option<f64>)],
}

/// Every story's evidence, packed: a byte per story for its resolution, and the standing answers of the
/// answered stories in one array (most stories are never answered, and millions of empty lists would
/// cost more than the claims).
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    resolution: Vec<Option<Outcome>>,
    answers: Vec<(u32, Option<f64>)>,
    /// Story `s`'s answers are `answers[start[s]..start[s + 1]]`; empty when no story has an answer.
    start: Vec<u32>,
}

impl Evidence {
    /// Story `s`'s evidence.
    pub fn story(&self, s: usize) -> StoryEvidence<'_> {
        StoryEvidence {
            resolution: self.resolution[s],
            answers: match self.start.get(s..s + 2) {
                Some(&[from, to]) => &self.answers[from as usize..to as usize],
                _ => &[],
            },
        }
    }

    /// The number of stories.
    pub fn len(&self) -> usize {
        self.resolution.len()
    }

    /// Whether there are no stories.
    pub fn is_empty(&self) -> bool {
        self.resolution.is_empty()
    }
}

impl StoryEvidence<'_> {
    /// The summary of the standing answers.
    pub fn answer(&self) -> Answer {
        let mut seen: Option<f64> = None;
        let mut conflicting = false;
        let mut any = false;
        for &(_, s) in self.answers {
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
pub fn stories(corpus: &Corpus) -> Evidence {
    let n = corpus.stories.len();
    let mut resolution = vec![None; n];
    for r in &corpus.resolutions {
        resolution[r.story as usize] = Some(r.outcome);
    }
    // Answers are ordered by responder name, so that sums over them run in the same order however the
    // responders were numbered (one run, or merged shards).
    let mut by_name: Vec<u32> = (0..corpus.responders.len() as u32).collect();
    by_name.sort_by(|&a, &b| corpus.responders.name(a).cmp(corpus.responders.name(b)));
    let mut rank = vec![0u32; by_name.len()];
    for (k, &r) in by_name.iter().enumerate() {
        rank[r as usize] = k as u32;
    }
    let mut order: Vec<usize> = (0..corpus.responses.len()).collect();
    order.sort_by_key(|&i| {
        let r = &corpus.responses[i];
        (r.story, rank[r.responder as usize], r.responded_at, r.file, r.line)
    });
    let mut answers = Vec::new();
    let mut start = vec![0u32; n + 1];
    for (k, &i) in order.iter().enumerate() {
        let r = &corpus.responses[i];
        let superseded = order
            .get(k + 1)
            .is_some_and(|&j| corpus.responses[j].story == r.story && corpus.responses[j].responder == r.responder);
        if !superseded {
            answers.push((r.responder, r.verdict.signal()));
            start[r.story as usize + 1] += 1;
        }
    }
    for s in 0..n {
        start[s + 1] += start[s];
    }
    if answers.is_empty() {
        // No story has an answer (votes alone): 4 bytes a story less.
        start = Vec::new();
    }
    Evidence {
        resolution,
        answers,
        start,
    }
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

/// Mentions grouped by story: story `s`'s mention indices, in input order, are
/// `order[start[s] as usize..start[s + 1] as usize]`.
#[derive(Debug, Clone, Default)]
pub struct ByStory {
    /// Mention indices, story by story.
    pub order: Vec<u32>,
    /// Where each story's run begins in `order`; one more entry than there are stories.
    pub start: Vec<u32>,
}

impl ByStory {
    /// Groups the corpus's mentions by story, by counting sort (linear, stable).
    pub fn new(corpus: &Corpus) -> ByStory {
        let n = corpus.stories.len();
        let mut start = vec![0u32; n + 1];
        let stories = corpus.mentions.stories();
        for &s in stories {
            start[s as usize + 1] += 1;
        }
        for s in 0..n {
            start[s + 1] += start[s];
        }
        let mut next = start.clone();
        let mut order = vec![0u32; stories.len()];
        for (i, &s) in stories.iter().enumerate() {
            let slot = &mut next[s as usize];
            order[*slot as usize] = i as u32;
            *slot += 1;
        }
        ByStory { order, start }
    }

    /// Hands each story's mention indices (in input order) to `each`, in story order, as [`ByStory::new`]
    /// would give them, without holding the whole grouping ([`ByStory::each_part`]).
    pub fn each_story(corpus: &Corpus, mut each: impl FnMut(usize, &[u32])) {
        ByStory::each_part(corpus, |stories, part| {
            for s in stories {
                each(s, part.story(s));
            }
        });
    }

    /// Hands the stories to `each` a part at a time, in story order, each with its mentions grouped as
    /// [`ByStory::new`] groups them, without holding the whole grouping: each part holds about an eighth of
    /// the mentions (at least 2^20), one pass over the mentions' stories a part. At 10M claims that holds
    /// 5 MiB of indices at a time, not 38.
    pub fn each_part(corpus: &Corpus, each: impl FnMut(std::ops::Range<usize>, &Part<'_>)) {
        ByStory::each_part_by(corpus, (corpus.mentions.len() / 8).max(1 << 20), each);
    }

    /// [`ByStory::each_part`] with parts of at most `part` mentions (or a single story).
    fn each_part_by(corpus: &Corpus, part: usize, mut each: impl FnMut(std::ops::Range<usize>, &Part<'_>)) {
        let stories = corpus.mentions.stories();
        let n = corpus.stories.len();
        let mut start = vec![0u32; n + 1];
        for &s in stories {
            start[s as usize + 1] += 1;
        }
        for s in 0..n {
            start[s + 1] += start[s];
        }
        let (mut order, mut next) = (Vec::new(), Vec::new());
        let mut a = 0;
        while a < n {
            // The part: stories a..b, as many as hold at most `part` mentions (one at least).
            let limit = start[a] as usize + part;
            let b = (start.partition_point(|&x| x as usize <= limit) - 1).clamp(a + 1, n);
            let base = start[a];
            order.clear();
            order.resize((start[b] - base) as usize, 0u32);
            next.clear();
            next.extend(start[a..b].iter().map(|&x| x - base));
            if b - a == n {
                for (i, &s) in stories.iter().enumerate() {
                    let slot = &mut next[s as usize];
                    order[*slot as usize] = i as u32;
                    *slot += 1;
                }
            } else {
                for (i, &s) in stories.iter().enumerate() {
                    if let Some(slot) = (s as usize).checked_sub(a).and_then(|k| next.get_mut(k)) {
                        order[*slot as usize] = i as u32;
                        *slot += 1;
                    }
                }
            }
            let part = Part {
                order: &order,
                start: &start[a..=b],
                first: a,
            };
            each(a..b, &part);
            a = b;
        }
    }

    /// The whole grouping as one part.
    pub fn whole(&self) -> Part<'_> {
        Part {
            order: &self.order,
            start: &self.start,
            first: 0,
        }
    }

    /// Story `s`'s mention indices.
    pub fn story(&self, s: usize) -> &[u32] {
        &self.order[self.start[s] as usize..self.start[s + 1] as usize]
    }

    /// The number of stories.
    pub fn stories(&self) -> usize {
        self.start.len() - 1
    }
}

/// The mentions of a run of stories grouped by story ([`ByStory::each_part`]).
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    /// The run's mention indices, story by story.
    order: &'a [u32],
    /// Where each of the run's stories begins, as in [`ByStory::start`], and where the last one ends.
    start: &'a [u32],
    /// The run's first story.
    first: usize,
}

impl Part<'_> {
    /// Story `s`'s mention indices (`s` one of the part's stories).
    pub fn story(&self, s: usize) -> &[u32] {
        let k = s - self.first;
        let base = self.start[0];
        &self.order[(self.start[k] - base) as usize..(self.start[k + 1] - base) as usize]
    }
}

/// The outlet credited with each mention (in mention order): the mention's own source for an original;
/// for a relay, the end of its attribution chain within the story.
///
/// A chain passes through an outlet only if, on that story, the outlet reported nothing of its own and
/// cites one outlet only; it stops before returning to the relaying outlet. The rule looks at the set of
/// a story's mentions, not their order, so shards of the input give the same credit.
pub fn credit(corpus: &Corpus, groups: &ByStory) -> Vec<u32> {
    let mentions = &corpus.mentions;
    let mut credited: Vec<u32> = mentions.iter().map(|m| m.relays().unwrap_or(m.source)).collect();
    let mut links = Links::default();
    for s in 0..groups.stories() {
        let ms = groups.story(s);
        if ms.iter().all(|&i| mentions.get(i as usize).relays().is_none()) {
            continue;
        }
        links.build(mentions, ms);
        for &i in ms {
            credited[i as usize] = links.follow(mentions.get(i as usize));
        }
    }
    credited
}

/// The outlet credited with `mention`, a claim on a story whose mentions are `group` (for a claim met
/// again after the model ran, as when a merge writes `claims.csv`).
pub fn credit_one(corpus: &Corpus, group: &[u32], mention: Mention) -> u32 {
    let Some(_) = mention.relays() else {
        return mention.source;
    };
    let mut links = Links::default();
    links.build(&corpus.mentions, group);
    links.follow(mention)
}

/// A story's attribution links: outlets that reported nothing of their own there and cite one outlet only.
#[derive(Debug, Default)]
struct Links {
    originators: Vec<u32>,
    cites: Vec<(u32, u32)>,
    single: Vec<(u32, u32)>,
}

impl Links {
    fn build(&mut self, mentions: &Mentions, ms: &[u32]) {
        self.originators.clear();
        self.originators.extend(
            ms.iter()
                .map(|&i| mentions.get(i as usize))
                .filter(|m| m.relays().is_none())
                .map(|m| m.source),
        );
        self.originators.sort_unstable();
        self.originators.dedup();
        self.cites.clear();
        for &i in ms {
            let m = mentions.get(i as usize);
            if let Some(to) = m.relays()
                && self.originators.binary_search(&{ m.source }).is_err()
            {
                self.cites.push((m.source, to));
            }
        }
        self.cites.sort_unstable();
        self.cites.dedup();
        self.single.clear();
        let cites = &self.cites;
        for (k, &(from, to)) in cites.iter().enumerate() {
            let alone = (k == 0 || cites[k - 1].0 != from) && cites.get(k + 1).is_none_or(|n| n.0 != from);
            if alone {
                self.single.push((from, to));
            }
        }
    }

    /// The end of `m`'s chain: stops before returning to `m`'s own outlet, and after as many hops as there
    /// are links (so a cycle ends).
    fn follow(&self, m: Mention) -> u32 {
        let Some(mut at) = m.relays() else { return m.source };
        let mut hops = 0;
        while let Ok(k) = self.single.binary_search_by_key(&at, |p| p.0) {
            let next = self.single[k].1;
            if next == m.source || hops >= self.single.len() {
                break;
            }
            at = next;
            hops += 1;
        }
        at
    }
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
    use crate::corpus::{Mention, Response, Verdict};

    fn claim(corpus: &mut Corpus, _id: &str, source: &str, story: &str, attributed: Option<&str>) {
        let source = corpus.sources.intern(source);
        let attributed_to = attributed.map_or(Mention::ORIGINAL, |a| corpus.sources.intern(a));
        let story = corpus.stories.intern(story);
        corpus.mentions.push(Mention {
            story,
            source,
            attributed_to,
            stance: Stance::Asserts,
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
        claim(&mut c, "7", "Hub", "v", Some("X")); // a hub citing two outlets is no link in a chain
        claim(&mut c, "8", "Hub", "v", Some("Y"));
        claim(&mut c, "9", "Leaf", "v", Some("Hub"));
        let names: Vec<&str> = credit(&c, &ByStory::new(&c))
            .iter()
            .map(|&s| c.sources.name(s))
            .collect();
        assert_eq!(
            names,
            ["Reuters", "Reuters", "Reuters", "Ghost", "B", "A", "X", "Y", "Hub"]
        );
    }

    #[test]
    fn stories_a_part_at_a_time_as_grouped_whole() {
        let mut c = Corpus::default();
        for i in 0..500u32 {
            let story = format!("s{}", (i * 7919) % 61 + u32::from(i % 9 == 0) * 100);
            claim(&mut c, "", &format!("o{}", i % 13), &story, None);
        }
        c.stories.intern("never claimed");
        let whole = ByStory::new(&c);
        for part in [1, 3, 40, 499, 500, 10_000] {
            let mut seen = Vec::new();
            ByStory::each_part_by(&c, part, |stories, p| {
                seen.extend(stories.map(|s| (s, p.story(s).to_vec())));
            });
            let want: Vec<(usize, Vec<u32>)> = (0..whole.stories()).map(|s| (s, whole.story(s).to_vec())).collect();
            assert_eq!(seen, want, "parts of {part}");
        }
        let whole_part = whole.whole();
        assert!((0..whole.stories()).all(|s| whole_part.story(s) == whole.story(s)));
    }

    #[test]
    fn the_latest_answer_stands() {
        let mut c = Corpus::default();
        claim(&mut c, "1", "Reuters", "s", None);
        let k = c.responders.intern("Kremlin");
        for (at, v) in [(5, Verdict::Denied), (9, Verdict::Partial), (7, Verdict::Confirmed)] {
            c.responses.push(Response {
                file: 0,
                story: 0,
                responder: k,
                responded_at: at,
                verdict: v,
                line: at as u64,
            });
        }
        let ev = stories(&c);
        let s = ev.story(0);
        assert_eq!(s.answers, [(k, Some(0.5))]);
        assert_eq!(s.answer(), Answer::Partial);
    }

    #[test]
    fn answers_summarise() {
        let ev = |a: &[Option<f64>]| {
            let answers: Vec<(u32, Option<f64>)> = a.iter().map(|&s| (0, s)).collect();
            let e = StoryEvidence {
                resolution: None,
                answers: &answers,
            };
            (e.answer(), e.naive_truth())
        };
        assert_eq!(ev(&[]).0, Answer::Unanswered);
        assert_eq!(ev(&[None]).0, Answer::NoComment);
        assert_eq!(ev(&[None, Some(1.0)]).0, Answer::Confirmed);
        assert_eq!(ev(&[Some(0.0), Some(0.0)]).0, Answer::Denied);
        assert_eq!(ev(&[Some(1.0), Some(0.0)]).0, Answer::Conflicting);
        assert_eq!(ev(&[Some(1.0), Some(0.0)]).1, Some(0.5));
    }
}
