//! Numbers as numbers: em's model of number-valued stories (`--value-kind number`) and the numeric
//! estimate of each story.
//!
//! The one-coin model of free values says a wrong outlet names any other value with the same chance, so
//! 61,700 is as far from 61,704 as 10¹¹ is, and a value claimed by one trusted outlet can beat two others
//! that agree. Here a story's truth is one of the numbers claimed on it (uniform prior, no "none of them":
//! the [`estimate`] covers a truth nobody claimed), and a report `x` of an outlet with reliability θ,
//! given the truth `v`, is drawn from a two-part mixture on the transformed scale `t = asinh(x / c)`:
//!
//! * with probability θ a **good** report: `t(x) = t(v) + b·ε`, ε a Student t with [`NU`] = 4 degrees of
//!   freedom, an exact or near value (see [`Kernel`] for why not a normal);
//! * with probability 1 − θ a **gross error**: `t(x)` uniform over the range of the data's numbers
//!   (density `g`), their bulk within Tukey's far-out fences (`bulk_range`): one absurd number must not
//!   move every outlet's score.
//!
//! A number is known only to its written precision, so a report's likelihood is the probability of its
//! rounding bin (width `w`: the finest decimal step two outlets write, 1 for integers, carried to the transformed
//! scale), divided by the bin's width: the kernel's density averaged over the bin ([`Kernel::density`]).
//! This is what keeps the fit well posed: with densities, votes that tie exactly (answers in steps of 5,
//! a population copied from the census) make the likelihood grow without bound as `b → 0`, and em
//! collapsed onto the ties; a bin's probability is at most 1.
//!
//! On a bounded scale (`--value-bounds`, [`Numbers::censor`]) a report at an end is censored: its good
//! part's likelihood is the kernel's mass beyond the inner edge of its bin ([`Kernel::likelihood`]), in the
//! story's posterior and in each report's chance of being good; the estimate and the kernel's M-step take
//! reports as written (see [`Side`] and DESIGN.md, "Bounded scales", for why).
//!
//! `asinh(x / c)` is linear for `|x|` well below `c` and logarithmic above it, so an error is absolute on
//! a bounded rating scale and relative for populations and prices; `c` is the median of the nonzero
//! numbers' magnitudes ([`Numbers::new`]), so the data say where the change happens (a heuristic: where
//! errors are relative at every size, truths far below the median are compared on a linear scale, and
//! fitting `c` instead fails on rating scales; DESIGN.md, "em over numbers"). The scale `b` is
//! fitted by em's M-step ([`fit_scale`]): the `b` that maximises the likelihood of every vote given its
//! story's current estimate and its outlet's reliability, over stories with at least two votes (a vote
//! alone on its story always sits at its own value and says nothing about the spread), found on a grid
//! of `ln b` and refined by Brent's method (the likelihood can have a second, narrow mode at the ties).
//! θ is the outlet's reliability as in the rest of em: here the share of its reports that are good, not
//! exactly equal to the truth.
//!
//! A report's probability `c′` of being good given the rest of its story (its own vote left out, a
//! cavity `q` over the candidates) follows from its likelihood
//! `Σⱼ qⱼ (θ K(tᵢ − tⱼ) + (1 − θ) g) = θ A + (1 − θ) g` with `A = Σⱼ qⱼ K(tᵢ − tⱼ)`: `c′ = A / (A + g)`,
//! the uncertain factor `c′θ + (1 − c′)(1 − θ)` of its outlet's record ([`story`]).
//!
//! The **estimate** of a story is the truth when it may be any number, a weighted mean of the votes on
//! the transformed scale: the fixed point of `μ = Σ rᵢ tᵢ / Σ rᵢ`, `rᵢ` the responsibility of the good
//! part for vote `i` at μ under the story's own scale, climbed from two starts ([`estimate`]), so outliers weigh nothing and
//! reliable outlets weigh more, in the spirit of GTM (Zhao & Han 2012) and CRH (Li et al. 2014), with one
//! scale for every outlet rather than one per outlet. It is a mean of the good votes, not the t
//! likelihood's maximum, whose own weights `(ν + 1) / (ν + z²)` would also pull it towards the densest
//! votes (a median-like centre); measured on the Emotion set, that was further from the gold
//! (DESIGN.md, "em over numbers").

use rayon::prelude::*;

use super::categorical::{Contribution, Unit};

/// The smallest kernel scale on the transformed scale (numbers keep six significant digits, a relative
/// step of at least 1e-6).
pub const MIN_SCALE: f64 = 1e-6;
/// Iterations of the estimate's fixed point at most (it stops sooner when μ stops moving).
const ESTIMATE_ITERATIONS: usize = 200;
/// Points of the grid on `ln b` that brackets the scale's maximum likelihood before Brent's method.
const SCALE_GRID: usize = 48;
/// Votes per block of the scale's objective, summed in parallel ([`fit_scale`]).
const SCALE_BLOCK: usize = 4096;

/// The numbers of number-valued stories' classes, aligned with [`super::categorical::Classes::PerStory`]'s
/// value ids, and the transformed scale they are compared on.
#[derive(Debug, Clone)]
pub struct Numbers {
    /// Each class's number.
    pub x: Vec<f64>,
    /// Each class's position on the transformed scale, `asinh(x / scale)`.
    pub t: Vec<f64>,
    /// Each class's rounding bin on the transformed scale: the width of `[x − r/2, x + r/2]` there, with
    /// `r` the data's resolution.
    pub w: Vec<f64>,
    /// The transform's scale `c`.
    pub scale: f64,
    /// The log density `ln g` of a gross error on the transformed scale: minus the log of the range of
    /// the `t` (`bulk_range`; 0 when every number is the same).
    pub log_background: f64,
    /// The data's resolution, the width of a rounding bin before the transform ([`resolution`]).
    pub resolution: f64,
    /// The range gross errors are spread over on the transformed scale (`bulk_range`).
    pub bulk: (f64, f64),
    /// Each class's place on a bounded scale ([`Numbers::censor`]): [`Side::Below`] for a report at the
    /// scale's low end (it stands for any value at or below it), [`Side::Above`] at the high end,
    /// [`Side::Inside`] otherwise.
    pub side: Vec<Side>,
}

/// Where a report lies on a bounded scale (`--value-bounds`): a slider or a rating scale cannot record a
/// value beyond its ends, so a report at an end is censored, the reading of any value at or beyond it
/// (Tobin 1958): its good part's likelihood is the kernel's tail beyond the end's bin, not its density.
/// That is how em chooses a story's value and judges its reports. The estimate still averages the reports
/// as written, and the kernel's scale is measured from it as written: Tobit's imputation of the latent
/// values took Emotion's estimate MAE from 11.9 to 14.3 (its gold is a mean of answers on the scale), and
/// a censored M-step around an estimate as written widens the kernel (DESIGN.md, "Bounded scales").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// Not at an end, or no bounds: the kernel's density over the report's bin.
    #[default]
    Inside,
    /// At the low end: the kernel's mass below the top of the end's bin.
    Below,
    /// At the high end: the kernel's mass above the bottom of the end's bin.
    Above,
}

/// The ends of a bounded scale of numbers (`--value-bounds LO:HI`, either end optional).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Bounds {
    /// The low end, if any.
    pub low: Option<f64>,
    /// The high end, if any.
    pub high: Option<f64>,
}

impl std::str::FromStr for Bounds {
    type Err = String;

    /// `LO:HI`, `LO:` or `:HI`, finite numbers with `LO < HI`.
    fn from_str(text: &str) -> Result<Bounds, String> {
        let (lo, hi) = text
            .split_once(':')
            .ok_or_else(|| format!("expected LO:HI, LO: or :HI, not `{text}`"))?;
        let end = |v: &str| -> Result<Option<f64>, String> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(format!("`{v}` is not a finite number")),
            }
        };
        let bounds = Bounds {
            low: end(lo)?,
            high: end(hi)?,
        };
        match bounds {
            Bounds { low: None, high: None } => Err("give at least one end, as in 0:100, 0: or :100".into()),
            Bounds {
                low: Some(l),
                high: Some(h),
            } if l >= h => Err(format!("the low end {l} must be below the high end {h}")),
            _ => Ok(bounds),
        }
    }
}

