//! ISO dates and datetimes as numbers: days since 1970-01-01, fractional for a time of day, so
//! that dates sort, compare and standardise like any other number and print back as ISO text.

/// Seconds in a day.
const DAY_SECS: f64 = 86_400.0;

/// Days since 1970-01-01 of an ISO date (`2013-01-27`) or datetime (`2013-01-27 10:11:12`,
/// `2013-01-27T10:11:12.5Z`), or `None` when `s` is neither.
pub fn parse_date(s: &str) -> Option<f64> {
    let s = s.trim();
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let year = fixed_digits(parts.next()?, 4)?;
    let month = fixed_digits(parts.next()?, 2)?;
    let day = fixed_digits(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day) as f64;
    match time {
        None => Some(days),
        Some(t) => Some(days + parse_time(t)? / DAY_SECS),
    }
}

/// Seconds into the UTC day of `10:11:12`, `10:11`, `10:11:12.250`, with an optional zone: `Z`,
/// or an offset `+02:00`, `-0530`, `+02` (also after a space), which is subtracted, so times
/// written in different zones compare as the instants they are.
fn parse_time(t: &str) -> Option<f64> {
    let t = t.trim();
    let (t, offset) = match t.strip_suffix('Z') {
        Some(rest) => (rest, 0.0),
        None => match t.rfind(['+', '-']) {
            Some(i) => (t[..i].trim_end(), parse_offset(&t[i..])?),
            None => (t, 0.0),
        },
    };
    Some(local_time(t)? - offset)
}

/// Seconds east of UTC of `+02:00`, `-0530` or `+02` (at most 14 hours).
fn parse_offset(s: &str) -> Option<f64> {
    let sign = if s.starts_with('-') { -1.0 } else { 1.0 };
    let digits = s.get(1..)?.replace(':', "");
    let (h, m) = match digits.len() {
        2 => (fixed_digits(&digits, 2)?, 0),
        4 => (
            fixed_digits(&digits[..2], 2)?,
            fixed_digits(&digits[2..], 2)?,
        ),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * f64::from(h * 3600 + m * 60))
}

/// Seconds into the day of a time without a zone.
fn local_time(t: &str) -> Option<f64> {
    let mut parts = t.split(':');
    let hours = fixed_digits(parts.next()?, 2)?;
    let minutes = fixed_digits(parts.next()?, 2)?;
    let seconds = match parts.next() {
        None => 0.0,
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let frac_ok = frac.chars().all(|c| c.is_ascii_digit());
            if !frac_ok || (sec.contains('.') && frac.is_empty()) {
                return None;
            }
            let whole = fixed_digits(whole, 2)?;
            sec.parse::<f64>().ok().filter(|_| whole < 61)?
        }
    };
    if parts.next().is_some() || hours > 23 || minutes > 59 {
        return None;
    }
    Some(f64::from(hours * 3600 + minutes * 60) + seconds)
}

/// `s` as a number when it is exactly `n` ASCII digits.
fn fixed_digits(s: &str, n: usize) -> Option<u32> {
    if s.len() == n && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// ISO text of a day number: `2013-01-27`, with ` 10:11:12` when it has a time of day.
pub fn format_date(days: f64) -> String {
    if !days.is_finite() {
        return String::new();
    }
    // Whole seconds: a CSV's fractional seconds are rarely what a reader wants to see. Rounding
    // happens before the day is split off, so 23:59:59.7 carries into the next day's 00:00:00.
    let total = (days * DAY_SECS).round();
    let whole = (total / DAY_SECS).floor();
    let (y, m, d) = civil_from_days(whole as i64);
    let secs = (total - whole * DAY_SECS) as u32;
    if secs == 0 {
        return format!("{y:04}-{m:02}-{d:02}");
    }
    let (h, min, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_a_moment_before_midnight_rounds_into_the_next_day() {
        let almost = parse_date("2013-01-27").unwrap() + 1.0 - 0.3 / DAY_SECS;
        assert_eq!(format_date(almost), "2013-01-28");
    }

    #[test]
    fn parses_dates_and_datetimes() {
        assert_eq!(parse_date("1970-01-01"), Some(0.0));
        assert_eq!(parse_date("2013-01-27"), Some(15_732.0));
        assert_eq!(parse_date("2000-02-29"), Some(11_016.0));
        assert_eq!(parse_date("2013-01-27 12:00:00"), Some(15_732.5));
        assert_eq!(parse_date("2013-01-27T12:00:00Z"), Some(15_732.5));
        assert_eq!(parse_date("2013-01-27T06:00"), Some(15_732.25));
        assert!(parse_date("2013-01-27 12:00:00.5").is_some());
        for bad in [
            "2013-02-30",
            "2013-13-01",
            "13-01-27",
            "2013-1-27",
            "20130127",
            "x",
            "5",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timezone_offsets_are_read_as_the_utc_instant() {
        let utc = parse_date("2013-01-27T10:00:00Z").unwrap();
        for same in [
            "2013-01-27T12:00:00+02:00",
            "2013-01-27T12:00:00+0200",
            "2013-01-27 12:00+02",
            "2013-01-27 12:00:00 +02:00",
            "2013-01-27T04:30:00-05:30",
        ] {
            let day = parse_date(same).unwrap_or_else(|| panic!("{same} does not parse"));
            assert!((day - utc).abs() < 1e-9, "{same}: {day} vs {utc}");
        }
        // Past midnight in UTC: the day number moves with it.
        let late = parse_date("2013-01-27T23:30:00-01:00").unwrap();
        assert_eq!(format_date(late), "2013-01-28 00:30:00");
        for bad in [
            "2013-01-27T12:00+2",
            "2013-01-27T12:00+15:00",
            "2013-01-27T12:00+02:75",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_back_to_iso() {
        for s in [
            "1969-12-31",
            "2013-01-27",
            "2000-02-29",
            "2013-01-27 10:11:12",
        ] {
            assert_eq!(format_date(parse_date(s).unwrap()), s);
        }
    }
}
