//! The value parsers both sides of a condition comparison share (spec §4.6): exact decimals,
//! instants, booleans, base64, IP addresses and CIDR blocks.
//!
//! Policy-side constants are parsed once, at compile time, into the owned [`Decimal`],
//! [`Instant`] and `Vec<u8>` forms. Request-side text is compared with them on the hot path, so
//! [`cmp_decimal_text`], [`cmp_instant_text`] and [`base64_equals`] parse it into borrowed
//! forms and allocate nothing; [`parse_ip`] and [`parse_bool`] allocate nothing either.

use base64::Engine as _;
use ipnet::IpNet;
use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;

/// An exact decimal number, `-?[0-9]+(\.[0-9]+)?` (spec §4.6, A-16). `10` equals `10.0`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros.
    int: String,
    /// Fraction digits without trailing zeros.
    frac: String,
}

/// A [`Decimal`] borrowing its digits from the text it was read from: the one parser and the
/// one comparison, shared by the owned form and the allocation-free request side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DecimalRef<'a> {
    /// Never set for zero, so `-0` equals `0`.
    negative: bool,
    /// Integer digits without leading zeros.
    int: &'a str,
    /// Fraction digits without trailing zeros.
    frac: &'a str,
}

impl<'a> DecimalRef<'a> {
    /// Parses the decimal grammar; anything else is `None`.
    fn parse(text: &'a str) -> Option<Self> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, text),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return None;
        }
        let int = int.trim_start_matches('0');
        let frac = frac.unwrap_or("").trim_end_matches('0');
        let zero = int.is_empty() && frac.is_empty();
        Some(DecimalRef {
            negative: negative && !zero,
            int,
            frac,
        })
    }

    /// Compares absolute values: normalized digits make that length, then digits.
    fn cmp_magnitude(self, other: DecimalRef<'_>) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(other.int))
            .then_with(|| self.frac.cmp(other.frac))
    }

    /// The numeric order.
    fn cmp(self, other: DecimalRef<'_>) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl Decimal {
    /// Parses the decimal grammar; anything else is `None`.
    pub fn parse(text: &str) -> Option<Decimal> {
        DecimalRef::parse(text).map(|d| Decimal {
            negative: d.negative,
            int: d.int.to_string(),
            frac: d.frac.to_string(),
        })
    }

    /// This decimal, borrowed.
    fn as_ref(&self) -> DecimalRef<'_> {
        DecimalRef {
            negative: self.negative,
            int: &self.int,
            frac: &self.frac,
        }
    }
}

/// The canonical text: `-` for negatives, the integer digits (`0` when there are none), then
/// `.` and the fraction digits when there is a fraction. [`Decimal::parse`] reads it back as an
/// equal value (the decision file stores numbers this way).
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { &self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_ref().cmp(other.as_ref())
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares request text with a policy decimal without allocating: `None` when `text` is not a
/// decimal (the grammar of [`Decimal::parse`]), else exactly
/// `Decimal::parse(text).unwrap().cmp(policy)`.
pub fn cmp_decimal_text(text: &str, policy: &Decimal) -> Option<Ordering> {
    Some(DecimalRef::parse(text)?.cmp(policy.as_ref()))
}

/// An instant: seconds since the epoch plus the fraction's digits (trailing zeros removed), so
/// comparisons keep full precision (spec §4.6, A-17).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Instant {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    pub secs: i64,
    /// Fraction-of-second digits, trailing zeros removed (compares lexicographically).
    pub frac: String,
}

/// An [`Instant`] borrowing its fraction digits from the text it was read from. The derived
/// order is `Instant`'s: `secs`, then `frac` lexicographically (`&str` and `String` order
/// alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct InstantRef<'a> {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    secs: i64,
    /// Fraction-of-second digits, trailing zeros removed.
    frac: &'a str,
}