impl Numbers {
    /// The classes' numbers `x`, written to `resolution` (see [`resolution`]); the scale `c` is the median
    /// of the nonzero `|x|` (1 when all are zero).
    pub fn new(x: Vec<f64>, resolution: f64) -> Numbers {
        let mut magnitudes: Vec<f64> = x.iter().map(|v| v.abs()).filter(|&v| v > 0.0).collect();
        magnitudes.sort_by(f64::total_cmp);
        let scale = if magnitudes.is_empty() {
            1.0
        } else {
            median_sorted(&magnitudes)
        };
        let t: Vec<f64> = x.iter().map(|&v| (v / scale).asinh()).collect();
        let half = 0.5 * resolution;
        let w = x
            .iter()
            .map(|&v| ((v + half) / scale).asinh() - ((v - half) / scale).asinh())
            .collect();
        let (lo, hi) = bulk_range(&t);
        let log_background = if hi > lo { -(hi - lo).ln() } else { 0.0 };
        let side = vec![Side::Inside; x.len()];
        Numbers {
            x,
            t,
            w,
            scale,
            log_background,
            resolution,
            bulk: (lo, hi),
            side,
        }
    }

    /// Marks the classes at the ends of a bounded scale as censored ([`Side`]), story by story: story `s`'s
    /// classes are `start[s]..start[s + 1]`. An end holds on a story only where none of its numbers lies
    /// beyond it, so data that mix scales (ratings from 0 to 100 beside a valence from −100 to 100) can
    /// name the narrower one: a story with a report below 0 is evidently not on it, and its 0 is a plain
    /// number.
    pub fn censor(&mut self, bounds: Bounds, start: &[u32]) {
        for r in start.windows(2) {
            let r = r[0] as usize..r[1] as usize;
            let x = &self.x[r.clone()];
            let low = bounds.low.filter(|&l| x.iter().all(|&v| v >= l));
            let high = bounds.high.filter(|&h| x.iter().all(|&v| v <= h));
            for (side, &v) in self.side[r].iter_mut().zip(x) {
                *side = if Some(v) == low {
                    Side::Below
                } else if Some(v) == high {
                    Side::Above
                } else {
                    Side::Inside
                };
            }
        }
    }

    /// The narrowest kernel the data can tell from a narrower one: one rounding step at zero on the
    /// transformed scale, the coarsest bin the transform makes (about `resolution / c`), and at least
    /// [`MIN_SCALE`]. Below a report's bin width its chance of being good no longer depends on `b` (the
    /// whole kernel falls in its bin), so where no near miss sets it the scale's M-step ran down to
    /// [`MIN_SCALE`]; and there a report written to a finer bin (a huge number, whose bins the transform
    /// shrinks) got a good part thousands of times likelier than an integer's, so that in a story of
    /// values that disagree a vandal's 10⁴¹ beat 100 and −5.
    pub fn finest_scale(&self) -> f64 {
        (2.0 * (0.5 * self.resolution / self.scale).asinh()).max(MIN_SCALE)
    }

    /// The range of the transformed numbers, `1 / g`.
    pub fn range(&self) -> f64 {
        (-self.log_background).exp()
    }

    /// The density `g` of a gross error on the transformed scale, `1 / range`.
    pub fn background(&self) -> f64 {
        self.log_background.exp()
    }

    /// A position on the transformed scale back as a number.
    pub fn number(&self, t: f64) -> f64 {
        self.scale * t.sinh()
    }

    /// What `summary.json` says of the number model, with the kernel em fitted.
    pub fn fitted(&self, kernel: &Kernel) -> NumberModel {
        NumberModel {
            numbers: self.x.len(),
            transform_scale: self.scale,
            resolution: self.resolution,
            kernel_scale: kernel.b,
            gross_low: self.number(self.bulk.0),
            gross_high: self.number(self.bulk.1),
            beyond_fences: self.t.iter().filter(|&&v| v < self.bulk.0 || v > self.bulk.1).count(),
        }
    }
}

/// em's number model as fitted, for `summary.json`: where a report stops being a near miss and becomes a
/// gross error, in the data's own terms.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct NumberModel {
    /// Distinct numbers claimed, counted once per story.
    pub numbers: usize,
    /// `c` of the transform `asinh(x / c)`: errors are absolute well below it, relative above it.
    #[serde(serialize_with = "crate::numfmt::sig3")]
    pub transform_scale: f64,
    /// The rounding bin's width before the transform.
    pub resolution: f64,
    /// The fitted scale `b` of the good reports' kernel on the transformed scale (above `c`, about the
    /// relative size of a typical near miss).
    #[serde(serialize_with = "crate::numfmt::sig3")]
    pub kernel_scale: f64,
    /// The least number of the range gross errors are spread over (within Tukey's far-out fences).
    #[serde(serialize_with = "crate::numfmt::sig3")]
    pub gross_low: f64,
    /// The greatest.
    #[serde(serialize_with = "crate::numfmt::sig3")]
    pub gross_high: f64,
    /// Numbers beyond the fences, left out of that range (each still scored, as a gross error or not).
    pub beyond_fences: usize,
}

/// Tukey's far-out fences: beyond them a number is far out of the data's bulk.
const FENCE: f64 = 3.0;

/// The range of the transformed numbers `t` that a gross error is spread over: from the least to the
/// greatest within Tukey's far-out fences, the quartiles widened by three times the interquartile range
/// (every number's range where the quartiles coincide). By maximum likelihood a uniform's support is the
/// whole range, and one absurd number stretches that: a single claim of 10³⁰⁰ added to the population set
/// took em's accuracy from 0.8084 to 0.7987 and its `p_coverage` from 0.94 to 0.63, since with `g` that
/// much smaller every near miss looked good (DESIGN.md, "One absurd number"). The fences keep the bulk's
/// range whatever lies beyond them; a number beyond them still has the gross errors' density `g`.
fn bulk_range(t: &[f64]) -> (f64, f64) {
    let mut sorted = t.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
        return (f64::INFINITY, f64::NEG_INFINITY);
    };
    // Quartiles by linear interpolation between order statistics (Hyndman & Fan's type 7, R's default).
    let quantile = |p: f64| {
        let h = p * (sorted.len() - 1) as f64;
        let i = h.floor() as usize;
        let j = (i + 1).min(sorted.len() - 1);
        sorted[i] + (h - i as f64) * (sorted[j] - sorted[i])
    };
    let (q1, q3) = (quantile(0.25), quantile(0.75));
    let iqr = q3 - q1;
    if sorted.len() < 4 || iqr <= 0.0 {
        return (lo, hi);
    }
    // The least and greatest numbers inside the fences (the quartiles themselves are inside).
    let (flo, fhi) = (q1 - FENCE * iqr, q3 + FENCE * iqr);
    let inside_lo = sorted.iter().copied().find(|&v| v >= flo).unwrap_or(lo);
    let inside_hi = sorted.iter().rev().copied().find(|&v| v <= fhi).unwrap_or(hi);
    (inside_lo, inside_hi)
}

/// The decimals a normalised number is written to: `12.50` two, `1.5e-20` twenty-one, `1e300` none.
fn written_decimals(name: &str) -> usize {
    let (mantissa, exponent) = match name.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
        None => (name, 0),
    };
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i64;
    (decimals - exponent).max(0) as usize
}

