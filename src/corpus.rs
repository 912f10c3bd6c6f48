//! The domain: claims by outlets, responses by official bodies, resolutions, held as compact rows.
//!
//! Names (outlets, stories, responders) are interned once into [`Names`], so the model works on small
//! integer ids and sorts, groups and joins without touching strings. A [`Corpus`] is what ingest builds and
//! what the model reads; it holds only rows that passed validation.

/// Whether a claim says its story's proposition is so, or is not so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Stance {
    /// The claim asserts the proposition.
    Asserts,
    /// The claim denies the proposition.
    Denies,
}

impl Stance {
    /// The label used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Asserts => "asserts",
            Stance::Denies => "denies",
        }
    }
}

/// What an official body answered about a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Verdict {
    /// The story is so.
    Confirmed,
    /// The story is not so.
    Denied,
    /// Part of the story is so: half a confirmation and half a denial in a responder's two rates; its
    /// weight as evidence is learned on its own (`model::responders`).
    Partial,
    /// The body declined to answer: no evidence either way.
    NoComment,
}

impl Verdict {
    /// The label used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Denied => "denied",
            Verdict::Partial => "partial",
            Verdict::NoComment => "no_comment",
        }
    }

    /// How much of a confirmation the verdict is (1 confirmed, ½ partial, 0 denied); `None` for no comment.
    pub fn signal(self) -> Option<f64> {
        match self {
            Verdict::Confirmed => Some(1.0),
            Verdict::Partial => Some(0.5),
            Verdict::Denied => Some(0.0),
            Verdict::NoComment => None,
        }
    }
}

/// What was later established about a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// The proposition was so.
    True,
    /// The proposition was not so.
    False,
    /// Partly so: counts half true and half false.
    Mixed,
}

impl Outcome {
    /// The label used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::True => "true",
            Outcome::False => "false",
            Outcome::Mixed => "mixed",
        }
    }

    /// The share of truth: 1 true, ½ mixed, 0 false.
    pub fn truth(self) -> f64 {
        match self {
            Outcome::True => 1.0,
            Outcome::Mixed => 0.5,
            Outcome::False => 0.0,
        }
    }
}

/// A table of names, each given a dense id in order of first appearance (renumbered in byte order by
/// [`Names::number_by_name`] once a corpus is loaded).
///
/// Names live end to end in one string arena; the hash table holds only ids, hashing the arena's text.
/// Millions of story ids then cost their bytes plus about a dozen bytes each, not two `String`s. Once every
/// name is in, the table (up to 10 bytes a name: a power-of-two table at most 7/8 full) can be freed
/// ([`Names::release_lookup`]); a later [`Names::get`] or [`Names::intern`] builds it again.
#[derive(Default, Clone)]
pub struct Names {
    arena: String,
    ends: Ends,
    table: std::sync::OnceLock<hashbrown::HashTable<u32>>,
    hasher: rustc_hash::FxBuildHasher,
    /// While the names are packed away ([`Names::stow`]): the arena and the names' lengths (zstd), the
    /// arena's length and how many names there are.
    stowed: Option<(Vec<u8>, usize, usize)>,
}

/// Where each name ends in the arena: 4 bytes a name while the arena is under 4 GiB, 8 after.
#[derive(Debug, Clone)]
enum Ends {
    Narrow(Vec<u32>),
    Wide(Vec<usize>),
}

impl Default for Ends {
    fn default() -> Self {
        Ends::Narrow(Vec::new())
    }
}

impl Ends {
    fn len(&self) -> usize {
        match self {
            Ends::Narrow(v) => v.len(),
            Ends::Wide(v) => v.len(),
        }
    }

    fn push(&mut self, end: usize) {
        match self {
            Ends::Narrow(v) => match u32::try_from(end) {
                Ok(e) => v.push(e),
                Err(_) => {
                    let mut wide: Vec<usize> = v.iter().map(|&e| e as usize).collect();
                    wide.push(end);
                    *self = Ends::Wide(wide);
                }
            },
            Ends::Wide(v) => v.push(end),
        }
    }

    /// The arena's range of name `i`.
    fn span(&self, i: usize) -> std::ops::Range<usize> {
        match self {
            Ends::Narrow(v) => (if i == 0 { 0 } else { v[i - 1] as usize })..v[i] as usize,
            Ends::Wide(v) => (if i == 0 { 0 } else { v[i - 1] })..v[i],
        }
    }
}

/// The hash of a name id's text, for the lookup table to move its entries when it grows.
fn rehash<'a>(hasher: &'a rustc_hash::FxBuildHasher, arena: &'a str, ends: &'a Ends) -> impl Fn(&u32) -> u64 + 'a {
    move |&id| {
        use std::hash::BuildHasher;
        hasher.hash_one(&arena[ends.span(id as usize)])
    }
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.stowed {
            Some((_, _, n)) => write!(f, "[{n} names stowed]"),
            None => f.debug_list().entries(self.iter()).finish(),
        }
    }
}

impl Names {
    fn hash(&self, name: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(name)
    }

    /// The lookup table, built from the arena if it was released.
    fn lookup(&self) -> &hashbrown::HashTable<u32> {
        self.table.get_or_init(|| {
            assert!(self.stowed.is_none(), "names are looked up while they are stowed");
            let mut table = hashbrown::HashTable::with_capacity(self.ends.len());
            for id in 0..self.ends.len() as u32 {
                table.insert_unique(self.hash(self.name(id)), id, |&id| self.hash(self.name(id)));
            }
            table
        })
    }