impl Instant {
    /// Parses epoch seconds (`[0-9]+(\.[0-9]+)?`) or a W3C date-time: `YYYY`, `YYYY-MM`,
    /// `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.s+]][TZD]` with `TZD` = `Z` or `±hh:mm`; missing
    /// parts are the start of the period and a missing zone is UTC. All-digit text is
    /// always epoch seconds, so `"2020"` is 2020 seconds after the epoch.
    pub fn parse(text: &str) -> Option<Instant> {
        InstantRef::parse(text).map(|i| Instant {
            secs: i.secs,
            frac: i.frac.to_string(),
        })
    }
}

/// Compares request text with a policy instant without allocating: `None` when
/// [`Instant::parse`] refuses `text`, else exactly `Instant::parse(text).unwrap().cmp(policy)`.
pub fn cmp_instant_text(text: &str, policy: &Instant) -> Option<Ordering> {
    let parsed = InstantRef::parse(text)?;
    Some(parsed.cmp(&InstantRef {
        secs: policy.secs,
        frac: &policy.frac,
    }))
}

impl<'a> InstantRef<'a> {
    /// The grammar of [`Instant::parse`].
    fn parse(text: &'a str) -> Option<Self> {
        let b = text.as_bytes();
        if !b.is_empty() && b[0].is_ascii_digit() && DecimalRef::parse(text).is_some() {
            let (int, frac) = text.split_once('.').unwrap_or((text, ""));
            let secs: i64 = int.parse().ok()?;
            return Some(InstantRef {
                secs,
                frac: frac.trim_end_matches('0'),
            });
        }
        parse_w3c(text)
    }
}

fn num(s: &str, len: usize) -> Option<u32> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_w3c(text: &str) -> Option<InstantRef<'_>> {
    let (date_part, time_part) = match text.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut d = date_part.split('-');
    let year = i32::try_from(num(d.next()?, 4)?).ok()?;
    let month = d.next().map(|m| num(m, 2)).unwrap_or(Some(1))?;
    let day = d.next().map(|x| num(x, 2)).unwrap_or(Some(1))?;
    if d.next().is_some() {
        return None;
    }
    // A time needs the full date.
    if time_part.is_some() && date_part.len() != 10 {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
    let (mut hh, mut mm, mut ss, mut frac, mut offset_secs) = (0u32, 0u32, 0u32, "", 0i64);
    if let Some(t) = time_part {
        let (clock, zone) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
            (c, None)
        } else if let Some(i) = t.rfind(['+', '-']) {
            (&t[..i], Some(&t[i..]))
        } else {
            (t, None)
        };
        if let Some(z) = zone {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (zh, zm) = z[1..].split_once(':')?;
            let zh = i64::from(num(zh, 2)?);
            let zm = i64::from(num(zm, 2)?);
            if zh > 23 || zm > 59 {
                return None;
            }
            offset_secs = sign * (zh * 3600 + zm * 60);
        }
        let mut c = clock.split(':');
        hh = num(c.next()?, 2)?;
        mm = num(c.next()?, 2)?;
        if let Some(s) = c.next() {
            let (whole, f) = match s.split_once('.') {
                Some((w, f)) => (w, f),
                None => (s, ""),
            };
            ss = num(whole, 2)?;
            if s.contains('.') && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
                return None;
            }
            frac = f.trim_end_matches('0');
        }
        if c.next().is_some() {
            return None;
        }
    }
    let time = time::Time::from_hms(
        u8::try_from(hh).ok()?,
        u8::try_from(mm).ok()?,
        u8::try_from(ss).ok()?,
    )
    .ok()?;
    let secs = time::PrimitiveDateTime::new(date, time)
        .assume_utc()
        .unix_timestamp()
        - offset_secs;
    Some(InstantRef { secs, frac })
}

/// Parses `true`/`false` case-insensitively.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Decodes standard base64 (padding optional).
pub fn parse_base64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
        .ok()
}

/// Bytes of the stack buffer [`base64_equals`] decodes into.
const BASE64_STACK: usize = 1024;

