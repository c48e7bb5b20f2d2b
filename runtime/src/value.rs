//! The value parsers both sides of a condition comparison share (spec §4.6): exact decimals,
//! instants, booleans, base64, IP addresses and CIDR blocks.

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
}
