//! Readable slice names made from slice expressions, shared by the CLI's suggestions and every
//! place in the app that names a slice for the user: `age < 25` is `age_lt_25`,
//! `x1 BETWEEN -0.6 AND -0.19` is `x1_m0_6_to_m0_19`, and a numeric bin
//! `edu_num >= 10 AND edu_num < 12` is `edu_num_10_12`.

/// Longest name [`auto_name`] returns; longer names have their column words shortened first.
pub const MAX_NAME_CHARS: usize = 40;

/// What a word of a name stands for: abbreviation treats each kind differently.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Column,
    Value,
    Other,
}

/// One conjunct of the expression as words, with the comparison it makes (if one) after its
/// first `op_at` words, so two conjuncts bounding the same column can merge into a range.
#[derive(Debug, Default)]
struct Part {
    words: Vec<(String, Kind)>,
    op: Option<(&'static str, usize)>,
}

/// A slice name for `expr`: its columns, values and numbers as lower-case words joined by `_`,
/// comparison operators in words (`lt`, `ge`, `ne`, ...), a minus sign as `m`, a decimal point
/// as `_`, and `col >= a AND col < b` as `col_a_b`. At most [`MAX_NAME_CHARS`] characters;
/// never empty and never starting with a digit (a name must be usable in other expressions).
pub fn auto_name(expr: &str) -> String {
    let parts = merge_ranges(parts(&tokens(expr)));
    let words: Vec<(String, Kind)> = parts.into_iter().flat_map(|p| p.words).collect();
    let mut name = join(&words, false);
    if name.len() > MAX_NAME_CHARS {
        name = join(&words, true);
    }
    if name.len() > MAX_NAME_CHARS {
        // Cut at a word boundary so no word is left half-written.
        let cut = name[..=MAX_NAME_CHARS].rfind('_').unwrap_or(MAX_NAME_CHARS);
        name.truncate(cut);
    }
    if name.is_empty() {
        return "slice".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "s_");
    }
    name
}

/// Words a shortened column name leaves out.
const FILLER: [&str; 9] = ["in", "of", "the", "a", "an", "to", "for", "and", "or"];

/// The words joined by `_`; `short` keeps the first three words of a column name, each cut to
/// 3 letters (`education_num` -> `edu_num`), and the first two words of a text value.
fn join(words: &[(String, Kind)], short: bool) -> String {
    let pieces: Vec<String> = words
        .iter()
        .filter(|(w, _)| !w.is_empty())
        .map(|(w, kind)| match (short, kind) {
            (true, Kind::Column) => w
                .split('_')
                .filter(|p| !FILLER.contains(p))
                .take(3)
                .map(|p| p.chars().take(3).collect::<String>())
                .collect::<Vec<_>>()
                .join("_"),
            (true, Kind::Value) => w.split('_').take(2).collect::<Vec<_>>().join("_"),
            _ => w.clone(),
        })
        .collect();
    pieces.join("_")
}

/// `[c, ge, a]` followed by `[c, lt, b]` (a numeric bin) becomes `[c, a, b]`.
fn merge_ranges(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for part in parts {
        if let Some(prev) = out.last_mut()
            && let (Some(("ge", i)), Some(("lt", j))) = (prev.op, part.op)
            && i == j
            && prev.words[..i] == part.words[..j]
        {
            prev.words.remove(i);
            prev.words.extend(part.words.into_iter().skip(j + 1));
            prev.op = None;
            continue;
        }
        out.push(part);
    }
    out
}

/// A token of an SQL expression, as far as naming needs to know it.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Num(String),
    Keyword(String),
    Symbol(&'static str),
}