/// Whether request text is the base64 encoding of the policy bytes, without allocating: `None`
/// when [`parse_base64`] refuses `text`, else exactly `Some(parse_base64(text).unwrap() ==
/// policy)`.
///
/// Text that could decode to more than 1 KiB (longer than 1364 characters) falls back to
/// [`parse_base64`] and so allocates; request values that long are not worth a bigger stack.
pub fn base64_equals(text: &str, policy: &[u8]) -> Option<bool> {
    use base64::DecodeSliceError::{DecodeError, OutputSliceTooSmall};
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    // The decoder's own bound on its output: three bytes per started group of four.
    if text.len().div_ceil(4) * 3 <= BASE64_STACK {
        let mut buf = [0u8; BASE64_STACK];
        // The same two engines, in the same order, as `parse_base64`: `decode_slice` runs the
        // very decoder `decode` runs, into this buffer instead of a fresh `Vec`.
        let decoded = match STANDARD.decode_slice(text, &mut buf) {
            Err(DecodeError(_)) => STANDARD_NO_PAD.decode_slice(text, &mut buf),
            first => first,
        };
        match decoded {
            Ok(len) => return Some(buf.get(..len) == Some(policy)),
            Err(DecodeError(_)) => return None,
            // Cannot happen under the bound above; answer the slow way rather than wrongly.
            Err(OutputSliceTooSmall) => {}
        }
    }
    parse_base64(text).map(|bytes| bytes == policy)
}

/// Parses a policy CIDR block; a bare address is `/32` or `/128`; host bits are masked.
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    if let Ok(net) = text.parse::<IpNet>() {
        return Some(net.trunc());
    }
    text.parse::<IpAddr>().ok().map(IpNet::from)
}

