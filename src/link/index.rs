//! Term weights and the inverted index: what makes candidate generation cheaper than all pairs.
//!
//! * [`Vocabulary`]: every distinct token (by its 64-bit hash) gets a dense id in hash order, its document
//!   frequency over claims and responses, and an inverse document frequency idf = ln(1 + N/df): a name
//!   that appears in a handful of texts weighs far more than `minister`.
//! * [`Vectors`]: each text as a sparse TF-IDF vector, `(1 + ln tf) · idf`, times
//!   [`super::normalise::NAME_BOOST`] for a token written as a name, scaled to unit length; entries sorted
//!   by term id, so the cosine of two texts is one merge of two sorted lists. Stored flat (one offsets
//!   array, one terms array, one weights array), not one allocation per text.
//! * [`Postings`]: for every term, the claims that hold it, in time order. A query walks only the
//!   postings of its own terms, and only the slice that falls inside its time window (two binary
//!   searches). Terms held by more than [`Postings::cap`] claims are left out of the index (they still
//!   count in the cosine): they would make every text a candidate of every other.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Features;

/// The distinct tokens of a corpus with their document frequencies.
#[derive(Debug, Default)]
pub struct Vocabulary {
    hashes: Vec<u64>,
    df_claims: Vec<u32>,
    idf: Vec<f32>,
}

impl Vocabulary {
    /// Counts document frequencies over `claims` and `responses` (each text counts a token once).
    pub fn build(claims: &[&Features], responses: &[&Features]) -> Vocabulary {
        // Integer counts per chunk, merged: the result does not depend on the chunking.
        let count = |docs: &[&Features]| -> FxHashMap<u64, u32> {
            docs.par_chunks(4096)
                .map(|chunk| {
                    let mut m = FxHashMap::default();
                    for d in chunk {
                        for &(h, _) in &d.terms {
                            *m.entry(h).or_insert(0u32) += 1;
                        }
                    }
                    m
                })
                .reduce(FxHashMap::default, |a, b| {
                    let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
                    for (h, n) in small {
                        *big.entry(h).or_insert(0) += n;
                    }
                    big
                })
        };
        let in_claims = count(claims);
        let in_responses = count(responses);
        let mut hashes: Vec<u64> = in_claims.keys().chain(in_responses.keys()).copied().collect();
        hashes.par_sort_unstable();
        hashes.dedup();
        let n = (claims.len() + responses.len()).max(1) as f64;
        let df_claims: Vec<u32> = hashes.iter().map(|h| in_claims.get(h).copied().unwrap_or(0)).collect();
        let idf = hashes
            .iter()
            .zip(&df_claims)
            .map(|(h, &c)| {
                let df = f64::from(c + in_responses.get(h).copied().unwrap_or(0)).max(1.0);
                (1.0 + n / df).ln() as f32
            })
            .collect();
        Vocabulary { hashes, df_claims, idf }
    }

    /// The id of a token hash.
    pub fn id(&self, hash: u64) -> Option<u32> {
        self.hashes.binary_search(&hash).ok().map(|i| i as u32)
    }

    /// The hash of term `id`.
    pub fn hash(&self, id: u32) -> u64 {
        self.hashes[id as usize]
    }

    /// How many claims hold term `id`.
    pub fn df_claims(&self, id: u32) -> u32 {
        self.df_claims[id as usize]
    }

    /// The number of distinct terms.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether there are no terms at all.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }
}

/// Unit-length TF-IDF vectors of many texts, stored flat.
#[derive(Debug, Default)]
pub struct Vectors {
    offsets: Vec<usize>,
    terms: Vec<u32>,
    weights: Vec<f32>,
}

impl Vectors {
    /// The vectors of `docs`, in the given order (`order[k]` is the document stored at position `k`).
    pub fn build(vocab: &Vocabulary, docs: &[&Features], order: &[u32]) -> Vectors {
        let per: Vec<Vec<(u32, f32)>> = order
            .par_iter()
            .map(|&d| {
                let mut v: Vec<(u32, f32)> = docs[d as usize]
                    .terms
                    .iter()
                    .filter_map(|&(h, tf)| vocab.id(h).map(|id| (id, tf * vocab.idf[id as usize])))
                    .collect();
                v.sort_unstable_by_key(|e| e.0);
                let norm = v.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
                if norm > 0.0 {
                    for e in &mut v {
                        e.1 /= norm;
                    }
                }
                v
            })
            .collect();
        let mut out = Vectors {
            offsets: Vec::with_capacity(per.len() + 1),
            terms: Vec::with_capacity(per.iter().map(Vec::len).sum()),
            weights: Vec::new(),
        };
        out.weights.reserve(out.terms.capacity());
        out.offsets.push(0);
        for v in per {
            for (t, w) in v {
                out.terms.push(t);
                out.weights.push(w);
            }
            out.offsets.push(out.terms.len());
        }
        out
    }