/// The resolution of the numbers as written, from each report's normalised number (in exponent form only
/// below 1e-17 or from 1e28) and its outlet: the finest decimal step written by at least two outlets, and 1 for integers (a
/// population of 61,700 may have been rounded to the hundred; nothing says so, and its bin is that of any
/// integer). Where no step is written by two outlets, the finest of all. One step sets every report's bin,
/// so one outlet alone must not narrow them all: a single claim of 5.0001 among whole numbers would make
/// every bin 10⁻⁴ wide, and on the population set that moved em's accuracy and its estimate (DESIGN.md,
/// "One absurd number").
///
/// ```
/// use credence::model::numeric::resolution;
/// assert_eq!(resolution([("12", 0), ("-3", 1), ("0", 1)].into_iter()), 1.0);
/// assert_eq!(resolution([("12.5", 0), ("0.25", 1), ("3.75", 2)].into_iter()), 0.01);
/// // Two decimals from one outlet alone: the step of one decimal, which two outlets write.
/// assert_eq!(resolution([("12.5", 0), ("0.25", 1), ("3.75", 1), ("0.5", 2)].into_iter()), 0.1);
/// // Exponent form: 1.5e-20 is written to 21 decimals, 1e300 to none.
/// assert_eq!(resolution([("1.5e-20", 0), ("2.5e-20", 1)].into_iter()), 1e-21);
/// assert_eq!(resolution([("1e300", 0), ("2e300", 1)].into_iter()), 1.0);
/// ```
pub fn resolution<'a>(written: impl Iterator<Item = (&'a str, u32)>) -> f64 {
    // Per count of decimals, the first two distinct outlets that wrote it.
    let mut by: std::collections::BTreeMap<usize, (u32, Option<u32>)> = std::collections::BTreeMap::new();
    for (name, source) in written {
        let decimals = written_decimals(name);
        let entry = by.entry(decimals).or_insert((source, None));
        if entry.1.is_none() && entry.0 != source {
            entry.1 = Some(source);
        }
    }
    let shared = by
        .iter()
        .rev()
        .find(|(_, (_, second))| second.is_some())
        .map(|(&d, _)| d);
    let decimals = shared.or_else(|| by.keys().next_back().copied()).unwrap_or(0);
    10f64.powi(-(decimals.min(300) as i32))
}

/// The degrees of freedom of the good reports' kernel: a Student t with ν = 4, the fixed choice
/// Lange, Little & Taylor (1989) suggest for robust fits when ν is not estimated (see [`Kernel`]).
pub const NU: f64 = 4.0;

/// The good reports' kernel, a Student t with [`NU`] = 4 degrees of freedom and scale `b` on the
/// transformed scale: `K(d) = (3 / 8b) (1 + z²/4)^(−5/2)`, `z = d / b`.
///
/// Why not a normal: near misses on real data are heavy-tailed (a crowd answers 0 eight times, 3 once and
/// 20 once; editors copy a census figure and a few write a rounded or older one). A normal kernel wide
/// enough for the far near misses cannot tell a value from its close neighbours, so the central value
/// beats the most claimed one; the t's sharper peak and heavier tails let a cluster of exact reports win
/// while a near miss still counts as near. ν is not fitted: by maximum likelihood it runs to its floor on
/// data with many exact ties (population figures copied from one census), where the model becomes an
/// exact-vote model (DESIGN.md, "em over numbers"). ν = 4 keeps a finite variance and has a closed-form
/// distribution function, so a report's rounding bin costs a few multiplications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kernel {
    /// The scale `b`.
    pub b: f64,
    /// `3 / 8b`, the density at the centre.
    norm: f64,
}

/// `P(T > x)` for a standard t with 4 degrees of freedom and `x ≥ 0`: with `u = x / √(4 + x²)`,
/// `F(x) = ½ + ¾u − ¼u³`, so `1 − F = ¼ (1 − u)² (2 + u)`, and `1 − u = 4 / (r (r + x))` with
/// `r = √(4 + x²)` keeps the far tail exact.
fn t4_upper(x: f64) -> f64 {
    let r = (4.0 + x * x).sqrt();
    let one_minus_u = 4.0 / (r * (r + x));
    0.25 * one_minus_u * one_minus_u * (3.0 - one_minus_u)
}

/// `P(T ≤ z)` for a standard t with 4 degrees of freedom.
fn t4_lower(z: f64) -> f64 {
    if z >= 0.0 { 1.0 - t4_upper(z) } else { t4_upper(-z) }
}

impl Kernel {
    /// The kernel of scale `b` (at least [`MIN_SCALE`]).
    pub fn new(b: f64) -> Kernel {
        let b = b.max(MIN_SCALE);
        Kernel { b, norm: 0.375 / b }
    }

    /// The log density of the kernel averaged over a bin of width `w` centred at distance `d` from the
    /// truth: `ln(P(bin) / w)`. Where the bin is narrow against `b` (below 1e-3 b) it is the density at
    /// `d` to a relative 1e-7; where the bin's probability underflows, the density at `d` again (a number
    /// so small that only its order matters).
    #[cfg(test)]
    pub fn ln_density(&self, d: f64, w: f64) -> f64 {
        self.density(d, w).ln()
    }

    /// `Kernel::ln_density` without the logarithm: `(3/8b) q^(−5/2)`, `q = 1 + z²/4`, takes a square
    /// root and no transcendental function, which matters because the scale's M-step evaluates it for
    /// every vote some hundred times an iteration.
    pub fn density(&self, d: f64, w: f64) -> f64 {
        let z = d / self.b;
        let q = 1.0 + 0.25 * z * z;
        let at = self.norm / (q * q * q.sqrt());
        if w < 1e-3 * self.b {
            return at;
        }
        let (lo, hi) = ((d.abs() - 0.5 * w) / self.b, (d.abs() + 0.5 * w) / self.b);
        let p = if lo >= 0.0 {
            t4_upper(lo) - t4_upper(hi)
        } else {
            1.0 - t4_upper(-lo) - t4_upper(hi)
        };
        if p > 0.0 { p / w } else { at }
    }
    /// A report's likelihood at distance `d` from the truth with bin width `w`: [`Kernel::density`] for a
    /// report inside the scale; for a censored one ([`Side`]), the kernel's mass beyond the inner edge of
    /// its bin, divided by `w` like a bin's probability, so that it weighs against a gross error's density
    /// as any other report does (a gross error lands in the end's bin like in any other).
    #[inline]
    pub fn likelihood(&self, d: f64, w: f64, side: Side) -> f64 {
        let p = match side {
            Side::Inside => return self.density(d, w),
            Side::Below => t4_lower((d + 0.5 * w) / self.b),
            Side::Above => t4_lower((0.5 * w - d) / self.b),
        };
        // Far beyond the end the mass underflows; the density keeps the order of magnitude.
        if p > 0.0 { p / w } else { self.density(d, w) }
    }
}

/// `Σ ln mᵢ` for positive `mᵢ`, as the logarithms of running products: one logarithm per
/// [`LN_BATCH`] terms instead of one each. The logarithm is most of the cost of em's sums of votes' log
/// likelihoods (the scale's M-step evaluates one over every vote some sixty times an iteration). A vote's
/// likelihood lies between `1e-9 g` (g ≥ 1/1,420 on the asinh scale) and `3/(8 MIN_SCALE)`, so sixteen of
/// them cannot leave the range of an f64; a product that nears either end is taken at once all the same,
/// and a term outside 1e±100 on its own, so that no input can underflow it. Rounding: a product of k terms
/// is within k ulps, so the sum is as accurate as one of k logarithms.
fn ln_sum(terms: impl Iterator<Item = f64>) -> f64 {
    let mut sum = LnSum::default();
    for m in terms {
        sum.add(m);
    }
    sum.value()
}

/// How many terms [`ln_sum`] multiplies before it takes a logarithm.
const LN_BATCH: usize = 16;

/// [`ln_sum`]'s running state, for sums that receive their terms one at a time (a story's candidates,
/// each a term per report).
#[derive(Debug, Clone, Copy)]
struct LnSum {
    sum: f64,
    product: f64,
    held: usize,
}

impl Default for LnSum {
    fn default() -> LnSum {
        LnSum {
            sum: 0.0,
            product: 1.0,
            held: 0,
        }
    }
}

impl LnSum {
    #[inline]
    fn add(&mut self, m: f64) {
        if !(1e-100..=1e100).contains(&m) {
            self.sum += m.ln();
            return;
        }
        self.product *= m;
        self.held += 1;
        if self.held == LN_BATCH || !(1e-150..=1e150).contains(&self.product) {
            self.sum += self.product.ln();
            (self.product, self.held) = (1.0, 0);
        }
    }

    fn value(&self) -> f64 {
        if self.held > 0 {
            self.sum + self.product.ln()
        } else {
            self.sum
        }
    }
}