/// Parses a request-side IP address (a bare address; a CIDR is accepted for its address).
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<IpNet>().ok().map(|n| n.addr()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn decimals_compare_exactly() {
        assert_eq!(d("10"), d("10.0"));
        assert_eq!(d("-0"), d("0.000"));
        assert_eq!(d("007"), d("7"));
        assert!(d("9.99") < d("10"));
        assert!(d("-10") < d("-9.5"));
        assert!(d("0.5") > d("0.49"));
        assert!(d("123456789012345678901234567890") > d("123456789012345678901234567889"));
        for text in [
            "0",
            "-0.000",
            "007.50",
            "-12.034",
            "0.5",
            "123456789012345678901234567890",
        ] {
            let shown = d(text).to_string();
            assert_eq!(d(&shown), d(text), "{text} -> {shown}");
            assert_eq!(d(&shown).to_string(), shown, "canonical");
        }
        assert_eq!(d("-007.50").to_string(), "-7.5");
        assert_eq!(d("-0.0").to_string(), "0");
        for bad in ["", "-", "1.", ".5", "1e5", "+1", "0x10", "ten", " 1", "1 "] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    fn i(s: &str) -> Instant {
        Instant::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn instants_in_every_form() {
        assert_eq!(i("2020").secs, 2020, "all digits are epoch seconds (A-17)");
        assert_eq!(i("1893456000"), i("2030-01-01T00:00:00Z"));
        assert_eq!(i("2030-01-01"), i("2030-01-01T00:00Z"));
        assert_eq!(i("2030-01"), i("2030-01-01T00:00:00"));
        assert_eq!(i("2030-01-01T02:00:00+02:00"), i("2030-01-01T00:00:00Z"));
        assert_eq!(i("2029-12-31T19:00:00-05:00"), i("2030-01-01T00:00:00Z"));
        assert!(i("2030-01-01T00:00:00.5Z") > i("2030-01-01T00:00:00.49Z"));
        assert_eq!(i("2030-01-01T00:00:00.500Z"), i("2030-01-01T00:00:00.5Z"));
        assert_eq!(i("1.5").frac, "5");
        for bad in [
            "",
            "2030-13-01",
            "2030-02-30",
            "2030-01-01T25:00Z",
            "20300101",
            "tomorrow",
            "2030-01-01T10",
            "-5",
        ] {
            if bad == "20300101" {
                // all digits: epoch seconds, not a compact date
                assert_eq!(i(bad).secs, 20_300_101);
                continue;
            }
            assert!(Instant::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ips_bools_binary() {
        assert_eq!(parse_cidr("203.0.113.5").map(|n| n.prefix_len()), Some(32));
        assert_eq!(parse_cidr("2001:db8::1").map(|n| n.prefix_len()), Some(128));
        assert_eq!(
            parse_cidr("10.1.2.3/8").map(|n| n.to_string()),
            Some("10.0.0.0/8".into())
        );
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("nope").is_none());
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_base64("aGk="), Some(b"hi".to_vec()));
        assert_eq!(parse_base64("aGk"), Some(b"hi".to_vec()));
        assert!(parse_base64("!!").is_none());
    }

    // ---- the borrowed comparisons answer exactly what the owned parsers answered ----

    /// `Decimal` and `Instant` as they were before the parsers were made borrowing, kept
    /// verbatim as the oracle of the property tests below.
    mod old {
        use std::cmp::Ordering;

        /// An exact decimal number, `-?[0-9]+(\.[0-9]+)?` (spec §4.6, A-16). `10` equals `10.0`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct Decimal {
            pub negative: bool,
            /// Integer digits without leading zeros.
            pub int: String,
            /// Fraction digits without trailing zeros.
            pub frac: String,
        }

        impl Decimal {
            /// Parses the decimal grammar; anything else is `None`.
            pub fn parse(text: &str) -> Option<Decimal> {
                let (negative, body) = match text.strip_prefix('-') {
                    Some(b) => (true, b),
                    None => (false, text),
                };
                let (int, frac) = match body.split_once('.') {
                    Some((i, f)) => (i, Some(f)),
                    None => (body, None),
                };
                let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                if !digits(int) || frac.is_some_and(|f| !digits(f)) {
                    return None;
                }
                let int = int.trim_start_matches('0').to_string();
                let frac = frac.unwrap_or("").trim_end_matches('0').to_string();
                let zero = int.is_empty() && frac.is_empty();
                Some(Decimal {
                    negative: negative && !zero,
                    int,
                    frac,
                })
            }

            fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
                self.int
                    .len()
                    .cmp(&other.int.len())
                    .then_with(|| self.int.cmp(&other.int))
                    .then_with(|| self.frac.cmp(&other.frac))
            }
        }

        impl Ord for Decimal {
            fn cmp(&self, other: &Self) -> Ordering {
                match (self.negative, other.negative) {
                    (false, true) => Ordering::Greater,
                    (true, false) => Ordering::Less,
                    (false, false) => self.cmp_magnitude(other),
                    (true, true) => other.cmp_magnitude(self),
                }
            }
        }

        impl PartialOrd for Decimal {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        /// An instant: seconds since the epoch plus the fraction's digits (trailing zeros removed), so
        /// comparisons keep full precision (spec §4.6, A-17).
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct Instant {
            /// Whole seconds since 1970-01-01T00:00:00Z.
            pub secs: i64,
            /// Fraction-of-second digits, trailing zeros removed (compares lexicographically).
            pub frac: String,
        }

        impl Instant {
            /// Parses epoch seconds (`[0-9]+(\.[0-9]+)?`) or a W3C date-time: `YYYY`, `YYYY-MM`,
            /// `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.s+]][TZD]` with `TZD` = `Z` or `±hh:mm`; missing
            /// parts are the start of the period and a missing zone is UTC. All-digit text is
            /// always epoch seconds, so `"2020"` is 2020 seconds after the epoch.
            pub fn parse(text: &str) -> Option<Instant> {
                let b = text.as_bytes();
                if !b.is_empty() && b[0].is_ascii_digit() && Decimal::parse(text).is_some() {
                    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
                    let secs: i64 = int.parse().ok()?;
                    return Some(Instant {
                        secs,
                        frac: frac.trim_end_matches('0').to_string(),
                    });
                }
                parse_w3c(text)
            }
        }

        fn num(s: &str, len: usize) -> Option<u32> {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        }

        fn parse_w3c(text: &str) -> Option<Instant> {
            let (date_part, time_part) = match text.split_once(['T', 't']) {
                Some((d, t)) => (d, Some(t)),
                None => (text, None),
            };
            let mut d = date_part.split('-');
            let year = i32::try_from(num(d.next()?, 4)?).ok()?;
            let month = d.next().map(|m| num(m, 2)).unwrap_or(Some(1))?;
            let day = d.next().map(|x| num(x, 2)).unwrap_or(Some(1))?;
            if d.next().is_some() {
                return None;
            }
            // A time needs the full date.
            if time_part.is_some() && date_part.len() != 10 {
                return None;
            }
            let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
            let date = time::Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
            let (mut hh, mut mm, mut ss, mut frac, mut offset_secs) =
                (0u32, 0u32, 0u32, String::new(), 0i64);
            if let Some(t) = time_part {
                let (clock, zone) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
                    (c, None)
                } else if let Some(i) = t.rfind(['+', '-']) {
                    (&t[..i], Some(&t[i..]))
                } else {
                    (t, None)
                };
                if let Some(z) = zone {
                    let sign = if z.starts_with('-') { -1 } else { 1 };
                    let (zh, zm) = z[1..].split_once(':')?;
                    let zh = i64::from(num(zh, 2)?);
                    let zm = i64::from(num(zm, 2)?);
                    if zh > 23 || zm > 59 {
                        return None;
                    }
                    offset_secs = sign * (zh * 3600 + zm * 60);
                }
                let mut c = clock.split(':');
                hh = num(c.next()?, 2)?;
                mm = num(c.next()?, 2)?;
                if let Some(s) = c.next() {
                    let (whole, f) = match s.split_once('.') {
                        Some((w, f)) => (w, f),
                        None => (s, ""),
                    };
                    ss = num(whole, 2)?;
                    if s.contains('.') && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
                        return None;
                    }
                    frac = f.trim_end_matches('0').to_string();
                }
                if c.next().is_some() {
                    return None;
                }
            }
            let time = time::Time::from_hms(
                u8::try_from(hh).ok()?,
                u8::try_from(mm).ok()?,
                u8::try_from(ss).ok()?,
            )
            .ok()?;
            let secs = time::PrimitiveDateTime::new(date, time)
                .assume_utc()
                .unix_timestamp()
                - offset_secs;
            Some(Instant { secs, frac })
        }
    }

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn pick(rng: &mut ChaCha8Rng, alphabet: &[char], max: usize) -> String {
        let len = rng.random_range(0..=max);
        (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect()
    }

    /// Decimal-ish text: mostly digits, with signs, points and the odd stranger.
    fn decimal_text(rng: &mut ChaCha8Rng) -> String {
        const DIGITS: [char; 12] = ['0', '0', '0', '1', '2', '5', '9', '9', '0', '1', '.', '-'];
        const ODD: [char; 6] = ['e', '+', ' ', 'é', 'x', '.'];
        let mut s = String::new();
        if rng.random_bool(0.3) {
            s.push('-');
        }
        s.push_str(&pick(rng, &DIGITS[..10], 6));
        if rng.random_bool(0.5) {
            s.push('.');
            s.push_str(&pick(rng, &DIGITS[..10], 6));
        }
        if rng.random_bool(0.15) {
            let at = rng.random_range(0..=s.len());
            s.insert(at, ODD[rng.random_range(0..ODD.len())]);
        }
        if rng.random_bool(0.1) {
            s = pick(rng, &DIGITS, 8);
        }
        s
    }

    #[test]
    fn random_decimals_compare_as_before() {
        let mut rng = ChaCha8Rng::seed_from_u64(0xdec);
        let mut policies: Vec<(Decimal, old::Decimal)> = Vec::new();
        while policies.len() < 64 {
            let t = decimal_text(&mut rng);
            if let (Some(new), Some(old)) = (Decimal::parse(&t), old::Decimal::parse(&t)) {
                policies.push((new, old));
            }
        }
        let (mut valid, mut equal) = (0, 0);
        for case in 0..250_000 {
            let text = decimal_text(&mut rng);
            let parsed = old::Decimal::parse(&text);
            // The owned parser keeps its exact fields.
            let new = Decimal::parse(&text);
            assert_eq!(
                new.as_ref()
                    .map(|d| (d.negative, d.int.as_str(), d.frac.as_str())),
                parsed
                    .as_ref()
                    .map(|d| (d.negative, d.int.as_str(), d.frac.as_str())),
                "{text:?}"
            );
            let (policy, old_policy) = &policies[case % policies.len()];
            let want = parsed.as_ref().map(|d| d.cmp(old_policy));
            assert_eq!(
                cmp_decimal_text(&text, policy),
                want,
                "{text:?} vs {policy:?}"
            );
            assert_eq!(new.map(|d| d.cmp(policy)), want);
            valid += usize::from(want.is_some());
            equal += usize::from(want == Some(Ordering::Equal));
        }
        assert!(valid > 150_000 && equal > 1_000, "{valid} {equal}");
    }

    /// Instant-ish text: every accepted form, with random digits (so impossible dates and
    /// times too), then sometimes one random edit.
    fn instant_text(rng: &mut ChaCha8Rng) -> String {
        const DIGITS: [char; 10] = ['0', '1', '2', '3', '4', '5', '6', '9', '0', '0'];
        const EDIT: [char; 11] = ['0', '1', '9', '-', ':', '.', 'T', 'Z', '+', 'z', 't'];
        let d = |rng: &mut ChaCha8Rng, lo: usize, hi: usize| -> String {
            let n = rng.random_range(lo..=hi);
            (0..n)
                .map(|_| DIGITS[rng.random_range(0..DIGITS.len())])
                .collect()
        };
        let month = |rng: &mut ChaCha8Rng| format!("{:02}", rng.random_range(0..=13));
        let day = |rng: &mut ChaCha8Rng| format!("{:02}", rng.random_range(0..=32));
        let mut s = match rng.random_range(0..8) {
            0 => d(rng, 1, 11),
            1 => format!("{}.{}", d(rng, 1, 10), d(rng, 0, 4)),
            2 => format!("20{}", d(rng, 2, 2)),
            3 => format!("20{}-{}", d(rng, 2, 2), month(rng)),
            4 => format!("20{}-{}-{}", d(rng, 2, 2), month(rng), day(rng)),
            _ => {
                let mut s = format!(
                    "{}-{}-{}T",
                    1969 + rng.random_range(0..80),
                    month(rng),
                    day(rng)
                );
                s.push_str(&format!(
                    "{:02}:{:02}",
                    rng.random_range(0..25),
                    rng.random_range(0..61)
                ));
                if rng.random_bool(0.7) {
                    s.push_str(&format!(":{:02}", rng.random_range(0..61)));
                    if rng.random_bool(0.5) {
                        s.push('.');
                        s.push_str(&d(rng, 0, 4));
                    }
                }
                match rng.random_range(0..4) {
                    0 => {}
                    1 => s.push('Z'),
                    _ => s.push_str(&format!(
                        "{}{:02}:{:02}",
                        if rng.random_bool(0.5) { '+' } else { '-' },
                        rng.random_range(0..25),
                        rng.random_range(0..61)
                    )),
                }
                s
            }
        };
        if rng.random_bool(0.2) {
            let chars: Vec<char> = s.chars().collect();
            let at = rng.random_range(0..=chars.len());
            let c = EDIT[rng.random_range(0..EDIT.len())];
            s = match rng.random_range(0..3) {
                0 if at < chars.len() => chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != at)
                    .map(|(_, c)| *c)
                    .collect(),
                1 if at < chars.len() => chars
                    .iter()
                    .enumerate()
                    .map(|(i, x)| if i == at { c } else { *x })
                    .collect(),
                _ => {
                    let mut chars = chars;
                    chars.insert(at, c);
                    chars.into_iter().collect()
                }
            };
        }
        s
    }

    #[test]
    fn random_instants_compare_as_before() {
        let mut rng = ChaCha8Rng::seed_from_u64(0x1257);
        let mut policies: Vec<(String, Instant, old::Instant)> = Vec::new();
        while policies.len() < 64 {
            let t = instant_text(&mut rng);
            if let (Some(new), Some(old)) = (Instant::parse(&t), old::Instant::parse(&t)) {
                policies.push((t, new, old));
            }
        }
        // Equal seconds with different fractions exercise the lexicographic tie-break.
        let one = "1.5".to_string();
        policies.push((one.clone(), i(&one), old::Instant::parse(&one).unwrap()));
        let (mut valid, mut equal) = (0, 0);
        for case in 0..250_000 {
            let (policy_text, policy, old_policy) = &policies[case % policies.len()];
            let text = match case % 10 {
                // The same instant written again, or in another zone.
                1 => policy_text.replace('Z', "+00:00"),
                2 => format!("1.{}", case % 97),
                _ => instant_text(&mut rng),
            };
            let parsed = old::Instant::parse(&text);
            let new = Instant::parse(&text);
            assert_eq!(
                new.as_ref().map(|t| (t.secs, t.frac.as_str())),
                parsed.as_ref().map(|t| (t.secs, t.frac.as_str())),
                "{text:?}"
            );
            let want = parsed.as_ref().map(|t| t.cmp(old_policy));
            assert_eq!(
                cmp_instant_text(&text, policy),
                want,
                "{text:?} vs {policy:?}"
            );
            assert_eq!(new.map(|t| t.cmp(policy)), want);
            valid += usize::from(want.is_some());
            equal += usize::from(want == Some(Ordering::Equal));
        }
        assert!(valid > 100_000 && equal > 100, "{valid} {equal}");
    }

    #[test]
    fn random_base64_compares_as_before() {
        const ALPHABET: [char; 12] = ['A', 'Q', 'g', 'w', '/', '+', '0', '9', '=', '=', '-', ' '];
        let mut rng = ChaCha8Rng::seed_from_u64(0xb64);
        let (mut valid, mut equal) = (0, 0);
        for case in 0..250_000 {
            // Now and then a text around and beyond the stack buffer's 1364-character bound.
            let long = case % 500 == 0;
            let text = if long {
                let n = 1356 + rng.random_range(0..16);
                pick(&mut rng, &ALPHABET[..8], n) + &pick(&mut rng, &ALPHABET, 2)
            } else {
                pick(&mut rng, &ALPHABET, 10)
            };
            let decoded = parse_base64(&text);
            let policy = match (rng.random_range(0..3), &decoded) {
                (0 | 1, Some(bytes)) => {
                    let mut bytes = bytes.clone();
                    if rng.random_bool(0.3) && !bytes.is_empty() {
                        let at = rng.random_range(0..bytes.len());
                        bytes[at] ^= 1 << rng.random_range(0..8);
                    }
                    bytes
                }
                _ => (0..rng.random_range(0..4)).map(|_| rng.random()).collect(),
            };
            let want = decoded.map(|bytes| bytes == policy);
            assert_eq!(base64_equals(&text, &policy), want, "{text:?} {policy:?}");
            valid += usize::from(want.is_some());
            equal += usize::from(want == Some(true));
        }
        assert!(valid > 20_000 && equal > 10_000, "{valid} {equal}");
    }
}
