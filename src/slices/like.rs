//! SQL `LIKE` patterns translated to regular expressions.

use regex::{Regex, RegexBuilder};

/// Compiles a `LIKE` pattern (`%` any run, `_` one char, `\` escapes) to an anchored regex.
pub fn like_regex(pattern: &str, case_insensitive: bool) -> Result<Regex, regex::Error> {
    let mut re = String::from("^");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => re.push_str(".*"),
            '_' => re.push('.'),
            '\\' => {
                if let Some(next) = chars.next() {
                    re.push_str(&regex::escape(&next.to_string()));
                }
            }
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    RegexBuilder::new(&re)
        .case_insensitive(case_insensitive)
        .dot_matches_new_line(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        let r = like_regex("%not%", false).unwrap();
        assert!(r.is_match("it is not good") && !r.is_match("NOT"));
        assert!(like_regex("%not%", true).unwrap().is_match("NOT"));
        assert!(like_regex("a_c", false).unwrap().is_match("abc"));
        assert!(!like_regex("a_c", false).unwrap().is_match("abbc"));
        assert!(like_regex("100\\%", false).unwrap().is_match("100%"));
    }
}