    /// The number of vectors.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Vector `k` as parallel slices of term ids (ascending) and weights.
    pub fn get(&self, k: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.offsets[k], self.offsets[k + 1]);
        (&self.terms[a..b], &self.weights[a..b])
    }
}

/// The cosine of two unit vectors, as one merge of their sorted terms.
pub fn cosine(a: (&[u32], &[f32]), b: (&[u32], &[f32])) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0f32);
    while i < a.0.len() && j < b.0.len() {
        match a.0[i].cmp(&b.0[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a.1[i] * b.1[j];
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// The shared terms of two vectors that carry most of their cosine, largest contribution first (ties by
/// term id), at most `k` of them.
pub fn top_shared(a: (&[u32], &[f32]), b: (&[u32], &[f32]), k: usize) -> Vec<(u32, f32)> {
    let (mut i, mut j) = (0, 0);
    let mut shared = Vec::new();
    while i < a.0.len() && j < b.0.len() {
        match a.0[i].cmp(&b.0[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared.push((a.0[i], a.1[i] * b.1[j]));
                i += 1;
                j += 1;
            }
        }
    }
    shared.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    shared.truncate(k);
    shared
}

/// For each indexed term, the claim positions (in time order) that hold it.
#[derive(Debug, Default)]
pub struct Postings {
    offsets: Vec<usize>,
    positions: Vec<u32>,
    cap: u32,
}

impl Postings {
    /// Indexes `claims` (vectors in time order); terms held by more than `cap` claims are left out.
    pub fn build(vocab: &Vocabulary, claims: &Vectors, cap: u32) -> Postings {
        let mut counts = vec![0usize; vocab.len() + 1];
        for &t in &claims.terms {
            if vocab.df_claims(t) <= cap {
                counts[t as usize + 1] += 1;
            }
        }
        for k in 1..counts.len() {
            counts[k] += counts[k - 1];
        }
        let mut fill = counts.clone();
        let mut positions = vec![0u32; counts[vocab.len()]];
        for k in 0..claims.len() {
            for &t in claims.get(k).0 {
                if vocab.df_claims(t) <= cap {
                    positions[fill[t as usize]] = k as u32;
                    fill[t as usize] += 1;
                }
            }
        }
        Postings {
            offsets: counts,
            positions,
            cap,
        }
    }

    /// The document-frequency cap of the index.
    pub fn cap(&self) -> u32 {
        self.cap
    }

    /// The claim positions in `lo..hi` holding term `t` (empty for a term left out of the index).
    pub fn within(&self, t: u32, lo: u32, hi: u32) -> &[u32] {
        let Some(&end) = self.offsets.get(t as usize + 1) else {
            return &[];
        };
        let list = &self.positions[self.offsets[t as usize]..end];
        let a = list.partition_point(|&p| p < lo);
        let b = list.partition_point(|&p| p < hi);
        &list[a..b.max(a)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(text: &str) -> Features {
        Features::of(text, None)
    }

    #[test]
    fn rare_names_weigh_more_than_common_words() {
        let docs: Vec<Features> = [
            "minister Araghchi visit",
            "minister budget vote",
            "minister school reform",
            "minister port strike",
        ]
        .iter()
        .map(|t| features(t))
        .collect();
        let docs: Vec<&Features> = docs.iter().collect();
        let vocab = Vocabulary::build(&docs, &[]);
        let v = Vectors::build(&vocab, &docs, &[0]);
        let (terms, weights) = v.get(0);
        let weight = |word: &str| {
            let id = vocab.id(xxhash_rust::xxh3::xxh3_64(word.as_bytes())).unwrap();
            weights[terms.iter().position(|&t| t == id).unwrap()]
        };
        assert!(weight("araghchi") > 2.0 * weight("minister"));
    }

    #[test]
    fn postings_slice_by_position_and_leave_out_common_terms() {
        let docs: Vec<Features> = ["alpha beta", "alpha gamma", "alpha beta", "delta"]
            .iter()
            .map(|t| features(t))
            .collect();
        let docs: Vec<&Features> = docs.iter().collect();
        let vocab = Vocabulary::build(&docs, &[]);
        let order: Vec<u32> = (0..4).collect();
        let v = Vectors::build(&vocab, &docs, &order);
        let p = Postings::build(&vocab, &v, 2);
        let id = |w: &str| vocab.id(xxhash_rust::xxh3::xxh3_64(w.as_bytes())).unwrap();
        assert_eq!(p.within(id("beta"), 0, 4), &[0, 2]);
        assert_eq!(p.within(id("beta"), 1, 4), &[2]);
        assert_eq!(p.within(id("beta"), 0, 2), &[0]);
        // `alpha` is in three claims, above the cap of two: not indexed.
        assert!(p.within(id("alpha"), 0, 4).is_empty());
        // Cosines: identical texts 1, disjoint 0.
        assert!((cosine(v.get(0), v.get(2)) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(v.get(0), v.get(3)), 0.0);
    }
}
