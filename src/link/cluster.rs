//! Forming stories from claims and linking responses to them.
//!
//! Claims are taken in time order (ties by input order). Each claim without a key looks for its best
//! match among the *earlier* claims within the window, found through the inverted index
//! ([`super::index::Postings`]): the candidates that share an indexed term are ranked by the summed weight
//! of the shared terms, and the best [`CANDIDATES`] get an exact cosine. Then, in order:
//!
//! * a claim whose text is a near-duplicate ([`super::minhash`]) of an earlier claim by another outlet,
//!   and that names no source itself, is a *copy*: it joins the original's story, and the ingest credits
//!   it as a relay of the original's outlet (the earliest copy is the original);
//! * otherwise a claim whose best match scores at least [`LinkParams::min_story`] joins that claim's story
//!   (single-link clustering along time);
//! * otherwise it opens a new story, numbered `auto-000001`, `auto-000002`, … in time order.
//!
//! Every claim's match is computed in parallel (it depends only on the texts); the assignment walks the
//! claims once in time order, so a story is known before any claim that joins it. A response without a
//! key is then scored against the claims published within the window before it; a story's score is its
//! best claim's, and the response is linked to every story scoring at least [`LinkParams::min_match`].

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::index::{Postings, Vectors, Vocabulary, cosine, top_shared};
use super::minhash::BANDS;
use super::{ClaimDoc, Features, LinkParams, ResponseDoc};

/// Candidates that get an exact cosine, per claim.
pub const CANDIDATES: usize = 16;
/// Candidates that get an exact cosine, per response.
pub const RESPONSE_CANDIDATES: usize = 512;
/// Shared words reported per link.
pub const WORDS: usize = 5;

/// The document-frequency cap of the index: terms in more claims than this are not used to find
/// candidates (they still count in every cosine).
pub fn df_cap(claims: usize) -> u32 {
    (claims / 1000).max(500) as u32
}

/// A story: one the input named, or one the matcher formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StoryRef {
    /// The caller's keyed story with this id.
    Keyed(u32),
    /// The n-th story formed by the matcher, from 1.
    Auto(u32),
}

/// Where a claim went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaimMatch {
    /// Its story.
    pub story: StoryRef,
    /// The similarity that put it there; `None` for a keyed claim or one that opened its story.
    pub score: Option<f32>,
    /// The claim (input index) whose near-duplicate it is, when it is an unattributed copy.
    pub copy_of: Option<u32>,
}

/// What became of one response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ResponseOutcome {
    /// It carried its own story key.
    Keyed,
    /// Linked to this many stories.
    Linked(u32),
    /// No story reached the threshold; the best score seen.
    Unmatched(f32),
}

/// One claim–response link: the response answers the claim's story.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseLink {
    /// The response (input index).
    pub response: u32,
    /// The story it answers.
    pub story: StoryRef,
    /// A claim of that story published within the window before the response (input index).
    pub claim: u32,
    /// The cosine of this claim and the response.
    pub score: f32,
    /// The shared token hashes that carried most of the score, largest first.
    pub words: Vec<u64>,
}

/// The matcher's result.
#[derive(Debug, Clone, Default)]
pub struct Matching {
    /// Per claim, in input order.
    pub claims: Vec<ClaimMatch>,
    /// Per response, in input order.
    pub responses: Vec<ResponseOutcome>,
    /// Every link, by response (input order), then story (best score first), then claim (time order).
    pub links: Vec<ResponseLink>,
    /// Stories formed.
    pub auto_stories: u32,
}

