//! The one float format of every output: six decimals, so equal results give equal bytes and a result
//! that moves in the ninth decimal does not change a file.

/// Prints a float with six decimals; never `-0.000000`.
pub fn float(x: f64) -> String {
    let s = format!("{x:.6}");
    if s == "-0.000000" { "0.000000".to_owned() } else { s }
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
    }
}
