//! The one float format of every output: six decimals, so equal results give equal bytes and a result
//! that moves in the ninth decimal does not change a file. From 10¹⁶ in magnitude, where a double holds no
//! fraction and not every integer, the shortest scientific form that reads back as the same double
//! (`1.7e308`, not the 309 digits of its exact value).

/// Prints a float with six decimals; never `-0.000000`.
pub fn float(x: f64) -> String {
    let mut s = String::with_capacity(16);
    push_float(&mut s, x);
    s
}

/// Appends a float with six decimals to a byte buffer, as [`push_float`] does.
pub fn push_float_bytes(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() && x.abs() < 1e9 {
        let micros = (x * 1e6).round() as i64;
        if micros < 0 {
            out.push(b'-');
        }
        let m = micros.unsigned_abs();
        push_uint(out, m / 1_000_000);
        out.push(b'.');
        let frac = m % 1_000_000;
        let mut digits = [b'0'; 6];
        let mut f = frac;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (f % 10) as u8;
            f /= 10;
        }
        out.extend_from_slice(&digits);
    } else {
        out.extend_from_slice(float(x).as_bytes());
    }
}

/// The number [`float`] prints, as a float: rounded half away from zero at the sixth decimal (and never
/// `-0.0`), for typed outputs that must hold exactly what the CSV shows.
pub fn round6(x: f64) -> f64 {
    if x.is_finite() && x.abs() < 1e9 {
        // Both operands are exact, so the division gives the double nearest the six-decimal value, which
        // is what parsing the printed form gives.
        ((x * 1e6).round() as i64) as f64 / 1e6
    } else {
        float(x).parse().unwrap_or(x)
    }
}

/// Appends an unsigned integer's decimal digits.
fn push_uint(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    loop {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[k..]);
}

/// Appends a float with six decimals to `out`. Values below 10⁹ in magnitude (every score) take an
/// integer path, rounding half away from zero at the sixth decimal; others go through `format!`, from
/// [`SCIENTIFIC`] in the shortest scientific form that reads back as the same double.
pub fn push_float(out: &mut String, x: f64) {
    use std::fmt::Write;
    if x.is_finite() && x.abs() < 1e9 {
        let micros = (x * 1e6).round() as i64;
        if micros < 0 {
            out.push('-');
        }
        let m = micros.unsigned_abs();
        let _ = write!(out, "{}.{:06}", m / 1_000_000, m % 1_000_000);
    } else if x.is_finite() && x.abs() >= SCIENTIFIC {
        let _ = write!(out, "{x:e}");
    } else {
        let _ = write!(out, "{x:.6}");
    }
}

/// The magnitude from which floats are printed in scientific form: past 2⁵³ a double holds no fraction and
/// skips integers, so six decimals would print digits that say nothing (a number story's estimate of
/// 1.7e308 took 309 of them).
pub const SCIENTIFIC: f64 = 1e16;

/// Serialises `x` to three significant digits: for a convergence measure such as em's last change, whose
/// size matters and whose 16th digit depends on the order of a sum (six decimals would print 5.7e-7 as 0.000001).
pub fn sig3<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    let rounded: f64 = format!("{x:.2e}").parse().unwrap_or(*x);
    s.serialize_f64(rounded)
}

/// Serialises a float rounded to six decimals (for serde's `serialize_with`).
///
/// # Errors
/// Whatever the serializer returns.
pub fn fixed6<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(float(*x).parse().unwrap_or(*x))
}

/// A time (seconds since the epoch) as RFC 3339 in UTC, `2025-06-23T14:05:00Z`.
pub fn time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// Serialises an optional time with [`time`] (`null` when absent).
pub fn opt_time<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&time(*t)),
        None => s.serialize_none(),
    }
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
        for x in [
            0.0,
            0.5,
            0.1234565,
            1.0,
            99.999_999_9,
            -3.25,
            123_456.789,
            2e10,
            f64::NAN,
        ] {
            let mut b = Vec::new();
            push_float_bytes(&mut b, x);
            assert_eq!(String::from_utf8(b).unwrap(), float(x), "{x}");
            if !x.is_nan() {
                assert_eq!(round6(x), float(x).parse::<f64>().unwrap(), "{x}");
            }
        }
        assert_eq!(round6(-1e-7).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn huge_floats_are_short_and_read_back_exactly() {
        assert_eq!(float(9.99e15), "9990000000000000.000000");
        assert_eq!(float(1e16), "1e16");
        assert_eq!(float(1.7e308), "1.7e308");
        assert_eq!(float(-f64::MAX), "-1.7976931348623157e308");
        assert_eq!(float(123_456_789_012_345_680_000.0), "1.2345678901234568e20");
        assert_eq!(float(f64::INFINITY), "inf");
        for x in [1e16, 1.7e308, -f64::MAX, 3.0e17 + 64.0, 1e300 / 3.0] {
            let mut b = Vec::new();
            push_float_bytes(&mut b, x);
            assert_eq!(String::from_utf8(b).unwrap(), float(x), "{x}");
            assert_eq!(float(x).parse::<f64>().unwrap().to_bits(), x.to_bits(), "{x}");
            assert_eq!(round6(x).to_bits(), x.to_bits(), "{x}");
        }
    }
}