/// Forms stories for the unkeyed claims and links the unkeyed responses.
///
/// ```
/// use credence::link::{ClaimDoc, Features, LinkParams, ResponseDoc, StoryRef, link};
/// let claim = |time, source, text| ClaimDoc { time, source, story: None, attributed: false,
///     features: Features::of(text, None) };
/// let day = 86_400;
/// let claims = [
///     claim(0, 0, "Araghchi handed Putin a letter from Khamenei in Moscow"),
///     claim(day, 1, "Khamenei letter to Putin delivered by Araghchi, sources say"),
///     claim(day, 2, "Central bank raises interest rates to curb inflation"),
/// ];
/// let responses = [ResponseDoc { time: 3 * day, keyed: false,
///     features: Features::of("Peskov: no written message from Khamenei was delivered to Putin", None) }];
/// let m = link(&claims, &responses, &LinkParams::default());
/// assert_eq!(m.claims[0].story, StoryRef::Auto(1));
/// assert_eq!(m.claims[1].story, StoryRef::Auto(1));
/// assert_eq!(m.claims[2].story, StoryRef::Auto(2));
/// assert!(m.links.iter().all(|l| l.story == StoryRef::Auto(1)));
/// assert_eq!(m.links.len(), 2);
/// ```
pub fn link(claims: &[ClaimDoc], responses: &[ResponseDoc], params: &LinkParams) -> Matching {
    let n = claims.len();
    let window = params.window_seconds();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&i| (claims[i as usize].time, i));
    let doc = |pos: usize| &claims[order[pos] as usize];
    let times: Vec<i64> = order.iter().map(|&i| claims[i as usize].time).collect();
    let claim_features: Vec<&Features> = claims.iter().map(|c| &c.features).collect();
    let response_features: Vec<&Features> = responses.iter().filter(|r| !r.keyed).map(|r| &r.features).collect();
    let vocab = Vocabulary::build(&claim_features, &response_features);
    let vectors = Vectors::build(&vocab, &claim_features, &order);
    let postings = Postings::build(&vocab, &vectors, df_cap(n));

    // Each unkeyed claim's best earlier match within the window.
    let best: Vec<Option<(u32, f32)>> = (0..n)
        .into_par_iter()
        .map_init(FxHashMap::<u32, f32>::default, |acc, i| {
            if doc(i).story.is_some() {
                return None;
            }
            let lo = times.partition_point(|&t| t < times[i] - window) as u32;
            best_matches(&vectors, &postings, vectors.get(i), lo, i as u32, CANDIDATES, acc)
                .into_iter()
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        })
        .collect();
    let copies = find_copies(claims, &order, &times, window, params.min_copy);

    // The assignment, in time order.
    let mut story_at: Vec<StoryRef> = Vec::with_capacity(n);
    let mut by_input = vec![
        ClaimMatch {
            story: StoryRef::Auto(0),
            score: None,
            copy_of: None,
        };
        n
    ];
    let mut auto = 0u32;
    for i in 0..n {
        let c = doc(i);
        let m = if let Some(k) = c.story {
            ClaimMatch {
                story: StoryRef::Keyed(k),
                score: None,
                copy_of: None,
            }
        } else if let Some(f) = copies[i] {
            ClaimMatch {
                story: story_at[f as usize],
                score: Some(cosine(vectors.get(i), vectors.get(f as usize))),
                copy_of: Some(order[f as usize]),
            }
        } else if let Some((q, s)) = best[i].filter(|b| f64::from(b.1) >= params.min_story) {
            ClaimMatch {
                story: story_at[q as usize],
                score: Some(s),
                copy_of: None,
            }
        } else {
            auto += 1;
            ClaimMatch {
                story: StoryRef::Auto(auto),
                score: None,
                copy_of: None,
            }
        };
        story_at.push(m.story);
        by_input[order[i] as usize] = m;
    }

    // Stories' members, for listing every claim a response answers.
    let mut members: Vec<(StoryRef, u32)> = story_at.iter().enumerate().map(|(p, &s)| (s, p as u32)).collect();
    members.par_sort_unstable();

    let answered: Vec<(ResponseOutcome, Vec<ResponseLink>)> = responses
        .par_iter()
        .enumerate()
        .map_init(FxHashMap::<u32, f32>::default, |acc, (k, r)| {
            if r.keyed {
                return (ResponseOutcome::Keyed, Vec::new());
            }
            let lo = times.partition_point(|&t| t < r.time - window) as u32;
            let hi = times.partition_point(|&t| t <= r.time) as u32;
            let rv = Vectors::build(&vocab, &[&r.features], &[0]);
            let query = rv.get(0);
            let scored = best_matches(&vectors, &postings, query, lo, hi, RESPONSE_CANDIDATES, acc);
            let mut stories: Vec<(StoryRef, f32)> = Vec::new();
            for &(pos, s) in &scored {
                let story = story_at[pos as usize];
                match stories.iter_mut().find(|e| e.0 == story) {
                    Some(e) => e.1 = e.1.max(s),
                    None => stories.push((story, s)),
                }
            }
            stories.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let best = stories.first().map_or(0.0, |e| e.1);
            let linked: Vec<StoryRef> = stories
                .iter()
                .filter(|e| f64::from(e.1) >= params.min_match)
                .map(|e| e.0)
                .collect();
            if linked.is_empty() {
                return (ResponseOutcome::Unmatched(best), Vec::new());
            }
            let mut links = Vec::new();
            for &story in &linked {
                let first = members.partition_point(|m| m.0 < story);
                for &(s, pos) in &members[first..] {
                    if s != story {
                        break;
                    }
                    if pos < lo || pos >= hi {
                        continue;
                    }
                    let cv = vectors.get(pos as usize);
                    links.push(ResponseLink {
                        response: k as u32,
                        story,
                        claim: order[pos as usize],
                        score: cosine(query, cv),
                        words: top_shared(query, cv, WORDS)
                            .into_iter()
                            .map(|(t, _)| vocab.hash(t))
                            .collect(),
                    });
                }
            }
            (ResponseOutcome::Linked(linked.len() as u32), links)
        })
        .collect();
    let mut out = Matching {
        claims: by_input,
        auto_stories: auto,
        ..Matching::default()
    };
    for (outcome, mut links) in answered {
        out.responses.push(outcome);
        out.links.append(&mut links);
    }
    out
}