    /// Frees the table that finds a name's id (the names stay): for a table that is complete, whose ids
    /// are only turned back into names from now on. [`Names::get`] and [`Names::intern`] build it again.
    pub fn release_lookup(&mut self) {
        self.table = std::sync::OnceLock::new();
    }

    /// The lookup table (built if it was released) beside the arena, the ends and the hasher, borrowed
    /// apart so that the table can grow while the names rehash its entries.
    fn table_parts(
        &mut self,
    ) -> (
        &mut hashbrown::HashTable<u32>,
        &mut String,
        &mut Ends,
        &rustc_hash::FxBuildHasher,
    ) {
        self.lookup();
        let Names {
            arena,
            ends,
            table,
            hasher,
            ..
        } = self;
        (
            table.get_mut().expect("built by lookup just above"),
            arena,
            ends,
            hasher,
        )
    }

    /// The id of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        let hash = self.hash(name);
        let (table, arena, ends, hasher) = self.table_parts();
        if let Some(&id) = table.find(hash, |&id| &arena[ends.span(id as usize)] == name) {
            return id;
        }
        let id = u32::try_from(ends.len()).expect("fewer than 2^32 distinct names");
        arena.push_str(name);
        ends.push(arena.len());
        table.insert_unique(hash, id, rehash(hasher, arena, ends));
        id
    }

    /// Makes room in the lookup table for `total` names, at most twice as many as there are: for a loader
    /// that expects that many, so that the table doubles while little else is held rather than when it
    /// fills (it holds its old and its new slots at once while it rehashes: 20 and 40 MiB for the 3.9M
    /// stories of the 10M benchmark votes, at 94% of the file).
    pub fn reserve_for(&mut self, total: usize) {
        let len = self.ends.len();
        let want = total.min(2 * len);
        if want <= len {
            return;
        }
        let (table, arena, ends, hasher) = self.table_parts();
        if want > table.capacity() {
            table.reserve(want - len, rehash(hasher, arena, ends));
        }
    }

    /// The id of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.lookup()
            .find(self.hash(name), |&id| self.name(id) == name)
            .copied()
    }

    /// The name of `id`.
    ///
    /// # Panics
    /// When there is no such name, or the names are stowed ([`Names::stow`]).
    pub fn name(&self, id: u32) -> &str {
        assert!(self.stowed.is_none(), "name {id} read while the names are stowed");
        let i = id as usize;
        &self.arena[self.ends.span(i)]
    }

    /// How many names there are (stowed or not).
    pub fn len(&self) -> usize {
        self.stowed.as_ref().map_or(self.ends.len(), |s| s.2)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every name, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len() as u32).map(|id| self.name(id))
    }

    /// Every id, in byte order of the names. Sorted by the 8 bytes after the prefix all names share, as a
    /// number, and by the whole names only where those tie: at 3M story ids a quarter of the time of
    /// comparing names throughout, which reads each from wherever it lies in the arena.
    fn ids_by_name(&self) -> Vec<u32> {
        use rayon::prelude::*;
        let n = self.len() as u32;
        if n == 0 {
            return Vec::new();
        }
        let first = self.name(0).as_bytes();
        let common = (1..n)
            .into_par_iter()
            .map(|id| {
                let b = self.name(id).as_bytes();
                first.iter().zip(b).take_while(|(x, y)| x == y).count()
            })
            .min()
            .unwrap_or(0);
        let key = |id: u32| {
            let rest = &self.name(id).as_bytes()[common..];
            let mut word = [0u8; 8];
            let k = rest.len().min(8);
            word[..k].copy_from_slice(&rest[..k]);
            u64::from_be_bytes(word)
        };
        let mut keyed: Vec<(u64, u32)> = (0..n).into_par_iter().map(|id| (key(id), id)).collect();
        keyed.par_sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| self.name(a.1).as_bytes()[common..].cmp(&self.name(b.1).as_bytes()[common..]))
        });
        keyed.into_par_iter().map(|(_, id)| id).collect()
    }

    /// Renumbers the names in byte order, returning each old id's new one; `None`, and nothing changed,
    /// when they are in that order already. The lookup table is released (the next [`Names::get`] builds
    /// it), so that it is not held beside the copy of the names being made.
    ///
    /// # Panics
    /// When the names are stowed ([`Names::stow`]).
    pub fn number_by_name(&mut self) -> Option<Vec<u32>> {
        use rayon::prelude::*;
        let n = self.len();
        let sorted = (0..n.saturating_sub(1) as u32)
            .into_par_iter()
            .all(|id| self.name(id) < self.name(id + 1));
        if sorted {
            return None;
        }
        self.release_lookup();
        let by_name = self.ids_by_name();
        let mut new = vec![0u32; n];
        let mut arena = String::with_capacity(self.arena.len());
        let mut ends = Ends::default();
        for (k, &id) in by_name.iter().enumerate() {
            new[id as usize] = k as u32;
            arena.push_str(self.name(id));
            ends.push(arena.len());
        }
        self.arena = arena;
        self.ends = ends;
        Some(new)
    }

    /// Packs the names away in memory (zstd) for a while that reads only how many there are, such as
    /// scoring with em (16 MiB of story names at 3.6M votes, 1.5 packed); [`Names::unstow`] puts them back.
    /// Until then [`Names::name`], [`Names::get`] and [`Names::intern`] panic. Names past 4 GiB stay.
    pub fn stow(&mut self) {
        if self.stowed.is_some() {
            return;
        }
        let Ends::Narrow(ends) = &self.ends else { return };
        use std::io::Write;
        let mut out = zstd::stream::Encoder::new(Vec::new(), STOW_LEVEL).expect("zstd into memory");
        out.write_all(self.arena.as_bytes()).expect("zstd into memory");
        let mut buf = Vec::with_capacity(STOW_CHUNK * 4);
        let mut previous = 0u32;
        pack(
            &mut out,
            &mut buf,
            ends.iter().map(|&e| {
                let d = e - previous;
                previous = e;
                d.to_le_bytes()
            }),
        );
        let mut packed = out.finish().expect("zstd into memory");
        packed.shrink_to_fit();
        self.stowed = Some((packed, self.arena.len(), ends.len()));
        self.release_lookup();
        self.arena = String::new();
        self.ends = Ends::default();
    }

    /// Puts back the names [`Names::stow`] packed away.
    pub fn unstow(&mut self) {
        let Some((packed, arena_len, n)) = self.stowed.take() else {
            return;
        };
        use std::io::Read;
        let mut input = zstd::stream::Decoder::new(&packed[..]).expect("zstd from memory");
        let mut arena = vec![0; arena_len];
        input.read_exact(&mut arena).expect("stowed bytes read back");
        self.arena = String::from_utf8(arena).expect("names stowed as UTF-8");
        let mut ends = Vec::with_capacity(n);
        let mut previous = 0u32;
        unpack(&mut input, &mut Vec::new(), n, |b| {
            previous += u32::from_le_bytes(b);
            ends.push(previous);
        });
        self.ends = Ends::Narrow(ends);
    }
}

