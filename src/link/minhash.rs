//! Near-duplicate texts: word shingles, a MinHash signature, and banded locality-sensitive hashing.
//!
//! Syndicated copies (one wire text run by many outlets, often without saying so) share long runs of
//! words; independent reports of the same event share names but not word order. Jaccard similarity of
//! word 3-shingles separates the two, and MinHash estimates it from a short signature: the share of equal
//! signature entries is an unbiased estimate of the Jaccard similarity.
//!
//! A [`Signature`] holds [`HASHES`] 16-bit minima (the low bits of 64-bit minima; a chance agreement of
//! 1/65,536 per entry does not move the estimate). They are cut into [`BANDS`] bands of [`ROWS`] rows,
//! and a band's four entries packed side by side are its bucket key: two texts that agree on a whole band
//! become candidates, which happens with probability 1 − (1 − J⁴)⁶ (0.998 at J = 0.9, 0.90 at 0.75, 0.01
//! at 0.2). Candidates are then checked by their estimated similarity.

use xxhash_rust::xxh3::xxh3_64;

/// Entries of a signature.
pub const HASHES: usize = 24;
/// Bands of the locality-sensitive hashing.
pub const BANDS: usize = 6;
/// Entries per band.
pub const ROWS: usize = HASHES / BANDS;
/// Words per shingle.
pub const SHINGLE: usize = 3;

/// The MinHash signature of one text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u16; HASHES]);

/// Odd multipliers of the hash family h_k(x) = (x ⊕ s_k)·m_k (a fixed list, so signatures are the same on
/// every run and machine).
const MIX: [(u64, u64); HASHES] = {
    let mut out = [(0u64, 0u64); HASHES];
    let mut k = 0;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    while k < HASHES {
        // splitmix64 steps
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out[k] = (z, (z.rotate_left(17) ^ 0xD6E8_FEB8_6659_FD93) | 1);
        k += 1;
    }
    out
};

impl Signature {
    /// The signature of a token sequence, from its word shingles (the whole sequence when shorter than a
    /// shingle). An empty sequence gets the all-ones signature, which matches only other empty texts.
    pub fn of(token_hashes: &[u64]) -> Signature {
        let mut mins = [u64::MAX; HASHES];
        let mut add = |shingle: u64| {
            for (m, &(s, mul)) in mins.iter_mut().zip(&MIX) {
                let h = (shingle ^ s).wrapping_mul(mul);
                let h = h ^ (h >> 32);
                if h < *m {
                    *m = h;
                }
            }
        };
        if token_hashes.len() < SHINGLE {
            if !token_hashes.is_empty() {
                add(shingle_hash(token_hashes));
            }
        } else {
            for w in token_hashes.windows(SHINGLE) {
                add(shingle_hash(w));
            }
        }
        let mut out = [u16::MAX; HASHES];
        for (o, m) in out.iter_mut().zip(mins) {
            *o = m as u16;
        }
        Signature(out)
    }

    /// The estimated Jaccard similarity of the two texts' shingle sets.
    pub fn similarity(&self, other: &Signature) -> f64 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / HASHES as f64
    }

    /// The bucket key of band `b`: its entries packed into 64 bits, with the band number in the top bits
    /// so that keys of different bands never meet.
    pub fn band(&self, b: usize) -> u64 {
        let mut key = 0u64;
        for &v in &self.0[b * ROWS..(b + 1) * ROWS] {
            key = (key << 16) | u64::from(v);
        }
        // 4 × 16 bits fill the word: fold the band in by a multiply, which keeps keys distinct per band.
        key ^ (b as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

fn shingle_hash(words: &[u64]) -> u64 {
    let mut bytes = [0u8; 8 * SHINGLE];
    for (chunk, w) in bytes.chunks_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    xxh3_64(&bytes[..8 * words.len().min(SHINGLE)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(text: &str) -> Signature {
        let mut hashes = Vec::new();
        super::super::normalise::tokens(text, &mut String::new(), |t, _| hashes.push(xxh3_64(t.as_bytes())));
        Signature::of(&hashes)
    }

    #[test]
    fn copies_agree_and_rewrites_do_not() {
        let wire = "Iranian Foreign Minister Abbas Araghchi handed President Vladimir Putin a letter from \
                    Supreme Leader Ali Khamenei during talks in Moscow on Monday, three sources said";
        let copy = format!("{wire}.");
        let lightly_edited = wire.replace("on Monday", "on June 23");
        let rewrite = "Putin received a message from Khamenei, carried to Moscow by Araghchi, sources say";
        assert_eq!(sig(wire).similarity(&sig(&copy)), 1.0);
        assert!(sig(wire).similarity(&sig(&lightly_edited)) > 0.6);
        assert!(sig(wire).similarity(&sig(rewrite)) < 0.3);
        // Equal texts share every band.
        assert!((0..BANDS).all(|b| sig(wire).band(b) == sig(&copy).band(b)));
    }

    #[test]
    fn bands_of_different_positions_never_share_a_key() {
        let s = Signature([7; HASHES]);
        let keys: std::collections::HashSet<u64> = (0..BANDS).map(|b| s.band(b)).collect();
        assert_eq!(keys.len(), BANDS);
    }

    #[test]
    fn short_and_empty_texts_have_signatures() {
        assert_eq!(sig("Putin").similarity(&sig("Putin!")), 1.0);
        assert_eq!(sig("").0, [u16::MAX; HASHES]);
    }
}