/// Splits the expression into conjuncts (top-level `AND`, not the one of `BETWEEN`) of words.
fn parts(tokens: &[Token]) -> Vec<Part> {
    let mut out = Vec::new();
    let mut part = Part::default();
    let mut in_between = false;
    for (i, t) in tokens.iter().enumerate() {
        if *t == Token::Keyword("and".into()) && !in_between {
            out.push(std::mem::take(&mut part));
            continue;
        }
        let operand_before = |back: usize| {
            matches!(
                i.checked_sub(back).map(|p| &tokens[p]),
                Some(Token::Ident(_) | Token::Num(_) | Token::Str(_) | Token::Symbol(")"))
            )
        };
        let word = |w: &str| (w.to_string(), Kind::Other);
        match t {
            Token::Ident(s) => part.words.push((slug(s), Kind::Column)),
            Token::Str(s) => part.words.push((slug(s), Kind::Value)),
            Token::Num(s) => {
                let unary_minus =
                    i > 0 && tokens[i - 1] == Token::Symbol("-") && !operand_before(2);
                let sign = if unary_minus { "m" } else { "" };
                part.words.push((format!("{sign}{}", slug(s)), Kind::Other));
            }
            Token::Keyword(k) => match k.as_str() {
                "between" => in_between = true,
                "and" => {
                    in_between = false;
                    part.words.push(word("to"));
                }
                "is" => {}
                other => part.words.push(word(other)),
            },
            Token::Symbol(s) => {
                let w = match *s {
                    ">=" => "ge",
                    ">" => "gt",
                    "<=" => "le",
                    "<" => "lt",
                    "<>" | "!=" => "ne",
                    "+" => "plus",
                    "-" if operand_before(1) => "minus",
                    "*" => "times",
                    "/" => "div",
                    "%" => "mod",
                    _ => "",
                };
                if matches!(w, "ge" | "lt") && part.op.is_none() {
                    let op = if w == "ge" { "ge" } else { "lt" };
                    part.op = Some((op, part.words.len()));
                }
                if !w.is_empty() {
                    part.words.push(word(w));
                }
            }
        }
    }
    out.push(part);
    out
}

/// Lower-case letters and digits of `s`, other runs as one `_`, no `_` at either end.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

const KEYWORDS: [&str; 10] = [
    "and", "or", "not", "between", "in", "is", "null", "like", "ilike", "true",
];

/// A tolerant tokenizer: anything it does not know is skipped, since a name is only a hint.
fn tokens(expr: &str) -> Vec<Token> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            let (text, next) = quoted(&chars, i);
            out.push(if c == '\'' {
                Token::Str(text)
            } else {
                Token::Ident(text)
            });
            i = next;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push(Token::Num(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let lower = word.to_lowercase();
            out.push(if KEYWORDS.contains(&lower.as_str()) || lower == "false" {
                Token::Keyword(lower)
            } else {
                Token::Ident(word)
            });
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let symbol = [">=", "<=", "<>", "!="]
                .into_iter()
                .find(|s| *s == two)
                .or_else(|| {
                    ["=", "<", ">", "-", "+", "*", "/", "%", "(", ")", ","]
                        .into_iter()
                        .find(|s| s.starts_with(c))
                });
            i += symbol.map_or(1, str::len);
            if let Some(s) = symbol {
                out.push(Token::Symbol(s));
            }
        }
    }
    out
}

/// The text of a quoted string or identifier starting at `start`, with doubled quotes undone,
/// and the index after its closing quote.
fn quoted(chars: &[char], start: usize) -> (String, usize) {
    let q = chars[start];
    let mut text = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == q {
            if chars.get(i + 1) == Some(&q) {
                text.push(q);
                i += 2;
                continue;
            }
            return (text, i + 1);
        }
        text.push(chars[i]);
        i += 1;
    }
    (text, i)
}

#[cfg(test)]
mod tests {
    use super::auto_name;

    #[test]
    fn operators_become_words_and_signs_stay() {
        assert_eq!(auto_name("age < 25"), "age_lt_25");
        assert_eq!(auto_name("age >= 65"), "age_ge_65");
        assert_eq!(auto_name("x1 BETWEEN -0.60 AND -0.19"), "x1_m0_60_to_m0_19");
        assert_eq!(auto_name("x - 1 > 0"), "x_minus_1_gt_0");
        assert_eq!(auto_name("race = 'Black'"), "race_black");
        assert_eq!(auto_name("sex <> 'Male'"), "sex_ne_male");
        assert_eq!(auto_name("\"capital gain\" IS NULL"), "capital_gain_null");
    }

    #[test]
    fn bins_read_as_ranges_and_long_names_shorten() {
        assert_eq!(
            auto_name("education_num >= 10 AND education_num < 12"),
            "education_num_10_12"
        );
        assert_eq!(
            auto_name(
                "education_num >= 10 AND education_num < 12 AND marital_status = 'Married-civ-spouse'"
            ),
            "edu_num_10_12_mar_sta_married_civ"
        );
        let long = auto_name(
            "detailed_occupation_recode >= 0 AND detailed_occupation_recode < 10 AND \
             sex = 'Male' AND weeks_worked_in_year >= 52",
        );
        assert!(long.len() <= super::MAX_NAME_CHARS, "{long}");
        assert!(long.starts_with("det_occ_rec_0_10_sex_male"), "{long}");
    }

    #[test]
    fn names_are_never_empty_nor_start_with_a_digit() {
        assert_eq!(auto_name("'!!'"), "slice");
        assert_eq!(auto_name("\"2nd\" = 1"), "s_2nd_1");
    }
}