#[cfg(test)]
mod names_tests {
    use super::Names;

    #[test]
    fn numbering_by_name_follows_byte_order() {
        // Names sharing a long prefix, names that are prefixes of others (one with a NUL after it, which
        // pads like the shorter name), ties in the 8 bytes after the common prefix, non-ASCII.
        let mut raw: Vec<String> = ["story-a", "story-", "story-a\0", "story-ab", "story-äb", "story-a~"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for i in (0..300).rev() {
            raw.push(format!("story-{}", i * 7919 % 1000));
            raw.push(format!("story-0123456789-{i}"));
        }
        let mut n = Names::default();
        for s in &raw {
            n.intern(s);
        }
        let before: Vec<String> = n.iter().map(String::from).collect();
        let new = n.number_by_name().expect("not in byte order");
        let mut want = before.clone();
        want.sort();
        assert_eq!(n.iter().collect::<Vec<_>>(), want);
        for (old, name) in before.iter().enumerate() {
            assert_eq!(n.name(new[old]), name);
            assert_eq!(n.get(name), Some(new[old]));
        }
        assert_eq!(n.number_by_name(), None, "sorted already");
        for names in [&[][..], &["only"][..]] {
            let mut n = Names::default();
            names.iter().for_each(|s| _ = n.intern(s));
            assert_eq!(n.number_by_name(), None);
        }
    }

    #[test]
    fn interns_in_order_of_first_appearance() {
        let mut n = Names::default();
        let ids: Vec<u32> = ["b", "a", "b", "", "ä", "a"].iter().map(|s| n.intern(s)).collect();
        assert_eq!(ids, [0, 1, 0, 2, 3, 1]);
        assert_eq!(n.iter().collect::<Vec<_>>(), ["b", "a", "", "ä"]);
        assert_eq!(n.get("ä"), Some(3));
        assert_eq!(n.get("c"), None);
        for i in 0..10_000 {
            n.intern(&format!("story-{i}"));
        }
        assert_eq!(n.get("story-9999"), Some(4 + 9999));
        assert_eq!(n.name(4 + 5000), "story-5000");
        n.release_lookup();
        assert_eq!(n.get("story-9999"), Some(4 + 9999));
        n.release_lookup();
        assert_eq!(n.intern("a"), 1);
        assert_eq!(n.intern("new"), 4 + 10_000);
        assert_eq!(n.get("new"), Some(4 + 10_000));
        // Room made ahead: at most twice the names there are, and the ids stay.
        let room = n.lookup().capacity();
        n.reserve_for(1 << 30);
        let grown = n.lookup().capacity();
        assert!(
            grown > room && grown <= 2 * (2 * n.len()).max(room),
            "{room} -> {grown}"
        );
        n.reserve_for(3);
        assert_eq!(n.lookup().capacity(), grown);
        assert_eq!(
            (n.get("story-9999"), n.intern("a"), n.intern("newer")),
            (Some(4 + 9999), 1, 4 + 10_001)
        );
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn name_ends_widen_past_4_gib() {
        let mut ends = super::Ends::default();
        let far = u32::MAX as usize + 10;
        for end in [3, 7, far, far + 2] {
            ends.push(end);
        }
        assert!(matches!(ends, super::Ends::Wide(_)));
        assert_eq!(ends.len(), 4);
        assert_eq!([ends.span(0), ends.span(1), ends.span(3)], [0..3, 3..7, far..far + 2]);
    }
}

/// One accepted claim, reduced to what scoring needs, whatever the claim's text; a [`Corpus`] holds them
/// column by column ([`Mentions`]: 8 bytes and a bit a claim without relays, 12 with).
///
/// The claim's id, time and text are not kept: per-claim outputs are written by a second pass over the
/// input, which pairs the n-th accepted row with the n-th mention. Packed (no padding after the stance, so
/// 13 bytes where alignment would make 16); the fields are only ever copied out, never borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed)]
pub struct Mention {
    /// The story (proposition) it is about.
    pub story: u32,
    /// The outlet that published it.
    pub source: u32,
    /// The outlet it says it relays ("according to …"), or [`Mention::ORIGINAL`].
    pub attributed_to: u32,
    /// Whether it asserts or denies the story.
    pub stance: Stance,
}

impl Mention {
    /// The `attributed_to` of a claim that relays nobody.
    pub const ORIGINAL: u32 = u32::MAX;

    /// The outlet relayed, if any.
    pub fn relays(&self) -> Option<u32> {
        (self.attributed_to != Mention::ORIGINAL).then_some(self.attributed_to)
    }
}

/// Every accepted claim's [`Mention`], in input order, held column by column: 8 bytes and a bit a claim
/// (story, outlet, stance as a bit), and 4 more for the outlet relayed only once some claim relays one.
/// At 10M claims that is 78 MiB where a `Vec<Mention>` (13 bytes packed) takes 124.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Mentions {
    story: Vec<u32>,
    source: Vec<u32>,
    /// Bit `i % 64` of word `i / 64`: claim `i` denies.
    denies: Vec<u64>,
    /// Each claim's `attributed_to`; empty while none relays another outlet (every one is
    /// [`Mention::ORIGINAL`] then).
    attributed: Vec<u32>,
}

impl Mentions {
    /// How many claims there are.
    pub fn len(&self) -> usize {
        self.story.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.story.is_empty()
    }

