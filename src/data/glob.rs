//! Column-name patterns for `--ignore` and `--features`: `*` matches any run of characters,
//! `?` exactly one; anything else matches itself.

use super::table::Table;

/// Whether `name` matches the glob `pattern` (`*` and `?` only; case-sensitive).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Greedy match with one backtrack point: the last `*` seen, linear for these small patterns.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A pattern that matched no column, with the closest column names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no column matches '{pattern}' in {source_name}; closest: {closest}")]
pub struct NoMatch {
    /// The pattern as given.
    pub pattern: String,
    /// The table it was matched against.
    pub source_name: String,
    /// Closest column names, comma-separated.
    pub closest: String,
}

/// The columns of `table` matched by any of `patterns`, in table order. A plain name is also
/// taken as a position (`-1`, the last column), as `--label` takes it.
pub fn match_columns(table: &Table, patterns: &[String]) -> Result<Vec<String>, NoMatch> {
    let mut keep = vec![false; table.columns.len()];
    for pattern in patterns.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let mut any = false;
        if pattern.contains(['*', '?']) {
            for (k, c) in table.columns.iter().enumerate() {
                if glob_match(pattern, &c.name) {
                    keep[k] = true;
                    any = true;
                }
            }
        } else if let Some(name) = table.resolve_name(pattern)
            && let Some(k) = table.index_of(name)
        {
            keep[k] = true;
            any = true;
        }
        if !any {
            let stem: String = pattern
                .chars()
                .filter(|c| !matches!(c, '*' | '?'))
                .collect();
            return Err(NoMatch {
                pattern: pattern.to_string(),
                source_name: table.source.clone(),
                closest: table.closest_names(&stem, 8).join(", "),
            });
        }
    }
    Ok(table
        .columns
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(c, _)| c.name.clone())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_question_marks() {
        assert!(glob_match("v_*", "v_decile"));
        assert!(!glob_match("v_*", "decile_v"));
        assert!(glob_match("*_jail_*", "c_jail_in"));
        assert!(glob_match("c1??", "c123"));
        assert!(!glob_match("c1??", "c12"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b", "aXbYc"));
        assert!(glob_match("exact", "exact"));
    }
}