/// `ln(θ K(d) + (1 − θ) g)`, the log likelihood of one vote at distance `d` from a candidate truth with
/// bin width `w` and place `side` on the scale ([`Kernel::likelihood`]), `(θ, 1 − θ)` its outlet's, and
/// the responsibility of the good part. In linear terms: θ is kept at least 1e-9 from 0 and 1 (em clamps
/// it) and `g` is at least the inverse of the data's range, so the sum never underflows.
#[inline]
fn vote(theta: (f64, f64), kernel: &Kernel, g: f64, d: f64, w: f64, side: Side) -> (f64, f64) {
    mix(theta, kernel.likelihood(d, w, side), g)
}

/// `θ k + (1 − θ) g`, a vote's likelihood from the kernel's likelihood `k` of it.
#[inline]
fn mixture(theta: (f64, f64), k: f64, g: f64) -> f64 {
    theta.0 * k + theta.1 * g
}

/// [`vote`] from the kernel's likelihood `k` of the vote.
#[inline]
fn mix(theta: (f64, f64), k: f64, g: f64) -> (f64, f64) {
    let total = mixture(theta, k, g);
    (total.ln(), theta.0 * k / total)
}

/// The starting scale: the root mean square distance on the transformed scale of every vote from its
/// story's median vote, over stories with two votes or more. Outliers make it wide, which is what a
/// start should be: a narrow start would call every near miss a gross error and never learn otherwise.
pub fn start_scale<'a>(stories: impl Iterator<Item = (&'a [Unit], &'a [f64])>) -> Kernel {
    let (mut sum, mut n) = (0.0, 0usize);
    let mut ts = Vec::new();
    for (units, t) in stories {
        ts.clear();
        ts.extend(units.iter().filter(|u| !u.relay).map(|u| t[u.class as usize]));
        if ts.len() < 2 {
            continue;
        }
        ts.sort_by(f64::total_cmp);
        let mid = median_sorted(&ts);
        sum += ts.iter().map(|v| (v - mid) * (v - mid)).sum::<f64>();
        n += ts.len();
    }
    Kernel::new(if n > 0 && sum > 0.0 {
        (sum / n as f64).sqrt()
    } else {
        1.0
    })
}

/// One number story as an em step sees it.
#[derive(Debug, Clone, Copy)]
pub struct NumberStory<'a> {
    /// Its reports.
    pub units: &'a [Unit],
    /// Its candidates on the transformed scale.
    pub t: &'a [f64],
    /// Their rounding bins' widths there.
    pub w: &'a [f64],
    /// Their places on a bounded scale ([`Side`]).
    pub side: &'a [Side],
    /// Every outlet's `(θ, 1 − θ)`.
    pub theta: &'a [(f64, f64)],
    /// The good reports' kernel.
    pub kernel: &'a Kernel,
    /// The density of a gross error, `g`.
    pub g: f64,
}

/// The most kernel likelihoods (reports × candidates) [`story`] holds for one story, 32 MiB; a larger story
/// computes each report's row again where it needs it.
const HELD_KERNEL_ROWS: usize = 1 << 22;

/// One number story's em step. Pushes each report's contribution to its outlet's record (none for a vote
/// alone on its story) and returns the story's posterior over its candidates.
pub fn story(story: &NumberStory, out: &mut Vec<Contribution>) -> Vec<f64> {
    story_holding(story, out, HELD_KERNEL_ROWS)
}

/// Candidates per parallel task of a wide story's sums ([`story_holding`]).
const WIDE_CHUNK: usize = 256;

/// [`story`], holding the kernel's table when it has at most `held` entries. A story too wide for that (a
/// missing or constant story key makes one) works each kernel likelihood out where it is needed, and
/// splits its two quadratic passes over the cores: the candidates' sums by blocks of candidates, each
/// candidate's terms still added report by report, and the reports' cavities by report. So each number is
/// the same sum in the same order as in the held path, whatever the number of threads: the same bits.
fn story_holding(story: &NumberStory, out: &mut Vec<Contribution>, held: usize) -> Vec<f64> {
    let NumberStory {
        units,
        t,
        w,
        side,
        theta,
        kernel,
        g,
    } = *story;
    let m = t.len();
    if m == 0 {
        return Vec::new();
    }
    let voters = units.iter().filter(|u| !u.relay).count();
    let likelihood = |u: &Unit, tj: f64| {
        let i = u.class as usize;
        kernel.likelihood(t[i] - tj, w[i], side[i])
    };
    // Each report's kernel likelihood at every candidate, held when the table is small (the posterior and
    // the cavity both read it); a story of 20,000 distinct numbers would hold 3 GB.
    let k: Vec<f64> = if units.len() * m <= held {
        units
            .iter()
            .flat_map(|u| t.iter().map(move |&tj| likelihood(u, tj)))
            .collect()
    } else {
        Vec::new()
    };
    let l: Vec<f64> = if k.is_empty() {
        t.par_chunks(WIDE_CHUNK)
            .flat_map_iter(|chunk| {
                let mut l = vec![LnSum::default(); chunk.len()];
                for u in units.iter().filter(|u| !u.relay) {
                    for (x, &tj) in l.iter_mut().zip(chunk) {
                        x.add(mixture(theta[u.source as usize], likelihood(u, tj), g));
                    }
                }
                l.into_iter().map(|x| x.value())
            })
            .collect()
    } else {
        let mut l = vec![LnSum::default(); m];
        for (i, u) in units.iter().enumerate().filter(|(_, u)| !u.relay) {
            for (x, &kj) in l.iter_mut().zip(&k[i * m..(i + 1) * m]) {
                x.add(mixture(theta[u.source as usize], kj, g));
            }
        }
        l.iter().map(LnSum::value).collect()
    };
    // The posterior's weights before normalising, `Pⱼ = exp(lⱼ − max l)`, and the posterior (the same
    // numbers as `softmax_into`). A report's cavity (the story without it) weighs candidate j by
    // `Pⱼ / mᵢⱼ`, its own vote's likelihood divided out, so that the cavity costs a division where it
    // cost a logarithm and two exponentials. A weight that underflows here is one the cavity could not
    // lift to count: dividing one vote out moves a candidate by at most ln(max m / min m) < 50 against
    // the others (see `ln_sum`), far short of the 745 it would need.
    let top = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let p: Vec<f64> = l.iter().map(|&x| (x - top).exp()).collect();
    let sum = p.iter().fold(0.0, |s, &x| s + x);
    let post: Vec<f64> = p.iter().map(|&x| x / sum).collect();
    let judged = |&(_, u): &(usize, &Unit)| u.relay || voters >= 2;
    if k.is_empty() {
        let cs: Vec<(u32, f64)> = units
            .par_iter()
            .enumerate()
            .filter(judged)
            .map(|(i, u)| {
                let row = t.iter().map(|&tj| likelihood(u, tj));
                (i as u32, cavity(&p, theta[u.source as usize], u.relay, g, row))
            })
            .collect();
        out.extend(cs.into_iter().map(|(i, c)| (i, c, false)));
    } else {
        for (i, u) in units.iter().enumerate().filter(judged) {
            let row = k[i * m..(i + 1) * m].iter().copied();
            out.push((i as u32, cavity(&p, theta[u.source as usize], u.relay, g, row), false));
        }
    }
    post
}

/// A report's `c′ = A / (A + g)` with `A = Σⱼ qⱼ K(tᵢ − tⱼ)`, q its cavity normalised: the story's weights
/// `p` with its own vote's likelihood `mixture(own, K, g)` divided out (a relay is no vote of the story's,
/// so its cavity is the story itself), from its row of kernel likelihoods; rounded as em records it.
fn cavity(p: &[f64], own: (f64, f64), relay: bool, g: f64, row: impl Iterator<Item = f64>) -> f64 {
    let (mut total, mut near) = (0.0, 0.0);
    for (&pj, kj) in p.iter().zip(row) {
        let q = if relay { pj } else { pj / mixture(own, kj, g) };
        total += q;
        near += q * kj;
    }
    super::em::rounded(1.0 / (1.0 + g * total / near))
}