    /// Claim `i`.
    ///
    /// # Panics
    /// When `i` is out of range, as a slice does.
    #[inline]
    pub fn get(&self, i: usize) -> Mention {
        Mention {
            story: self.story[i],
            source: self.source[i],
            attributed_to: self.attributed.get(i).copied().unwrap_or(Mention::ORIGINAL),
            stance: if self.denies[i / 64] >> (i % 64) & 1 == 1 {
                Stance::Denies
            } else {
                Stance::Asserts
            },
        }
    }

    /// Claim `i`'s story.
    #[inline]
    pub fn story(&self, i: usize) -> u32 {
        self.story[i]
    }

    /// Every claim's story, in order.
    pub fn stories(&self) -> &[u32] {
        &self.story
    }

    /// Appends a claim.
    pub fn push(&mut self, m: Mention) {
        let i = self.story.len();
        self.story.push(m.story);
        self.source.push(m.source);
        if i.is_multiple_of(64) {
            self.denies.push(0);
        }
        self.denies[i / 64] |= u64::from(m.stance == Stance::Denies) << (i % 64);
        if !self.attributed.is_empty() || m.attributed_to != Mention::ORIGINAL {
            if self.attributed.is_empty() {
                // The first relay: from here on one outlet a claim.
                self.attributed.reserve(self.story.capacity());
                self.attributed.resize(i, Mention::ORIGINAL);
            }
            self.attributed.push(m.attributed_to);
        }
    }

    /// Makes room for `n` more claims (the relays' column only once it is kept).
    pub fn reserve(&mut self, n: usize) {
        self.story.reserve(n);
        self.source.reserve(n);
        self.denies
            .reserve((self.len() + n).div_ceil(64).saturating_sub(self.denies.len()));
        if !self.attributed.is_empty() {
            self.attributed.reserve(n);
        }
    }

    /// Sets claim `i`'s relayed outlet.
    pub fn set_attributed_to(&mut self, i: usize, to: u32) {
        if self.attributed.is_empty() {
            if to == Mention::ORIGINAL {
                return;
            }
            self.attributed = vec![Mention::ORIGINAL; self.len()];
        }
        self.attributed[i] = to;
    }

    /// Whether some claim relays another outlet.
    pub fn any_relays(&self) -> bool {
        self.attributed.iter().any(|&a| a != Mention::ORIGINAL)
    }

    /// Every claim, in order.
    pub fn iter(&self) -> MentionsIter<'_> {
        MentionsIter {
            mentions: self,
            at: 0..self.len(),
        }
    }
}

/// The claims of a [`Mentions`], in order ([`Mentions::iter`]).
#[derive(Debug, Clone)]
pub struct MentionsIter<'a> {
    mentions: &'a Mentions,
    at: std::ops::Range<usize>,
}

impl Iterator for MentionsIter<'_> {
    type Item = Mention;

    #[inline]
    fn next(&mut self) -> Option<Mention> {
        self.at.next().map(|i| self.mentions.get(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.at.size_hint()
    }
}

impl DoubleEndedIterator for MentionsIter<'_> {
    fn next_back(&mut self) -> Option<Mention> {
        self.at.next_back().map(|i| self.mentions.get(i))
    }
}

impl ExactSizeIterator for MentionsIter<'_> {}

impl FromIterator<Mention> for Mentions {
    fn from_iter<I: IntoIterator<Item = Mention>>(iter: I) -> Self {
        let mut mentions = Mentions::default();
        mentions.extend(iter);
        mentions
    }
}

impl Extend<Mention> for Mentions {
    fn extend<I: IntoIterator<Item = Mention>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        for m in iter {
            self.push(m);
        }
    }
}

impl<'a> IntoIterator for &'a Mentions {
    type Item = Mention;
    type IntoIter = MentionsIter<'a>;

