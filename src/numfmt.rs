//! The one float format of every output: six decimals, so equal results give equal bytes and a result
//! that moves in the ninth decimal does not change a file.

/// Prints a float with six decimals; never `-0.000000`.
pub fn float(x: f64) -> String {
    let mut s = String::with_capacity(16);
    push_float(&mut s, x);
    s
}

/// Appends a float with six decimals to `out`. Values below 10⁹ in magnitude (every score) take an
/// integer path, rounding half away from zero at the sixth decimal; others go through `format!`.
pub fn push_float(out: &mut String, x: f64) {
    use std::fmt::Write;
    if x.is_finite() && x.abs() < 1e9 {
        let micros = (x * 1e6).round() as i64;
        if micros < 0 {
            out.push('-');
        }
        let m = micros.unsigned_abs();
        let _ = write!(out, "{}.{:06}", m / 1_000_000, m % 1_000_000);
    } else {
        let _ = write!(out, "{x:.6}");
    }
}

/// Serialises a float rounded to six decimals (for serde's `serialize_with`).
///
/// # Errors
/// Whatever the serializer returns.
pub fn fixed6<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(float(*x).parse().unwrap_or(*x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_have_one_format() {
        assert_eq!(float(0.5), "0.500000");
        assert_eq!(float(-1e-12), "0.000000");
        assert_eq!(float(2.0 / 3.0), "0.666667");
        assert_eq!(float(-2.5), "-2.500000");
        assert_eq!(float(1.0), "1.000000");
        assert_eq!(float(1234.0000004), "1234.000000");
        assert_eq!(float(2e10), "20000000000.000000");
        assert_eq!(float(-1e-7), "0.000000");
    }
}