/// One vote as the scale's M-step sees it: its distance from its story's estimate, its bin's width and
/// its outlet's `(θ, 1 − θ)`. On a bounded scale too a vote counts as written, as it does in the estimate
/// it is measured from ([`Side`]).
pub type ScaleVote = (f64, f64, (f64, f64));

/// Pushes the story's votes for the scale's M-step at its estimate μ; none for a story with fewer than two
/// votes.
pub fn scale_votes(story: &NumberStory, mu: f64, out: &mut Vec<ScaleVote>) {
    let NumberStory { units, t, w, theta, .. } = *story;
    if units.iter().filter(|u| !u.relay).count() < 2 {
        return;
    }
    for u in units.iter().filter(|u| !u.relay) {
        let k = u.class as usize;
        // A vote in the estimate's own bin is exact: it says nothing about how far near misses fall.
        if (t[k] - mu).abs() >= 0.5 * w[k] {
            out.push((t[k] - mu, w[k], theta[u.source as usize]));
        }
    }
}

/// The M-step: the kernel whose scale maximises `Σ ln(θ K̄_b(d, w) + (1 − θ) g)` over `votes` (summed in
/// their order), searched on `ln b` from `finest` ([`Numbers::finest_scale`]) to `widest` (the range of
/// the data on the transformed scale) over a grid of `SCALE_GRID` points, then by Brent's method between
/// the best point's neighbours; `current` when there are no votes.
pub fn fit_scale(votes: &[ScaleVote], g: f64, finest: f64, widest: f64, current: Kernel) -> Kernel {
    if votes.is_empty() {
        return current;
    }
    // Summed in parallel over fixed blocks of votes, and the blocks' sums in order: the same bits for any
    // number of threads. This search is em's one sequential step over every vote, so it is parallel.
    let objective = |ln_b: f64| {
        use rayon::prelude::*;
        let k = Kernel::new(ln_b.exp());
        let blocks: Vec<f64> = votes
            .par_chunks(SCALE_BLOCK)
            .map(|b| {
                ln_sum(
                    b.iter()
                        .map(|&(d, w, th)| mixture(th, k.likelihood(d, w, Side::Inside), g)),
                )
            })
            .collect();
        blocks.iter().sum::<f64>()
    };
    let finest = finest.max(MIN_SCALE);
    let (lo, hi) = (finest.ln(), widest.max(finest * 10.0).ln());
    let step = (hi - lo) / (SCALE_GRID - 1) as f64;
    let best = (0..SCALE_GRID)
        .map(|i| {
            let x = lo + step * i as f64;
            (objective(x), x)
        })
        .fold((f64::NEG_INFINITY, lo), |b, p| if p.0 > b.0 { p } else { b });
    let (x, at) = super::ratings::brent_max(objective, (best.1 - step).max(lo), (best.1 + step).min(hi), 1e-10);
    Kernel::new(if at >= best.0 { x } else { best.1 }.exp())
}

/// The story's estimate on the transformed scale: the fixed point of `μ = Σ rᵢ tᵢ / Σ rᵢ`,
/// `b_s² = (b² + Σ rᵢ (tᵢ − μ)²) / (1 + Σ rᵢ)` over its votes (`rᵢ` the responsibility of the good part
/// at μ and the story's own scale `b_s`): EM for a location and a scale, the story's scale pooled with the
/// data's `b` as one vote's worth of prior, so a story with ten votes learns its own spread and a story
/// with two keeps about the data's. That EM climbs `J(μ, b_s) = Σ ln(θᵢ K_{b_s}(tᵢ − μ) + (1 − θᵢ) g)
/// − ln b_s − b² / (2 b_s²)` (the prior is one vote at distance `b`) to a local maximum, and `J` has
/// two kinds of them: a narrow one around the votes that agree, the rest called gross errors, and a wide
/// one whose scale spans them all. So it climbs twice: from the median of the votes with the wider of `b`
/// and the votes' root mean square distance from that median (near misses are not called gross errors
/// before they are weighed), and from `start`, the story's most probable candidate, with `b`; the higher
/// `J` wins (the wide one on a tie). With the t kernel these are the normal kernel's updates, not the t
/// likelihood's (see the module's notes), and `J` is evaluated with the model's own kernel. From the
/// median alone, a story whose four agreeing votes stood beside four scattered over a range a thousand
/// times wider got the scattered votes' centre as its estimate (tests/planted_numbers.rs).
pub fn estimate(story: &NumberStory, start: f64) -> f64 {
    let NumberStory { units, t, kernel, .. } = *story;
    let mut ts: Vec<f64> = units.iter().filter(|u| !u.relay).map(|u| t[u.class as usize]).collect();
    ts.sort_by(f64::total_cmp);
    let mu = median_sorted(&ts);
    if ts.len() < 2 {
        return mu;
    }
    let spread = (ts.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / ts.len() as f64).sqrt();
    let wide = climb(story, mu, Kernel::new(spread.max(kernel.b)));
    let narrow = climb(story, start, *kernel);
    if narrow.1 > wide.1 { narrow.0 } else { wide.0 }
}

/// The estimate's EM from `(mu, own)`: its fixed point and `J` there ([`estimate`]).
fn climb(story: &NumberStory, mut mu: f64, mut own: Kernel) -> (f64, f64) {
    let NumberStory {
        units,
        t,
        w,
        theta,
        kernel,
        g,
        ..
    } = *story;
    let objective = |mu: f64, own: &Kernel| {
        let votes = ln_sum(units.iter().filter(|u| !u.relay).map(|u| {
            let k = u.class as usize;
            mixture(
                theta[u.source as usize],
                own.likelihood(t[k] - mu, w[k], Side::Inside),
                g,
            )
        }));
        votes - own.b.ln() - kernel.b * kernel.b / (2.0 * own.b * own.b)
    };
    for _ in 0..ESTIMATE_ITERATIONS {
        let (mut num, mut den, mut sq) = (0.0, 0.0, 0.0);
        for u in units.iter().filter(|u| !u.relay) {
            let k = u.class as usize;
            let r = vote(theta[u.source as usize], &own, g, t[k] - mu, w[k], Side::Inside).1;
            num += r * t[k];
            den += r;
            sq += r * (t[k] - mu) * (t[k] - mu);
        }
        if den <= 0.0 {
            break;
        }
        let next = num / den;
        let scale = Kernel::new(((kernel.b * kernel.b + sq) / (1.0 + den)).sqrt());
        let done = (next - mu).abs() <= 1e-12 * (1.0 + mu.abs()) && (scale.b - own.b).abs() <= 1e-12 * own.b;
        (mu, own) = (next, scale);
        if done {
            break;
        }
    }
    (mu, objective(mu, &own))
}