    fn into_iter(self) -> MentionsIter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod mentions_tests {
    use super::{Mention, Mentions, Stance};

    #[test]
    fn mentions_read_back_as_pushed() {
        let m = |i: u32, relays: bool| Mention {
            story: i / 3,
            source: i % 7,
            attributed_to: if relays { i % 5 } else { Mention::ORIGINAL },
            stance: if i % 4 == 1 { Stance::Denies } else { Stance::Asserts },
        };
        let plain: Vec<Mention> = (0..200).map(|i| m(i, false)).collect();
        let mut mentions: Mentions = plain.iter().copied().collect();
        assert!(
            mentions.attributed.is_empty() && !mentions.any_relays(),
            "no relays: no column"
        );
        assert!(mentions.iter().eq(plain.iter().copied()));
        assert_eq!(
            (mentions.len(), mentions.get(130), mentions.story(130)),
            (200, plain[130], 43)
        );
        // A relay half way: the claims before it read as originals still.
        let mut mixed = plain.clone();
        for i in 200..300 {
            mixed.push(m(i, i % 2 == 0));
        }
        mentions.extend(mixed[200..].iter().copied());
        assert!(mentions.any_relays() && mentions.iter().eq(mixed.iter().copied()));
        assert_eq!((&mentions).into_iter().next_back(), mixed.last().copied());
        let mut marked: Mentions = plain.iter().copied().collect();
        marked.set_attributed_to(7, Mention::ORIGINAL);
        assert!(marked.attributed.is_empty());
        marked.set_attributed_to(7, 3);
        assert_eq!((marked.get(7).relays(), marked.get(8).relays()), (Some(3), None));
    }
}

/// One official body's answer about one story.
#[derive(Debug, Clone)]
pub struct Response {
    /// The story answered.
    pub story: u32,
    /// The official body.
    pub responder: u32,
    /// When it answered, seconds since the Unix epoch, UTC.
    pub responded_at: i64,
    /// What it answered.
    pub verdict: Verdict,
    /// Which responses file it came from (their index, files in name order), for tie-breaks.
    pub file: u32,
    /// The line of the input file it came from.
    pub line: u64,
}

/// What was later established about one story.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The story resolved.
    pub story: u32,
    /// The outcome.
    pub outcome: Outcome,
    /// When it was established, seconds since the Unix epoch, UTC.
    pub resolved_at: i64,
    /// Who established it, if given.
    pub resolver: Option<u32>,
    /// The line of the input file it came from.
    pub line: u64,
}

/// Times in seconds since the epoch, in order, 4 bytes each while they lie within 68 years of the first
/// (8 bytes each otherwise), and none while they are all the same: claims' publication times, which em's
/// copy model keeps for every claim (a file that gives every claim one time, 14 MiB at 3.6M claims less).
#[derive(Debug, Default, Clone)]
pub struct Times {
    /// The time that offset 0 stands for: the first time less 2^31 s, so that offsets reach 68 years
    /// either side of it. While every time is the same, that time.
    base: i64,
    /// While every time is the same (`offsets` and `wide` empty): how many there are.
    same: usize,
    /// Each time less `base`, while every time fits and they are not all the same; then empty.
    offsets: Vec<u32>,
    /// Every time, once one did not fit an offset; empty until then.
    wide: Vec<i64>,
    /// Room asked for ([`Times::reserve`]) while the times were all the same, made when they no longer are.
    reserved: usize,
}

impl PartialEq for Times {
    fn eq(&self, other: &Times) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Times {}

impl Times {
    /// Appends a time.
    pub fn push(&mut self, t: i64) {
        if self.wide.is_empty() {
            if self.offsets.is_empty() {
                if self.same == 0 || t == self.base {
                    self.base = t;
                    self.same += 1;
                    return;
                }
                // The first time that differs: from here on one offset each.
                let first = self.base;
                self.base = first.saturating_sub(1 << 31);
                let o = u32::try_from(first - self.base).expect("the first time is 2^31 s after the base");
                self.offsets.reserve(self.reserved.max(self.same + 1));
                self.offsets.resize(self.same, o);
                self.same = 0;
            }
            if let Some(o) = t.checked_sub(self.base).and_then(|d| u32::try_from(d).ok()) {
                self.offsets.push(o);
                return;
            }
            let base = self.base;
            self.wide = self.offsets.iter().map(|&o| base + i64::from(o)).collect();
            self.offsets = Vec::new();
        }
        self.wide.push(t);
    }

    /// Time `i`.
    ///
    /// # Panics
    /// When `i` is out of range, as a slice does.
    pub fn get(&self, i: usize) -> i64 {
        if !self.wide.is_empty() {
            self.wide[i]
        } else if !self.offsets.is_empty() {
            self.base + i64::from(self.offsets[i])
        } else {
            assert!(i < self.same, "time {i} of {}", self.same);
            self.base
        }
    }

