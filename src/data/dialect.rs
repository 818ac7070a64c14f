//! How a delimited text file is written: its field separator (`,` `;` tab `|`), sniffed from its
//! first lines as DuckDB's reader does unless given, and, in a file not separated by commas,
//! whether its numbers use a decimal comma (`0,847`, `1.234,5`).

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Bytes of a file's start that the sniffer reads.
pub const SNIFF_BYTES: usize = 1 << 16;

/// Records of that start it compares.
const SNIFF_RECORDS: usize = 200;

/// The separators tried, in the order that breaks ties.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A field separator: sniffed from the file, or given by the user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delimiter {
    /// Sniffed from the first lines.
    #[default]
    Auto,
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// A tab.
    Tab,
    /// `|`
    Pipe,
}

impl Delimiter {
    /// Every choice, for menus.
    pub const ALL: [Delimiter; 5] = [
        Delimiter::Auto,
        Delimiter::Comma,
        Delimiter::Semicolon,
        Delimiter::Tab,
        Delimiter::Pipe,
    ];

    /// The separator byte, `None` for [`Delimiter::Auto`].
    pub fn byte(self) -> Option<u8> {
        match self {
            Delimiter::Auto => None,
            Delimiter::Comma => Some(b','),
            Delimiter::Semicolon => Some(b';'),
            Delimiter::Tab => Some(b'\t'),
            Delimiter::Pipe => Some(b'|'),
        }
    }

    /// How the choice reads in menus and messages.
    pub fn label(self) -> &'static str {
        match self {
            Delimiter::Auto => "sniffed",
            Delimiter::Comma => "comma ','",
            Delimiter::Semicolon => "semicolon ';'",
            Delimiter::Tab => "tab",
            Delimiter::Pipe => "pipe '|'",
        }
    }

    fn of_byte(b: u8) -> Self {
        match b {
            b';' => Delimiter::Semicolon,
            b'\t' => Delimiter::Tab,
            b'|' => Delimiter::Pipe,
            _ => Delimiter::Comma,
        }
    }
}

impl FromStr for Delimiter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "auto" => Ok(Delimiter::Auto),
            "," | "comma" => Ok(Delimiter::Comma),
            ";" | "semicolon" => Ok(Delimiter::Semicolon),
            "\\t" | "\t" | "tab" => Ok(Delimiter::Tab),
            "|" | "pipe" => Ok(Delimiter::Pipe),
            other => Err(format!(
                "'{other}' is not a delimiter: use auto, comma, semicolon, tab or pipe"
            )),
        }
    }
}

/// How a file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// The field separator.
    pub delimiter: Delimiter,
    /// Whether the separator was sniffed rather than given.
    pub sniffed: bool,
    /// Whether numbers are written with a decimal comma (never in a comma-separated file).
    pub decimal_comma: bool,
}

impl Dialect {
    /// The separator byte.
    pub fn byte(&self) -> u8 {
        self.delimiter.byte().unwrap_or(b',')
    }

    /// What a user should be told about how the file was read; `None` for a plain CSV file.
    pub fn notice(&self) -> Option<String> {
        if self.delimiter == Delimiter::Comma && !self.decimal_comma {
            return None;
        }
        let how = if self.sniffed {
            "sniffed from the first lines"
        } else {
            "as chosen"
        };
        let mut text = format!("fields separated by {} ({how})", self.delimiter.label());
        if self.decimal_comma {
            text.push_str("; numbers with a decimal comma read as numbers (0,847 is 0.847)");
        }
        Some(text)
    }

    /// Finds how `head` (a file's first [`SNIFF_BYTES`]) is written; `given` wins when set.
    pub fn sniff(head: &[u8], given: Delimiter) -> Self {
        let head = whole_lines(head);
        let delimiter = match given {
            Delimiter::Auto => Delimiter::of_byte(best_separator(head)),
            d => d,
        };
        let byte = delimiter.byte().unwrap_or(b',');
        let decimal_comma = byte != b',' && uses_decimal_comma(head, byte);
        Dialect {
            delimiter,
            sniffed: given == Delimiter::Auto,
            decimal_comma,
        }
    }
}

/// `head` without a last line that the read cut off.
fn whole_lines(head: &[u8]) -> &[u8] {
    if head.len() < SNIFF_BYTES {
        return head;
    }
    match head.iter().rposition(|&b| b == b'\n') {
        Some(end) => &head[..=end],
        None => head,
    }
}

/// The first records of `head` split at `sep`.
fn records(head: &[u8], sep: u8) -> Vec<::csv::ByteRecord> {
    let mut rdr = ::csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(head);
    rdr.byte_records()
        .take(SNIFF_RECORDS)
        .map_while(Result::ok)
        .collect()
}