/// The median of sorted numbers (the mean of the middle two for an even count); NaN when empty.
pub fn median_sorted(x: &[f64]) -> f64 {
    let n = x.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => x[n / 2],
        // std's midpoint: (a + b) / 2 where the sum is finite, and no overflow where it is not (two
        // claims of 1e308 have the median 1e308, not infinity).
        _ => f64::midpoint(x[n / 2 - 1], x[n / 2]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(source: u32, class: u32) -> Unit {
        Unit {
            rank: source,
            source,
            class,
            relay: false,
        }
    }

    /// A [`NumberStory`] from its parts (`ln_g` as the tests write it).
    fn at<'a>(
        units: &'a [Unit],
        t: &'a [f64],
        w: &'a [f64],
        theta: &'a [(f64, f64)],
        kernel: &'a Kernel,
        ln_g: f64,
    ) -> NumberStory<'a> {
        const INSIDE: [Side; 16] = [Side::Inside; 16];
        NumberStory {
            units,
            t,
            w,
            side: &INSIDE[..t.len()],
            theta,
            kernel,
            g: ln_g.exp(),
        }
    }

    /// Each outlet's `(θ, 1 − θ)`.
    fn logs(theta: &[f64]) -> Vec<(f64, f64)> {
        theta.iter().map(|t| (*t, 1.0 - t)).collect()
    }

    /// A bin narrow against the kernel: bins this narrow give the density itself.
    const NARROW: f64 = 1e-9;

    /// `K(d)` for b = 0.5: `(3 / 8b)(1 + (d/b)²/4)^(−5/2)` (scipy's t pdf with 4 degrees of freedom:
    /// K(0) = 0.750000, K(0.5) = 0.429325). Averaged over wide bins (b = 1): the bin [0, 0.5] holds
    /// F(0.5) − F(0) = 0.178335, density 0.356670; a bin of width 1 around the truth with b = 0.001 holds
    /// all but 1e-10 of it (density 1); a far bin, [49.5, 50.5] at b = 1, holds 3.826589e-8 (scipy).
    #[test]
    fn kernel_density_by_hand() {
        let k = Kernel::new(0.5);
        assert!((k.ln_density(0.0, NARROW).exp() - 0.75).abs() < 1e-6);
        assert!((k.ln_density(0.5, NARROW).exp() - 0.429325).abs() < 1e-6);
        assert!((k.ln_density(-0.5, NARROW) - k.ln_density(0.5, NARROW)).abs() < 1e-15);
        assert_eq!(Kernel::new(0.0).b, MIN_SCALE);
        assert!((Kernel::new(1.0).ln_density(0.25, 0.5).exp() - 0.356670).abs() < 1e-6);
        assert!((Kernel::new(1.0).ln_density(-0.25, 0.5).exp() - 0.356670).abs() < 1e-6);
        assert!(Kernel::new(0.001).ln_density(0.0, 1.0).abs() < 1e-9);
        let far = Kernel::new(1.0).ln_density(50.0, 1.0).exp();
        assert!((far / 3.826589e-8 - 1.0).abs() < 1e-6, "{far}");
        // Just below the switch to the density (w < 1e-3 b) the bin's average agrees with it.
        let k = Kernel::new(1.0);
        assert!((k.ln_density(0.7, 1.0001e-3) - k.ln_density(0.7, NARROW)).abs() < 1e-7);
    }

    /// The closed-form tail of the t with 4 degrees of freedom against statrs' general one, from the
    /// centre to far out, where `1 − F` computed as `1 − cdf` would have lost every digit.
    #[test]
    fn t4_tail_matches_statrs() {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        let t = StudentsT::new(0.0, 1.0, NU).unwrap();
        for x in [0.0, 0.1, 0.5, 1.0, 2.0, 3.5, 10.0, 100.0] {
            let (want, got) = (t.sf(x), t4_upper(x));
            assert!((got / want - 1.0).abs() < 1e-9, "x = {x}: {got} against {want}");
        }
        assert_eq!(t4_upper(0.0), 0.5);
        // Far out the tail is 3 / x⁴ to leading order (the density is 12 / x⁵).
        let x = 1e6f64;
        assert!((t4_upper(x) * x.powi(4) / 3.0 - 1.0).abs() < 1e-9);
    }

    /// One story, candidates t = (0, 1); outlets 0 (θ = 0.9) and 1 (θ = 0.6) at 0, outlet 2 (θ = 0.8) at 1;
    /// b = 0.5, g = 0.25. Hand-computed (each vote's θ K(d) + (1 − θ) g, K(0) = 0.75,
    /// K(1) = 0.132583):
    /// truth 0: (0.9·0.75 + 0.025)(0.6·0.75 + 0.1)(0.8·0.132583 + 0.05) = 0.060085;
    /// truth 1: (0.9·0.132583 + 0.025)(0.6·0.132583 + 0.1)(0.8·0.75 + 0.05) = 0.016844;
    /// posterior of 0: 0.781049. Outlet 2's cavity holds outlets 0 and 1 alone: q₀ = 0.936937, and
    /// c′ = A / (A + g) = 0.406907 with A = q₀ K(1) + q₁ K(0).
    #[test]
    fn story_posterior_and_cavity_by_hand() {
        let (k0, k1) = (0.75f64, 0.132583f64);
        let lik = |theta: f64, k: f64| theta * k + (1.0 - theta) * 0.25;
        let truth0 = lik(0.9, k0) * lik(0.6, k0) * lik(0.8, k1);
        let truth1 = lik(0.9, k1) * lik(0.6, k1) * lik(0.8, k0);
        assert!((truth0 - 0.060085).abs() < 1e-6 && (truth1 - 0.016844).abs() < 1e-6);
        let units = [unit(0, 0), unit(1, 0), unit(2, 1)];
        let mut out = Vec::new();
        let post = story(
            &at(
                &units,
                &[0.0, 1.0],
                &[NARROW; 2],
                &logs(&[0.9, 0.6, 0.8]),
                &Kernel::new(0.5),
                0.25f64.ln(),
            ),
            &mut out,
        );
        assert!((post[0] - truth0 / (truth0 + truth1)).abs() < 1e-6, "{post:?}");
        assert!((post[0] - 0.781049).abs() < 1e-6, "{post:?}");
        // Outlet 2's cavity: the other two votes alone.
        let (q0, q1) = (lik(0.9, k0) * lik(0.6, k0), lik(0.9, k1) * lik(0.6, k1));
        let a = (q0 * k1 + q1 * k0) / (q0 + q1);
        let want = a / (a + 0.25);
        assert!(
            (q0 / (q0 + q1) - 0.936937).abs() < 1e-6 && (want - 0.406907).abs() < 1e-6,
            "{want}"
        );
        // Recorded on the grid of `em::rounded` (64 steps per unit of logit).
        assert!((out[2].1 - want).abs() < 0.004, "{out:?}");
        assert!(out[2].1 == crate::model::em::rounded(out[2].1));
    }

    /// The logarithms of running products add up to the sum of the logarithms, across flushes: terms at
    /// the ends of a vote's range (sixty of each, so that the products leave 1e±150 before sixteen are
    /// held), terms beyond 1e±100 taken alone, and a sum with no terms.
    #[test]
    fn ln_sum_is_the_sum_of_the_logarithms() {
        let mut terms = Vec::new();
        for i in 0..60 {
            terms.extend([7e-13 * (1.0 + i as f64), 4e5 / (1.0 + i as f64), 0.37, 1e-200, 1e200]);
        }
        terms.extend([5e-324, f64::MAX, 1.0]);
        let want: f64 = terms.iter().map(|m| m.ln()).sum();
        let got = ln_sum(terms.iter().copied());
        assert!((got - want).abs() < 1e-12 * want.abs(), "{got} against {want}");
        assert_eq!(ln_sum(std::iter::empty()), 0.0);
        assert_eq!(ln_sum([2.0].into_iter()), 2f64.ln());
    }

    /// The cavity in linear terms (`story`) is the cavity in logarithms, as it was computed before, with
    /// a relay among the reports: on a story of sixty trusted votes on one number and a few on four
    /// others far apart (so that the candidates' weights span more than 745 nats and some underflow),
    /// and on a balanced story of seven votes over three near numbers, every report's recorded
    /// probability is the log-space one's on the recording grid.
    #[test]
    fn the_cavity_in_linear_terms_is_the_one_in_logarithms() {
        let far = {
            let mut votes: Vec<(u32, f64)> = vec![(0, 0.999); 60];
            votes.extend([(1, 0.9), (2, 0.6), (3, 0.3), (3, 0.95), (4, 0.5)]);
            (vec![0.0, 0.05, 3.0, 40.0, 41.0], votes, 0.01, true)
        };
        let near = {
            let votes = vec![(0, 0.9), (0, 0.6), (0, 0.7), (1, 0.8), (1, 0.55), (2, 0.95), (2, 0.4)];
            (vec![0.0, 0.02, 0.05], votes, 0.02, false)
        };
        for (t, votes, b, underflows) in [far, near] {
            let n = t.len();
            let w = vec![1e-3; n];
            let mut units: Vec<Unit> = votes.iter().enumerate().map(|(s, &(c, _))| unit(s as u32, c)).collect();
            units.push(Unit {
                relay: true,
                ..unit(votes.len() as u32, 2)
            });
            let mut rates: Vec<f64> = votes.iter().map(|v| v.1).collect();
            rates.push(0.7);
            let theta = logs(&rates);
            let kernel = Kernel::new(b);
            let g = 1.0 / 41.0;
            let sides = vec![Side::Inside; n];
            let story_ = NumberStory {
                units: &units,
                t: &t,
                w: &w,
                side: &sides,
                theta: &theta,
                kernel: &kernel,
                g,
            };
            let mut out = Vec::new();
            story(&story_, &mut out);
            let lnk = |u: &Unit, j: usize| {
                let i = u.class as usize;
                kernel.likelihood(t[i] - t[j], w[i], Side::Inside)
            };
            let ln_m = |u: &Unit, j: usize| mix(theta[u.source as usize], lnk(u, j), g).0;
            let l: Vec<f64> = (0..n)
                .map(|j| units.iter().filter(|u| !u.relay).map(|u| ln_m(u, j)).sum())
                .collect();
            let spread =
                l.iter().copied().fold(f64::NEG_INFINITY, f64::max) - l.iter().copied().fold(f64::INFINITY, f64::min);
            assert_eq!(spread > 745.0, underflows, "{l:?}");
            assert_eq!(out.len(), units.len());
            for &(i, c, _) in &out {
                let u = &units[i as usize];
                let cavity: Vec<f64> = (0..n).map(|j| l[j] - if u.relay { 0.0 } else { ln_m(u, j) }).collect();
                let top = cavity.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let q: Vec<f64> = cavity.iter().map(|c| (c - top).exp()).collect();
                let a = (0..n).map(|j| q[j] * lnk(u, j)).sum::<f64>() / q.iter().sum::<f64>();
                let want = crate::model::em::rounded(a / (a + g));
                assert_eq!(c, want, "report {i} of {n} numbers");
            }
        }
    }

    /// Two outlets agreeing on one number, b = 1, g = 0.1: each one's cavity is certain of that number,
    /// so A = K(0) = 3/8 and c′ = 0.375 / 0.475 = 0.789474 (hand-computed); a vote alone on its
    /// story contributes nothing.
    #[test]
    fn agreeing_votes_are_good_with_k0_over_k0_plus_g() {
        let mut out = Vec::new();
        story(
            &at(
                &[unit(0, 0), unit(1, 0)],
                &[3.0],
                &[NARROW],
                &logs(&[0.7, 0.7]),
                &Kernel::new(1.0),
                0.1f64.ln(),
            ),
            &mut out,
        );
        assert_eq!(out.len(), 2);
        assert!((out[0].1 - 0.789474).abs() < 0.004, "{out:?}");
        let mut alone = Vec::new();
        let post = story(
            &at(
                &[unit(0, 0)],
                &[3.0],
                &[NARROW],
                &logs(&[0.7]),
                &Kernel::new(1.0),
                0.1f64.ln(),
            ),
            &mut alone,
        );
        assert!(alone.is_empty() && post == [1.0]);
    }

    /// A trusted outlet (θ = 0.99) with an absurd number against two (θ = 0.7) that agree: the pair wins,
    /// where the one-coin model's 1/(k − 1) let the trusted outlet win (Eau Claire, 2000, in the
    /// population data set: 61,704 twice against 10¹¹ once).
    #[test]
    fn two_agreeing_beat_one_trusted_outlier() {
        let n = Numbers::new(vec![61704.0, 1e11, 2000.0, 5.0], 1.0);
        let (t, w) = ([n.t[0], n.t[1]], [n.w[0], n.w[1]]);
        let units = [unit(0, 0), unit(1, 0), unit(2, 1)];
        let mut out = Vec::new();
        let post = story(
            &at(
                &units,
                &t,
                &w,
                &logs(&[0.7, 0.7, 0.99]),
                &Kernel::new(0.01),
                n.log_background,
            ),
            &mut out,
        );
        // Hand-computed: the one-coin model (k = 3) weighs 61,704 as 0.7 · 0.7 · 0.01/2 = 0.00245 against
        // 10¹¹'s 0.99 · (0.3/2)² = 0.0223; here the pair's exact agreement outweighs the trusted outlet.
        assert!(post[0] > 0.9, "{post:?}");
    }

    /// Votes at −0.1, 0, 0.1, 0.2 and an outlier at 8, all θ = 0.9, data scale b = 0.2, g = 0.1: from either
    /// start the story's scale settles at 0.135 and the outlier's responsibility nearly vanishes (the t's
    /// tail keeps a trace of it), so the estimate is the mean of the four, 0.05, to 3e-5: 0.050022. With
    /// three votes (0, 0.1, 5) the climb from the median and the wide spread ends at the wide fixed point
    /// 1.547199 (J = −7.69), the one from the most probable candidate 0 at 0.050223 (J = −2.01), which
    /// wins. Four votes within 0.02 and four scattered from 3 to 9 (b = 0.05): the wide fixed point is
    /// their centre, 2.764559 (J = −22.27); the narrow one, 0.010001 (J = −6.49), wins. Every figure is
    /// the fixed point iterated by hand in Python with scipy's t density.
    #[test]
    fn estimate_is_the_mean_of_the_near_votes() {
        let units = [unit(0, 0), unit(1, 1), unit(2, 2), unit(3, 3), unit(4, 4)];
        let (t, w) = ([-0.1, 0.0, 0.1, 0.2, 8.0], [NARROW; 5]);
        let mu = estimate(
            &at(&units, &t, &w, &logs(&[0.9; 5]), &Kernel::new(0.2), 0.1f64.ln()),
            0.1,
        );
        assert!((mu - 0.050022).abs() < 1e-6, "{mu}");
        let three = [unit(0, 0), unit(1, 1), unit(2, 2)];
        let mu = estimate(
            &at(
                &three,
                &[0.0, 0.1, 5.0],
                &w,
                &logs(&[0.9; 3]),
                &Kernel::new(0.2),
                0.1f64.ln(),
            ),
            0.0,
        );
        assert!((mu - 0.050223).abs() < 1e-6, "{mu}");
        let eight: Vec<Unit> = (0..8).map(|i| unit(i, i)).collect();
        let mu = estimate(
            &at(
                &eight,
                &[0.0, 0.01, 0.01, 0.02, 3.0, 5.0, 7.0, 9.0],
                &[NARROW; 8],
                &logs(&[0.9; 8]),
                &Kernel::new(0.05),
                0.1f64.ln(),
            ),
            0.01,
        );
        assert!((mu - 0.010001).abs() < 1e-6, "{mu}");
        let units = [unit(0, 0), unit(1, 1)];
        let t = [0.0, 0.1];
        // Reliability weighs: with θ = (0.9, 0.3) the estimate leans towards the more reliable vote.
        let mu = estimate(
            &at(&units[..2], &t, &w, &logs(&[0.9, 0.3]), &Kernel::new(0.2), 0.1f64.ln()),
            0.0,
        );
        assert!(mu > 0.0 && mu < 0.05, "{mu}");
        // One vote is its own estimate.
        let mu = estimate(
            &at(&[unit(0, 1)], &t, &w, &logs(&[0.9]), &Kernel::new(0.2), 0.1f64.ln()),
            0.1,
        );
        assert_eq!(mu, 0.1);
    }

    /// The scale's M-step on planted votes: 4,000 at distances drawn from 0.2 · t₄ with θ = 0.8 and
    /// the rest uniform on [−3, 3] (g = 1/6), bins of 0.001. The fitted scale must land within 5% of 0.2
    /// (its standard error with ~3,200 good votes is about 1.3%).
    #[test]
    fn bounds_parse_and_reject() {
        let b = |lo, hi| Ok(Bounds { low: lo, high: hi });
        assert_eq!("0:100".parse::<Bounds>(), b(Some(0.0), Some(100.0)));
        assert_eq!("-100:".parse::<Bounds>(), b(Some(-100.0), None));
        assert_eq!(" :5.5".parse::<Bounds>(), b(None, Some(5.5)));
        for bad in ["", "5", ":", "5:1", "1:1", "a:2", "0:inf", "NaN:1"] {
            assert!(bad.parse::<Bounds>().is_err(), "{bad}");
        }
    }

    #[test]
    fn censor_marks_the_ends_of_stories_within_them() {
        // Story 0 lies within 0..100; story 1 has a report below 0, so its 0 is a plain number, while its
        // high end still holds.
        let mut n = Numbers::new(vec![0.0, 5.0, 100.0, -10.0, 0.0, 100.0], 1.0);
        n.censor(
            Bounds {
                low: Some(0.0),
                high: Some(100.0),
            },
            &[0, 3, 6],
        );
        use Side::*;
        assert_eq!(n.side, [Below, Inside, Above, Inside, Inside, Above]);
        // Without bounds nothing is censored.
        assert!(Numbers::new(vec![0.0, 100.0], 1.0).side.iter().all(|&s| s == Inside));
    }

    #[test]
    fn censored_likelihood_is_the_tail_beyond_the_bin() {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        let t = StudentsT::new(0.0, 1.0, NU).unwrap();
        let k = Kernel::new(0.5);
        for d in [-3.0, -0.3, 0.0, 0.4, 2.0] {
            // At the low end: P(report ≤ top of its bin) = P(T ≤ (d + w/2) / b), over w.
            let below = t.cdf((d + 0.05) / 0.5) / 0.1;
            assert!((k.likelihood(d, 0.1, Side::Below) - below).abs() < 1e-9 * below, "{d}");
            // At the high end, the mirror image.
            let above = (1.0 - t.cdf((d - 0.05) / 0.5)) / 0.1;
            assert!((k.likelihood(d, 0.1, Side::Above) - above).abs() < 1e-9 * above, "{d}");
            assert_eq!(k.likelihood(d, 0.1, Side::Inside), k.density(d, 0.1));
        }
        // Far beyond the end the tail underflows and the density stands in.
        let far = Kernel::new(1e-6).likelihood(-1e9, 0.1, Side::Below);
        assert!(far > 0.0 && far.is_finite(), "{far}");
    }

    /// A story whose kernel table is not held (each report's row worked out where it is needed) scores
    /// exactly as one whose table is: 14 candidates, 30 reports of varied θ, one of them a relay.
    #[test]
    fn a_story_without_a_held_table_is_the_same() {
        let mut units: Vec<Unit> = (0..30).map(|i| unit(i, (i * 5 + i / 3) % 14)).collect();
        units[7].relay = true;
        let t: Vec<f64> = (0..14).map(|j| 0.3 * f64::from(j) + 0.01 * f64::from(j * j)).collect();
        let w = [0.1; 14];
        let theta = logs(&(0..30).map(|i| 0.2 + 0.025 * f64::from(i)).collect::<Vec<_>>());
        let kernel = Kernel::new(0.4);
        let story_at = at(&units, &t, &w, &theta, &kernel, 0.2f64.ln());
        let (mut held_out, mut fresh_out) = (Vec::new(), Vec::new());
        let held = story_holding(&story_at, &mut held_out, usize::MAX);
        let fresh = story_holding(&story_at, &mut fresh_out, 0);
        assert_eq!(held, fresh);
        assert_eq!(held_out, fresh_out);
        assert_eq!(held_out.len(), 30);
    }

    #[test]
    fn a_censored_vote_pulls_the_story_to_the_end_by_hand() {
        // Candidates 0 (the scale's low end) and 1, bins 0.1 wide, b = 0.5, g = 0.25; outlets 0 and 1
        // report the end, outlet 2 reports 1. Computed with the t's closed-form distribution function
        // (`t4_upper`): the end's two reports, read as "0 or below", are far likelier under the truth 0
        // (5.374 against 0.651) than as the bin [−0.05, 0.05] (0.748 against 0.133).
        let units = [unit(0, 0), unit(1, 0), unit(2, 1)];
        let (t, w) = ([0.0, 1.0], [0.1, 0.1]);
        let theta = logs(&[0.9, 0.6, 0.8]);
        let kernel = Kernel::new(0.5);
        let mut story_at = at(&units, &t, &w, &theta, &kernel, 0.25f64.ln());
        let mut out = Vec::new();
        let plain = story(&story_at, &mut out);
        assert!((plain[0] - 0.780480).abs() < 1e-6, "{plain:?}");
        let side = [Side::Below, Side::Inside];
        story_at.side = &side;
        out.clear();
        let censored = story(&story_at, &mut out);
        assert!((censored[0] - 0.928519).abs() < 1e-6, "{censored:?}");
        // The cavities: outlet 0's end report is good with 0.9347, outlet 2's 1 with 0.3657 (the grid
        // of `em::rounded`).
        assert!(
            (out[0].1 - 0.934729).abs() < 0.004 && (out[2].1 - 0.365706).abs() < 0.004,
            "{out:?}"
        );
    }

    #[test]
    fn scale_step_recovers_a_planted_scale() {
        use rand::{RngExt, SeedableRng};
        use statrs::distribution::{ContinuousCDF, StudentsT};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let planted = StudentsT::new(0.0, 0.2, NU).unwrap();
        let lt = (0.8, 0.2);
        let votes: Vec<ScaleVote> = (0..4000)
            .map(|_| {
                let d = if rng.random::<f64>() < 0.8 {
                    planted.inverse_cdf(rng.random::<f64>())
                } else {
                    rng.random::<f64>() * 6.0 - 3.0
                };
                (d, 0.001, lt)
            })
            .collect();
        let k = fit_scale(&votes, 1.0 / 6.0, MIN_SCALE, 6.0, Kernel::new(1.0));
        assert!((k.b - 0.2).abs() < 0.01, "{}", k.b);
        // With no votes the kernel stays.
        assert_eq!(fit_scale(&[], 1.0, MIN_SCALE, 6.0, Kernel::new(0.3)).b, 0.3);
    }

    #[test]
    fn gross_errors_spread_over_the_bulk_within_far_out_fences() {
        // Quartiles 2 and 6 (type 7: positions 2 and 6 of 0..=8), fences at 2 − 12 and 6 + 12: 100 is out.
        assert_eq!(bulk_range(&[0., 1., 2., 3., 4., 5., 6., 7., 100.]), (0.0, 7.0));
        // Without it, quartiles 1.75 and 5.25 by interpolation: the same range.
        assert_eq!(bulk_range(&[7., 6., 5., 4., 3., 2., 1., 0.]), (0.0, 7.0));
        // Coinciding quartiles, and fewer than four numbers: every number's range.
        assert_eq!(bulk_range(&[1., 1., 1., 1., 5.]), (1.0, 5.0));
        assert_eq!(bulk_range(&[0., 100.]), (0.0, 100.0));
        // So one absurd number leaves a gross error's density as it was.
        let bulk: Vec<f64> = (1..=40).map(|i| f64::from(i * 37 % 101)).collect();
        let mut with = bulk.clone();
        with.push(1e300);
        let (a, b) = (Numbers::new(bulk, 1.0), Numbers::new(with, 1.0));
        assert!(
            (a.range() / b.range() - 1.0).abs() < 0.05,
            "{} against {}",
            a.range(),
            b.range()
        );
    }

    /// The transform: c is the median nonzero magnitude, t = asinh(x / c), and back.
    #[test]
    fn numbers_transform_and_back() {
        let n = Numbers::new(vec![0.0, -10.0, 20.0, 40.0], 1.0);
        assert_eq!(n.scale, 20.0);
        assert!((n.t[2] - 1f64.asinh()).abs() < 1e-15);
        assert!((n.number(n.t[1]) + 10.0).abs() < 1e-12);
        // The range is asinh(2) + asinh(0.5) = 1.443635 + 0.481212.
        assert!(
            (n.log_background + (1.924847f64).ln()).abs() < 1e-6,
            "{}",
            n.log_background
        );
        // The bin of 20 is [19.5, 20.5]: asinh(1.025) − asinh(0.975) = 0.035356 (hand-computed).
        assert!((n.w[2] - 0.035356).abs() < 1e-6, "{}", n.w[2]);
        assert_eq!(median_sorted(&[1.0, 3.0, 5.0, 10.0]), 4.0);
        assert_eq!(median_sorted(&[1.0, 3.0, 5.0]), 3.0);
        assert!(median_sorted(&[]).is_nan());
        assert_eq!(median_sorted(&[1e308, 1e308]), 1e308);
        assert_eq!(median_sorted(&[-f64::MAX, -f64::MAX]), -f64::MAX);
        assert_eq!(median_sorted(&[f64::MAX, f64::MAX, 1.0, 2.0][2..]), 1.5);
    }
}