    /// How many times there are.
    pub fn len(&self) -> usize {
        self.offsets.len().max(self.wide.len()).max(self.same)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Makes room for `n` more times.
    pub fn reserve(&mut self, n: usize) {
        if !self.wide.is_empty() {
            self.wide.reserve(n);
        } else if !self.offsets.is_empty() {
            self.offsets.reserve(n);
        } else {
            self.reserved = self.same + n;
        }
    }

    /// Every time, in order.
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl FromIterator<i64> for Times {
    fn from_iter<I: IntoIterator<Item = i64>>(iter: I) -> Self {
        let mut times = Times::default();
        for t in iter {
            times.push(t);
        }
        times
    }
}

#[cfg(test)]
mod times_tests {
    use super::Times;

    #[test]
    fn times_read_back_as_pushed_near_and_far() {
        let near = [
            1_700_000_000,
            1_700_000_000,
            0,
            1_700_000_000 + (1 << 31) - 1,
            1_700_000_000 - (1 << 31),
        ];
        let times: Times = near.iter().copied().collect();
        assert_eq!(times.iter().collect::<Vec<_>>(), near);
        assert!(times.wide.is_empty(), "all within 68 years of the first: 4 bytes each");
        assert_eq!(times.offsets.len(), near.len());
        let far = [5, i64::MIN, i64::MAX, 7, 1 << 40];
        let times: Times = far.iter().copied().collect();
        assert_eq!(times.iter().collect::<Vec<_>>(), far);
        assert_eq!((times.len(), times.get(3)), (5, 7));
        assert!(Times::default().is_empty());
        let mut same = Times::default();
        same.reserve(10);
        for _ in 0..3 {
            same.push(-5);
        }
        assert_eq!(
            (same.len(), same.get(2), same.offsets.len()),
            (3, -5, 0),
            "one time for all: none kept"
        );
        same.push(i64::MAX);
        assert!(same.wide.len() == 4 && same.offsets.is_empty() && same.same == 0);
        assert_eq!(same.iter().collect::<Vec<_>>(), [-5, -5, -5, i64::MAX]);
        let mut changes = Times::default();
        changes.reserve(10);
        for t in [7, 7, 8, 7, 1 << 40] {
            changes.push(t);
        }
        assert_eq!(changes.iter().collect::<Vec<_>>(), [7, 7, 8, 7, 1 << 40]);
        assert_eq!(changes, [7, 7, 8, 7, 1 << 40].into_iter().collect());
        assert_ne!(changes, [7, 7, 8, 7].into_iter().collect());
    }
}

/// Every validated input row, with its names interned.
#[derive(Debug, Default, Clone)]
pub struct Corpus {
    /// Outlets: those that published claims and those only cited by `attributed_to`.
    pub sources: Names,
    /// Stories, from the claims.
    pub stories: Names,
    /// Official bodies, from the responses.
    pub responders: Names,
    /// Resolvers, from the resolutions.
    pub resolvers: Names,
    /// Accepted claims in input order.
    pub mentions: Mentions,
    /// Each accepted claim's publication time (seconds since the epoch), parallel to `mentions`; empty
    /// unless the loader was asked to keep times (time-weighted scoring needs them; the rest does not).
    pub published: Times,
    /// Responses in input order.
    pub responses: Vec<Response>,
    /// Resolutions in input order, at most one per story.
    pub resolutions: Vec<Resolution>,
    /// Topics of claims, by name (read only when per-topic reliabilities are asked for).
    pub topics: Names,
    /// Each accepted claim's topic, parallel to `mentions` (`u32::MAX`: none); empty unless topics are read.
    pub mention_topics: Vec<u32>,
    /// Groups of outlets (`--sources-meta`), by name.
    pub groups: Names,
    /// Each outlet's group (by source id), `u32::MAX` for none; empty when no groups were given.
    pub source_group: Vec<u32>,
    /// Normalised claim values ([`crate::value`]), when the claims file has a `value` column.
    pub values: Names,
    /// Each accepted claim's value (an id in `values`), in mention order; empty when the claims file has
    /// no `value` column (plain true-or-false stories).
    pub mention_values: Vec<u32>,
    /// How the values were normalised.
    pub value_kind: crate::value::ValueKind,
}

impl Corpus {
    /// Whether stories are multi-valued: the claims carry values.
    pub fn valued(&self) -> bool {
        !self.mention_values.is_empty()
    }

    /// Numbers the outlets, stories, values and topics in the byte order of their names rather than in
    /// order of first appearance, so that the ids, and every order the model sums in, are properties of the
    /// names and not of the order of the rows.
    ///
    /// Floating-point sums depend on their order in the last bits. A fit with one fixed point absorbs
    /// that; em over numbers on a degenerate input (an outlet naming two numbers on one story, a fit that
    /// stalls without converging) does not, and the same claims in another row order led it to another
    /// answer. With ids by name, the sums over stories, outlets and a story's classes run in one order for
    /// any row order, and `stories.csv`, written in story order, is the same bytes too.
    pub fn number_by_name(&mut self) {
        use rayon::prelude::*;
        if let Some(new) = self.sources.number_by_name() {
            renumber(&mut self.mentions.source, &new);
            renumber(&mut self.mentions.attributed, &new);
            if !self.source_group.is_empty() {
                let mut group = vec![u32::MAX; self.source_group.len()];
                for (old, &g) in self.source_group.iter().enumerate() {
                    group[new[old] as usize] = g;
                }
                self.source_group = group;
            }
        }
        if let Some(new) = self.stories.number_by_name() {
            renumber(&mut self.mentions.story, &new);
            self.responses
                .par_iter_mut()
                .for_each(|r| r.story = new[r.story as usize]);
            self.resolutions
                .par_iter_mut()
                .for_each(|r| r.story = new[r.story as usize]);
        }
        if let Some(new) = self.values.number_by_name() {
            renumber(&mut self.mention_values, &new);
        }
        if let Some(new) = self.topics.number_by_name() {
            renumber(&mut self.mention_topics, &new);
        }
        self.number_groups_by_name();
    }

    /// Numbers the groups of outlets in byte order of their names, as [`Corpus::number_by_name`] does the
    /// rest: they are read after it ran (`--sources-meta`), and so that file's row order decides nothing.
    pub fn number_groups_by_name(&mut self) {
        if let Some(new) = self.groups.number_by_name() {
            renumber(&mut self.source_group, &new);
        }
    }
}

/// Replaces each id in `ids` (but `u32::MAX`, none) by its new number `new[id]`.
fn renumber(ids: &mut [u32], new: &[u32]) {
    use rayon::prelude::*;
    ids.par_iter_mut()
        .filter(|id| **id != u32::MAX)
        .for_each(|id| *id = new[*id as usize]);
}

/// Elements packed at a time by [`Corpus::stow`], column by column.
const STOW_CHUNK: usize = 1 << 16;
/// zstd's level for [`Corpus::stow`]: its fastest that is not one of the negative levels.
const STOW_LEVEL: i32 = 1;

/// Parts of a [`Corpus`] packed away in memory (zstd) by [`Corpus::stow`] while em's fit runs, which reads
/// neither: the mentions and the claims' times. On the 3.6M benchmark votes they are 45 and 14 MiB, packed
/// a few MiB. [`Corpus::unstow`] puts them back as they were.
#[derive(Debug, Default)]
pub struct Stowed {
    packed: Vec<u8>,
    mentions: usize,
    /// Whether the relayed outlets' column was kept.
    relays: bool,
    /// Times as offsets, or wide: how many (a single time for all stays in place).
    offsets: usize,
    wide: usize,
}

impl Stowed {
    /// The packed size, bytes.
    pub fn packed_len(&self) -> usize {
        self.packed.len()
    }
}

/// Each value's difference from the one before it (wrapping; the first from 0), as little-endian bytes:
/// story ids and time offsets of files in story or time order differ by little, and zstd packs small
/// numbers well.
fn deltas(values: &[u32]) -> impl Iterator<Item = [u8; 4]> + '_ {
    let mut previous = 0u32;
    values.iter().map(move |&v| {
        let d = v.wrapping_sub(previous);
        previous = v;
        d.to_le_bytes()
    })
}

/// Writes `values` as little-endian bytes through a chunk buffer `buf`.
fn pack<const N: usize>(out: &mut impl std::io::Write, buf: &mut Vec<u8>, values: impl Iterator<Item = [u8; N]>) {
    let mut values = values.peekable();
    while values.peek().is_some() {
        buf.clear();
        for v in values.by_ref().take(STOW_CHUNK) {
            buf.extend_from_slice(&v);
        }
        out.write_all(buf).expect("zstd into memory");
    }
}

/// Reads `n` values of `N` bytes each written by [`pack`], handing each to `each`.
fn unpack<const N: usize>(input: &mut impl std::io::Read, buf: &mut Vec<u8>, n: usize, mut each: impl FnMut([u8; N])) {
    let mut left = n;
    while left > 0 {
        let k = left.min(STOW_CHUNK);
        buf.resize(k * N, 0);
        input.read_exact(buf).expect("stowed bytes read back");
        for v in buf.chunks_exact(N) {
            each(v.try_into().expect("chunks of N"));
        }
        left -= k;
    }
}

impl Corpus {
    /// Packs away the mentions and the claims' times: for a stage that reads neither, such as em's fit.
    /// Until [`Corpus::unstow`] they read as empty.
    /// Column by column (story as the difference from the claim before, which in files grouped by story is
    /// mostly 0 or 1), zstd's fastest level: about 0.1 s for the 3.6M votes.
    pub fn stow(&mut self) -> Stowed {
        let mut out = zstd::stream::Encoder::new(Vec::new(), STOW_LEVEL).expect("zstd into memory");
        let mut buf = Vec::with_capacity(STOW_CHUNK * 8);
        let Mentions {
            story,
            source,
            denies,
            attributed,
        } = std::mem::take(&mut self.mentions);
        pack(&mut out, &mut buf, deltas(&story));
        let n_mentions = story.len();
        drop(story);
        pack(&mut out, &mut buf, source.iter().map(|s| s.to_le_bytes()));
        drop(source);
        pack(&mut out, &mut buf, denies.iter().map(|w| w.to_le_bytes()));
        drop(denies);
        pack(&mut out, &mut buf, attributed.iter().map(|a| a.to_le_bytes()));
        let relays = !attributed.is_empty();
        drop(attributed);
        let offsets = std::mem::take(&mut self.published.offsets);
        pack(&mut out, &mut buf, deltas(&offsets));
        let n_offsets = offsets.len();
        drop(offsets);
        let wide = std::mem::take(&mut self.published.wide);
        let mut previous = 0i64;
        pack(
            &mut out,
            &mut buf,
            wide.iter().map(|&t| {
                let d = t.wrapping_sub(previous);
                previous = t;
                d.to_le_bytes()
            }),
        );
        let n_wide = wide.len();
        drop(wide);
        let mut packed = out.finish().expect("zstd into memory");
        packed.shrink_to_fit();
        Stowed {
            packed,
            mentions: n_mentions,
            relays,
            offsets: n_offsets,
            wide: n_wide,
        }
    }

