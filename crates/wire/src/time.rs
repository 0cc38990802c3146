//! Timestamps as the query protocols carry them: ISO 8601 in UTC with milliseconds.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        let millis =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        Timestamp(millis)
    }

    /// `2024-05-01T12:00:00.000Z`.
    pub fn to_iso8601(self) -> String {
        let (days, ms_of_day) = (self.0.div_euclid(86_400_000), self.0.rem_euclid(86_400_000));
        let (y, m, d) = civil_from_days(days);
        let secs = ms_of_day / 1000;
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            ms_of_day % 1000
        )
    }

    /// `YYYYMMDD` of the date, as SigV4 credential scopes and S3 key layouts use.
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0.div_euclid(86_400_000))
    }

    /// Whole seconds since the Unix epoch.
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// SigV4's ISO 8601 basic format, `20240501T120000Z` (whole seconds).
    pub fn to_basic(self) -> String {
        let (y, m, d) = self.ymd();
        let secs = self.0.rem_euclid(86_400_000) / 1000;
        format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", secs / 3600, (secs / 60) % 60, secs % 60)
    }

    /// Parses SigV4's basic format `YYYYMMDDTHHMMSSZ` (`X-Amz-Date`).
    pub fn parse_basic(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
            return None;
        }
        let num = |from: usize, len: usize| -> Option<i64> {
            let part = s.get(from..from + len)?;
            if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
        };
        let (y, mo, d) = (num(0, 4)?, num(4, 2)?, num(6, 2)?);
        let (h, mi, sec) = (num(9, 2)?, num(11, 2)?, num(13, 2)?);
        from_fields(y, mo, d, h, mi, sec)
    }

    /// Parses an HTTP date (RFC 7231's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`), which
    /// SigV4 accepts in `Date` instead of `X-Amz-Date`.
    pub fn parse_http_date(s: &str) -> Option<Self> {
        let rest = s.split_once(", ")?.1;
        let fields: Vec<&str> = rest.split(' ').collect();
        let [day, month, year, time, "GMT"] = fields.as_slice() else {
            return None;
        };
        const MONTHS: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
        let num = |t: &str| -> Option<i64> {
            if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) {
                t.parse().ok()
            } else {
                None
            }
        };
        let hms: Vec<&str> = time.split(':').collect();
        let [h, mi, sec] = hms.as_slice() else {
            return None;
        };
        if day.len() != 2 || year.len() != 4 {
            return None;
        }
        from_fields(num(year)?, month, num(day)?, num(h)?, num(mi)?, num(sec)?)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` or a plain date `YYYY-MM-DD`.
    pub fn parse_iso8601(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let num = |from: usize, len: usize| -> Option<i64> {
            let part = s.get(from..from + len)?;
            if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
        };
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
            return None;
        }
        let days = days_from_civil(y, mo as u32, d as u32);
        if b.len() == 10 {
            return Some(Timestamp(days * 86_400_000));
        }
        if !matches!(b.get(10), Some(b'T') | Some(b't') | Some(b' ')) {
            return None;
        }
        let (h, mi, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        if h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let mut rest = s.get(19..)?;
        let mut millis = 0;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            let scaled: String = frac.get(..digits)?.chars().chain("000".chars()).take(3).collect();
            millis = scaled.parse::<i64>().ok()?;
            rest = frac.get(digits..)?;
        }
        let offset_minutes = match rest {
            "Z" | "z" | "" => 0,
            tz => {
                let sign = match tz.as_bytes().first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return None,
                };
                let hh: i64 = tz.get(1..3)?.parse().ok()?;
                let mm: i64 = tz.get(tz.len().checked_sub(2)?..)?.parse().ok()?;
                sign * (hh * 60 + mm)
            }
        };
        let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_minutes * 60;
        Some(Timestamp(secs * 1000 + millis))
    }
}

/// A UTC time from its fields, refusing impossible ones.
fn from_fields(y: i64, mo: i64, d: i64, h: i64, mi: i64, sec: i64) -> Option<Timestamp> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    Some(Timestamp((days * 86_400 + h * 3600 + mi * 60 + sec) * 1000))
}

/// Howard Hinnant's algorithm: days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_round_trip() {
        let t = Timestamp(1_714_564_800_123);
        assert_eq!(t.to_iso8601(), "2024-05-01T12:00:00.123Z");
        assert_eq!(Timestamp::parse_iso8601("2024-05-01T12:00:00.123Z"), Some(t));
        assert_eq!(Timestamp::parse_iso8601("2024-05-01T14:00:00.123+02:00"), Some(t));
        assert_eq!(Timestamp(0).to_iso8601(), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn sigv4_dates() {
        let t = Timestamp::parse_basic("20150830T123600Z").unwrap();
        assert_eq!(t.to_basic(), "20150830T123600Z");
        assert_eq!(t, Timestamp::parse_iso8601("2015-08-30T12:36:00Z").unwrap());
        assert_eq!(Timestamp::parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"), Some(t));
        for bad in
            ["", "20150830T123600", "20151330T123600Z", "2015083OT123600Z", "20150830 123600Z"]
        {
            assert_eq!(Timestamp::parse_basic(bad), None, "{bad}");
        }
        for bad in [
            "30 Aug 2015 12:36:00 GMT",
            "Sun, 30 Aug 2015 12:36:00 UTC",
            "Sun, 30 Foo 2015 12:36:00 GMT",
        ] {
            assert_eq!(Timestamp::parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in
            ["", "2024", "2024-13-01", "2024-05-01X", "２０２４-05-01", "2024-05-01T99:00:00Z"]
        {
            assert_eq!(Timestamp::parse_iso8601(bad), None, "{bad}");
        }
    }
}
