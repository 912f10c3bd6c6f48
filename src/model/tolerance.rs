//! Named numerical tolerances, in one place so that tests and code agree on what "equal" means.

/// Agreement between two ways of computing a posterior quantile or mean of a probability.
pub const QUANTILE: f64 = 1e-5;

/// Agreement between two ways of computing a log marginal likelihood.
pub const INTEGRAL: f64 = 1e-6;

/// Relative change in the objective at which an optimiser stops.
pub const OPTIMISER: f64 = 1e-10;