    /// Puts back what [`Corpus::stow`] packed away.
    pub fn unstow(&mut self, stowed: Stowed) {
        let mut input = zstd::stream::Decoder::new(&stowed.packed[..]).expect("zstd from memory");
        let mut buf = Vec::with_capacity(STOW_CHUNK * 8);
        let n = stowed.mentions;
        let mut story = Vec::with_capacity(n);
        let mut previous = 0u32;
        unpack(&mut input, &mut buf, n, |b| {
            previous = previous.wrapping_add(u32::from_le_bytes(b));
            story.push(previous);
        });
        let mut source = Vec::with_capacity(n);
        unpack(&mut input, &mut buf, n, |b| source.push(u32::from_le_bytes(b)));
        let mut denies = Vec::with_capacity(n.div_ceil(64));
        unpack(&mut input, &mut buf, n.div_ceil(64), |b| {
            denies.push(u64::from_le_bytes(b))
        });
        let n_attributed = if stowed.relays { n } else { 0 };
        let mut attributed = Vec::with_capacity(n_attributed);
        unpack(&mut input, &mut buf, n_attributed, |b| {
            attributed.push(u32::from_le_bytes(b))
        });
        self.mentions = Mentions {
            story,
            source,
            denies,
            attributed,
        };
        let mut offsets = Vec::with_capacity(stowed.offsets);
        let mut previous = 0u32;
        unpack(&mut input, &mut buf, stowed.offsets, |b| {
            previous = previous.wrapping_add(u32::from_le_bytes(b));
            offsets.push(previous);
        });
        self.published.offsets = offsets;
        let mut wide = Vec::with_capacity(stowed.wide);
        let mut previous = 0i64;
        unpack(&mut input, &mut buf, stowed.wide, |b| {
            previous = previous.wrapping_add(i64::from_le_bytes(b));
            wide.push(previous);
        });
        self.published.wide = wide;
    }
}

#[cfg(test)]
mod stow_tests {
    use super::*;