/// The claims at positions `lo..hi` that share an indexed term with `query`, the best `keep` of them by
/// the summed query weight of the shared terms, each with its exact cosine; in position order.
fn best_matches(
    vectors: &Vectors,
    postings: &Postings,
    query: (&[u32], &[f32]),
    lo: u32,
    hi: u32,
    keep: usize,
    acc: &mut FxHashMap<u32, f32>,
) -> Vec<(u32, f32)> {
    acc.clear();
    for (&t, &w) in query.0.iter().zip(query.1) {
        for &p in postings.within(t, lo, hi) {
            *acc.entry(p).or_insert(0.0) += w;
        }
    }
    let mut ranked: Vec<(u32, f32)> = acc.iter().map(|(&p, &s)| (p, s)).collect();
    if ranked.len() > keep {
        ranked.select_nth_unstable_by(keep, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(keep);
    }
    ranked.sort_unstable_by_key(|e| e.0);
    for e in &mut ranked {
        e.1 = cosine(query, vectors.get(e.0 as usize));
    }
    ranked
}

/// For each position, the earliest earlier claim by another outlet that its text nearly duplicates, within
/// the window; only for claims with no key and no attribution of their own.
fn find_copies(claims: &[ClaimDoc], order: &[u32], times: &[i64], window: i64, min_copy: f64) -> Vec<Option<u32>> {
    let n = order.len();
    let doc = |pos: usize| &claims[order[pos] as usize];
    // Every band key with the first position that has it.
    let mut keys: Vec<(u64, u32)> = (0..n)
        .into_par_iter()
        .filter(|&p| !doc(p).features.is_empty())
        .flat_map_iter(|p| {
            let s = doc(p).features.signature;
            (0..BANDS).map(move |b| (s.band(b), p as u32))
        })
        .collect();
    keys.par_sort_unstable();
    keys.dedup_by_key(|e| e.0);
    (0..n)
        .into_par_iter()
        .map(|i| {
            let c = doc(i);
            if c.story.is_some() || c.attributed || c.features.is_empty() {
                return None;
            }
            let s = c.features.signature;
            (0..BANDS)
                .filter_map(|b| {
                    let key = s.band(b);
                    let at = keys.partition_point(|e| e.0 < key);
                    keys.get(at).filter(|e| e.0 == key).map(|e| e.1)
                })
                .filter(|&f| {
                    let o = doc(f as usize);
                    (f as usize) < i
                        && times[f as usize] >= times[i] - window
                        && o.source != c.source
                        && o.features.signature.similarity(&s) >= min_copy
                })
                .min()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn claim(time: i64, source: u32, text: &str) -> ClaimDoc {
        ClaimDoc {
            time,
            source,
            story: None,
            attributed: false,
            features: Features::of(text, None),
        }
    }

    fn response(time: i64, text: &str) -> ResponseDoc {
        ResponseDoc {
            time,
            keyed: false,
            features: Features::of(text, None),
        }
    }

    #[test]
    fn a_response_answers_only_claims_before_it_and_within_the_window() {
        let claims = [
            claim(0, 0, "Araghchi handed Putin a letter from Khamenei"),
            claim(30 * DAY, 1, "Araghchi handed Putin a letter from Khamenei again"),
            claim(40 * DAY, 2, "Araghchi handed Putin another letter from Khamenei"),
        ];
        let r = [response(
            35 * DAY,
            "No letter from Khamenei was handed to Putin by Araghchi",
        )];
        let m = link(&claims, &r, &LinkParams::default());
        // The first claim is 35 days old: outside the 14-day window; the third comes after the response.
        let linked: Vec<u32> = m.links.iter().map(|l| l.claim).collect();
        assert_eq!(linked, vec![1]);
        // With a 60-day window the first claim (its story is the second's) is answered too.
        let wide = LinkParams {
            window_days: 60.0,
            ..LinkParams::default()
        };
        let m = link(&claims, &r, &wide);
        let linked: Vec<u32> = m.links.iter().map(|l| l.claim).collect();
        assert_eq!(linked, vec![0, 1]);
    }

    #[test]
    fn thresholds_decide_links_and_stories() {
        let claims = [
            claim(0, 0, "Araghchi met Putin in Moscow"),
            claim(DAY, 1, "Putin hosted Lavrov and Araghchi for talks on grain"),
        ];
        let r = [response(2 * DAY, "Putin spoke about grain exports")];
        let strict = LinkParams {
            min_match: 0.99,
            min_story: 0.99,
            ..LinkParams::default()
        };
        let m = link(&claims, &r, &strict);
        assert_eq!(m.auto_stories, 2);
        assert!(matches!(m.responses[0], ResponseOutcome::Unmatched(s) if s > 0.0 && s < 0.99));
        assert!(m.links.is_empty());
        let loose = LinkParams {
            min_match: 0.01,
            min_story: 0.01,
            ..LinkParams::default()
        };
        let m = link(&claims, &r, &loose);
        assert_eq!(m.auto_stories, 1);
        assert_eq!(m.responses[0], ResponseOutcome::Linked(1));
        assert_eq!(m.links.len(), 2);
    }

    #[test]
    fn a_copy_by_another_outlet_is_a_relay_of_the_earliest() {
        let wire = "Iranian Foreign Minister Abbas Araghchi handed President Vladimir Putin a letter from \
                    Supreme Leader Ali Khamenei during talks in Moscow, three sources said";
        let claims = [
            claim(2 * DAY, 2, wire),
            claim(DAY, 0, wire),
            claim(DAY + 60, 0, wire),
            claim(3 * DAY, 3, "Khamenei wrote to Putin, Araghchi carried the letter"),
        ];
        let m = link(&claims, &[], &LinkParams::default());
        assert_eq!(m.claims[1].copy_of, None, "the earliest is the original");
        assert_eq!(m.claims[0].copy_of, Some(1));
        assert_eq!(m.claims[2].copy_of, None, "same outlet: not a relay");
        assert_eq!(m.claims[3].copy_of, None, "a rewrite is not a copy");
        assert!(m.claims.iter().take(3).all(|c| c.story == StoryRef::Auto(1)));
    }

    #[test]
    fn keyed_claims_keep_their_story_and_unkeyed_ones_can_join_it() {
        let mut keyed = claim(0, 0, "OPEC+ agrees to raise oil output by 411,000 barrels in July");
        keyed.story = Some(7);
        let claims = [
            keyed,
            claim(DAY, 1, "OPEC+ to raise July oil output by 411,000 barrels a day"),
        ];
        let m = link(&claims, &[], &LinkParams::default());
        assert_eq!(m.claims[0].story, StoryRef::Keyed(7));
        assert_eq!(m.claims[1].story, StoryRef::Keyed(7));
        assert_eq!(m.auto_stories, 0);
    }

    #[test]
    fn the_result_does_not_depend_on_the_thread_count() {
        let claims: Vec<ClaimDoc> = (0..300)
            .map(|k| {
                claim(
                    (k as i64 % 40) * DAY,
                    k % 7,
                    &format!("Minister Name{} met envoy Person{} in City{}", k % 23, k % 17, k % 11),
                )
            })
            .collect();
        let responses: Vec<ResponseDoc> = (0..40)
            .map(|k| {
                response(
                    k * DAY + 1,
                    &format!("Ministry denies Name{} met Person{}", k % 23, k % 17),
                )
            })
            .collect();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| link(&claims, &responses, &LinkParams::default()))
        };
        let (a, b) = (run(1), run(3));
        assert_eq!(a.claims, b.claims);
        assert_eq!(a.responses, b.responses);
        assert_eq!(a.links, b.links);
    }
}