/// The separator that splits the most lines into the same number (above one) of fields; ties
/// go to more fields, then to the order of [`CANDIDATES`]. A file no candidate splits is read
/// as comma-separated (one column).
fn best_separator(head: &[u8]) -> u8 {
    let mut best = (0usize, 0usize, b',');
    for sep in CANDIDATES {
        let counts: Vec<usize> = records(head, sep).iter().map(|r| r.len()).collect();
        let Some(mode) = mode(&counts).filter(|&m| m > 1) else {
            continue;
        };
        // Per mille of lines with the usual count, so a few ragged lines do not decide.
        let agree = counts.iter().filter(|&&c| c == mode).count() * 1000 / counts.len();
        if (agree, mode) > (best.0, best.1) {
            best = (agree, mode, sep);
        }
    }
    best.2
}

/// The most frequent value (the larger on a tie).
fn mode(values: &[usize]) -> Option<usize> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mut best: Option<(usize, usize)> = None;
    for run in sorted.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(n, _)| run.len() >= n) {
            best = Some((run.len(), run[0]));
        }
    }
    best.map(|(_, v)| v)
}

/// Whether numbers in `head` are written `0,847`: some fields are, and none is written `0.847`.
fn uses_decimal_comma(head: &[u8], sep: u8) -> bool {
    let (mut comma, mut point) = (0usize, 0usize);
    for record in records(head, sep).iter().skip(1) {
        for field in record.iter() {
            let Ok(text) = std::str::from_utf8(field) else {
                continue;
            };
            let text = text.trim();
            if decimal_comma_number(text).is_some() {
                comma += 1;
            } else if point_decimal(text) {
                point += 1;
            }
        }
    }
    comma > 0 && point == 0
}

/// `0.847` (digits, one point, digits).
fn point_decimal(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    match body.split_once('.') {
        Some((a, b)) => {
            !a.is_empty() && !b.is_empty() && all_digits(a) && all_digits(b) && !b.contains('.')
        }
        None => false,
    }
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// `text` rewritten with a decimal point when it is a number with a decimal comma (`-0,5`,
/// `1.234,5`: points group thousands); `None` otherwise.
pub fn decimal_comma_number(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let (sign, body) = match trimmed.strip_prefix(['-', '+']) {
        Some(rest) => (&trimmed[..1], rest),
        None => ("", trimmed),
    };
    let (int, frac) = body.split_once(',')?;
    if frac.is_empty() || !all_digits(frac) {
        return None;
    }
    let groups: Vec<&str> = int.split('.').collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3);
    let plain = groups.len() == 1 && !int.is_empty();
    if !(plain || grouped) || !groups.iter().all(|g| all_digits(g)) {
        return None;
    }
    Some(format!("{sign}{}.{frac}", groups.concat()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniffed(text: &str) -> (Delimiter, bool) {
        let d = Dialect::sniff(text.as_bytes(), Delimiter::Auto);
        (d.delimiter, d.decimal_comma)
    }

    #[test]
    fn each_separator_is_found_from_the_lines() {
        assert_eq!(sniffed("a,b,c\n1,2.5,x\n"), (Delimiter::Comma, false));
        assert_eq!(
            sniffed("a;b;c\n1;0,5;x\n2;0,7;y\n"),
            (Delimiter::Semicolon, true)
        );
        assert_eq!(sniffed("a\tb\n1\t2\n"), (Delimiter::Tab, false));
        assert_eq!(sniffed("a|b|c\n1|2|3\n"), (Delimiter::Pipe, false));
        // One column: nothing splits it.
        assert_eq!(sniffed("a\n1\n2\n"), (Delimiter::Comma, false));
        // Commas inside quoted text do not make it comma-separated.
        assert_eq!(
            sniffed("name;note\nx;\"a, b, c\"\ny;\"d, e\"\n"),
            (Delimiter::Semicolon, false)
        );
    }

    #[test]
    fn a_given_separator_wins_and_decimal_commas_need_a_non_comma_separator() {
        let d = Dialect::sniff(b"a;b\n1;2\n", Delimiter::Comma);
        assert_eq!((d.delimiter, d.sniffed), (Delimiter::Comma, false));
        // Points as decimals in the same file: commas are not decimals there.
        assert_eq!(sniffed("a;b\n0,5;1.5\n"), (Delimiter::Semicolon, false));
    }

    #[test]
    fn decimal_comma_numbers_are_rewritten_and_others_left_alone() {
        assert_eq!(decimal_comma_number("0,847").as_deref(), Some("0.847"));
        assert_eq!(decimal_comma_number(" -12,5 ").as_deref(), Some("-12.5"));
        assert_eq!(decimal_comma_number("1.234,5").as_deref(), Some("1234.5"));
        for text in ["1,2,3", "a,5", "12.34,5", ",5", "5,", "1.2", "Smith, J"] {
            assert_eq!(decimal_comma_number(text), None, "{text}");
        }
    }

    #[test]
    fn delimiters_parse_by_name_or_character() {
        assert_eq!("tab".parse(), Ok(Delimiter::Tab));
        assert_eq!(";".parse(), Ok(Delimiter::Semicolon));
        assert!(
            "x".parse::<Delimiter>()
                .unwrap_err()
                .contains("comma, semicolon")
        );
    }
}