    #[test]
    fn stowed_parts_come_back_as_they_were() {
        let mut corpus = Corpus::default();
        for i in 0..200_000u32 {
            corpus.mentions.push(Mention {
                story: (i / 3) ^ (i % 7),
                source: i.wrapping_mul(2_654_435_761) % 1000,
                attributed_to: if i % 5 == 0 { i % 11 } else { Mention::ORIGINAL },
                stance: if i % 3 == 0 { Stance::Denies } else { Stance::Asserts },
            });
            corpus
                .published
                .push(1_700_000_000 + i64::from(i.wrapping_mul(40_503) % 86_400));
            corpus.stories.intern(&format!("story-{}", i / 3));
        }
        corpus.stories.intern("ä");
        corpus.sources.intern("outlet");
        let before = corpus.clone();
        let stowed = corpus.stow();
        corpus.stories.stow();
        assert!(corpus.mentions.is_empty() && corpus.published.is_empty());
        assert_eq!(corpus.stories.len(), before.stories.len());
        assert_eq!(format!("{:?}", corpus.stories), "[66668 names stowed]");
        assert!(stowed.packed_len() < 200_000 * 13);
        corpus.unstow(stowed);
        corpus.stories.unstow();
        assert_eq!(corpus.mentions, before.mentions);
        assert_eq!(corpus.published, before.published);
        assert!(corpus.stories.iter().eq(before.stories.iter()));
        assert_eq!(corpus.stories.get("story-5"), Some(5));
        // Mentions without relays (no relays' column), a number of them not a multiple of 64.
        let plain: Mentions = before
            .mentions
            .iter()
            .take(1000)
            .map(|m| Mention {
                attributed_to: Mention::ORIGINAL,
                ..m
            })
            .collect();
        let mut corpus = Corpus {
            mentions: plain.clone(),
            ..Corpus::default()
        };
        let stowed = corpus.stow();
        assert!(corpus.mentions.is_empty());
        corpus.unstow(stowed);
        assert_eq!(corpus.mentions, plain);
        // Times far apart (8 bytes each), one time for all, and nothing at all.
        for times in [vec![5, i64::MIN, i64::MAX, 7], vec![9; 1000], vec![]] {
            let mut corpus = Corpus {
                published: times.iter().copied().collect(),
                ..Corpus::default()
            };
            let before = corpus.published.clone();
            let stowed = corpus.stow();
            corpus.unstow(stowed);
            assert_eq!(corpus.published, before);
            assert_eq!(corpus.published.len(), times.len());
        }
    }
}

#[cfg(test)]
mod numbering_tests {
    use super::*;

    /// Every id held anywhere in the corpus follows its name to the new number.
    #[test]
    fn numbering_by_name_moves_every_reference() {
        let mut c = Corpus::default();
        let claims = [
            ("zeta", "s2", Some("alpha"), "9", "war"),
            ("alpha", "s1", None, "10", "peace"),
            ("mid", "s2", None, "9", "war"),
            ("zeta", "s0", Some("mid"), "1e3", ""),
        ];
        for (source, story, relays, value, topic) in claims {
            let source = c.sources.intern(source);
            let attributed_to = relays.map_or(Mention::ORIGINAL, |r| c.sources.intern(r));
            let story = c.stories.intern(story);
            c.mentions.push(Mention {
                story,
                source,
                attributed_to,
                stance: Stance::Asserts,
            });
            c.mention_values.push(c.values.intern(value));
            c.mention_topics.push(if topic.is_empty() {
                u32::MAX
            } else {
                c.topics.intern(topic)
            });
        }
        c.source_group = vec![7, u32::MAX, 3];
        let responder = c.responders.intern("office");
        c.responses.push(Response {
            story: c.stories.get("s1").unwrap(),
            responder,
            responded_at: 0,
            verdict: Verdict::Denied,
            file: 0,
            line: 2,
        });
        c.resolutions.push(Resolution {
            story: c.stories.get("s0").unwrap(),
            outcome: Outcome::True,
            resolved_at: 0,
            resolver: None,
            line: 2,
        });
        let names = |c: &Corpus| {
            (0..c.mentions.len())
                .map(|i| {
                    let m = c.mentions.get(i);
                    (
                        c.sources.name(m.source).to_owned(),
                        c.stories.name(m.story).to_owned(),
                        m.relays().map(|r| c.sources.name(r).to_owned()),
                        c.values.name(c.mention_values[i]).to_owned(),
                        c.mention_topics[i],
                    )
                })
                .map(|(a, b, r, v, t)| (a, b, r, v, (t != u32::MAX).then(|| c.topics.name(t).to_owned())))
                .collect::<Vec<_>>()
        };
        let before = names(&c);
        c.number_by_name();
        assert_eq!(names(&c), before);
        assert!(c.sources.iter().eq(["alpha", "mid", "zeta"]));
        assert!(c.stories.iter().eq(["s0", "s1", "s2"]));
        assert!(c.values.iter().eq(["10", "1e3", "9"]));
        assert!(c.topics.iter().eq(["peace", "war"]));
        // zeta (7) and alpha (no group) and mid (3), now alpha, mid, zeta.
        assert_eq!(c.source_group, [u32::MAX, 3, 7]);
        assert_eq!(c.stories.name(c.responses[0].story), "s1");
        assert_eq!(c.stories.name(c.resolutions[0].story), "s0");
    }
}
