//! Text slicing-function helpers: word count, questions, negation, the slices NLU error
//! analyses use. Questions and negation are regular expressions so they evaluate once per
//! distinct text like every other string predicate.

use regex::Regex;

/// Case-insensitive: ends with `?`, or starts with a wh-word.
pub const QUESTION_PATTERN: &str =
    r"(?i)^\s*(?:what|who|whom|whose|which|when|where|why|how)\b|\?\s*$";

/// Case-insensitive: a negation word or an `n't` contraction.
pub const NEGATION_PATTERN: &str =
    r"(?i)\b(?:not|no|never|nothing|nobody|none|neither|nor|nowhere|cannot|without)\b|n't\b";

/// The number of whitespace-separated words.
pub fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Compiles one of this module's patterns (they are constants, checked by the tests).
pub fn pattern(p: &str) -> Regex {
    Regex::new(p).unwrap_or_else(|e| unreachable!("built-in pattern {p}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_negations_and_words() {
        let q = pattern(QUESTION_PATTERN);
        assert!(q.is_match("Is it any good?"));
        assert!(q.is_match("Why would anyone watch this"));
        assert!(!q.is_match("Somehow it works."));
        let n = pattern(NEGATION_PATTERN);
        assert!(n.is_match("It isn't funny."));
        assert!(n.is_match("Not a single laugh."));
        assert!(!n.is_match("Nothingness aside, a notable film."));
        assert_eq!(word_count("  two   words "), 2);
    }
}
