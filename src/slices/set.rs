//! A named set of slicing functions, its TOML file, and its evaluation over a table.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::bitmap::Bitmap;
use super::error::SliceError;
use super::eval::Evaluator;
use super::expr::BoolExpr;
use super::parse::{Scope, parse_slice};
use crate::data::Table;

/// One slicing function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SliceDef {
    /// Unique name.
    pub name: String,
    /// SQL boolean expression (a WHERE clause without `WHERE`); a bare 0/1 column is allowed.
    pub expr: String,
    /// For experiments: corrupt the SF's outputs at this rate (swap noise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,
    /// Free text for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl SliceDef {
    /// A slice with just a name and an expression.
    pub fn new(name: &str, expr: &str) -> Self {
        Self {
            name: name.to_string(),
            expr: expr.to_string(),
            noise: None,
            description: None,
        }
    }
}

/// An ordered set of slicing functions.
///
/// Unknown tables are refused: a file written with `[[sf]]` instead of `[[slice]]` would otherwise
/// read as an empty set and every report would quietly lose its slices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SliceSet {
    /// The slices, in display order.
    #[serde(rename = "slice", default)]
    pub slices: Vec<SliceDef>,
}

/// The outputs of a slice set over one table.
#[derive(Debug, Clone)]
pub struct EvaluatedSlices {
    /// Slice names, in set order.
    pub names: Vec<String>,
    /// Membership per slice, in set order.
    pub masks: Vec<Bitmap>,
}

impl SliceSet {
    /// Reads a TOML slice file.
    pub fn load(path: &Path) -> Result<Self, SliceError> {
        let file_err = |message: String| SliceError::File {
            path: path.into(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
        let set: SliceSet = toml::from_str(&text).map_err(|e| file_err(toml_message(&e, &text)))?;
        set.check_names()?;
        Ok(set)
    }

    /// Writes the set as TOML, atomically.
    pub fn save(&self, path: &Path) -> Result<(), SliceError> {
        let file_err = |message: String| SliceError::File {
            path: path.into(),
            message,
        };
        let text = toml::to_string_pretty(self).map_err(|e| file_err(e.to_string()))?;
        crate::safe_write::write_atomic(path, text.as_bytes()).map_err(|e| file_err(e.to_string()))
    }

    /// One slice per column, for columns that already hold SF outputs (e.g. `sf_1`, `sf_2`).
    pub fn from_columns<S: AsRef<str>>(columns: &[S]) -> Self {
        Self {
            slices: columns
                .iter()
                .map(|c| SliceDef::new(c.as_ref(), &quote_ident(c.as_ref())))
                .collect(),
        }
    }

    /// One slice per column named `sf_*`: the convention for precomputed SF outputs.
    pub fn from_sf_columns(table: &Table) -> Self {
        let cols: Vec<&str> = table
            .names()
            .into_iter()
            .filter(|n| n.starts_with("sf_"))
            .collect();
        Self::from_columns(&cols)
    }

    /// Slice names in order.
    pub fn names(&self) -> Vec<String> {
        self.slices.iter().map(|s| s.name.clone()).collect()
    }

    fn check_names(&self) -> Result<(), SliceError> {
        let mut seen = HashSet::with_capacity(self.slices.len());
        for s in &self.slices {
            if !seen.insert(s.name.as_str()) {
                return Err(SliceError::DuplicateName(s.name.clone()));
            }
        }
        Ok(())
    }

    /// Parses and type-checks every expression against `table`.
    pub fn compile(&self, table: &Table) -> Result<Vec<BoolExpr>, SliceError> {
        self.check_names()?;
        // One set for all slices (not a list of the others per slice: quadratic in big sets).
        let names: HashSet<String> = self.names().into_iter().collect();
        self.slices
            .iter()
            .map(|s| {
                // A slice may refer to the others, never to itself.
                let scope = Scope::new(table, &names, Some(&s.name));
                parse_slice(&s.expr, &scope).map_err(|error| SliceError::Expr {
                    name: s.name.clone(),
                    expr: s.expr.clone(),
                    error,
                })
            })
            .collect()
    }

    /// Evaluates every slice (references to other slices resolved first) without noise.
    pub fn evaluate(&self, table: &Table) -> Result<EvaluatedSlices, SliceError> {
        let compiled = self.compile(table)?;
        let order = dependency_order(&self.names(), &compiled)?;
        let mut done: HashMap<String, Bitmap> = HashMap::new();
        for i in order {
            let mask = Evaluator {
                table,
                slices: &done,
            }
            .eval(&compiled[i]);
            done.insert(self.slices[i].name.clone(), mask);
        }
        let masks = self
            .slices
            .iter()
            .map(|s| done.remove(&s.name).unwrap_or_default())
            .collect();
        Ok(EvaluatedSlices {
            names: self.names(),
            masks,
        })
    }

    /// Names of columns used whole as SF outputs (`expr` is just a column name): these hold
    /// precomputed slice labels and must not become model features.
    pub fn column_sfs(&self, table: &Table) -> Vec<String> {
        self.slices
            .iter()
            .filter_map(|s| {
                let bare = s.expr.trim().trim_matches('"');
                table.column(bare).map(|c| c.name.clone())
            })
            .collect()
    }
}

/// Quotes a column name as a SQL identifier when needed.
pub fn quote_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

fn toml_message(e: &toml::de::Error, text: &str) -> String {
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].lines().count().max(1);
            format!("line {line}: {}", e.message())
        }
        None => e.message().to_string(),
    }
}

/// How deeply slices may refer to each other: `a` using `b` using `c` ... is a chain of that many
/// slices. Resolution is linear at any depth; the bound keeps chains to a size people can follow,
/// and the message of a cycle (which lists its path) short.
pub const MAX_REFERENCE_DEPTH: usize = 1000;

/// Evaluation order in which every referenced slice comes before its users.
///
/// A depth-first search with an explicit stack: a chain of thousands of references must not
/// recurse. Errors on cycles and on chains deeper than [`MAX_REFERENCE_DEPTH`].
pub(crate) fn dependency_order(
    names: &[String],
    compiled: &[BoolExpr],
) -> Result<Vec<usize>, SliceError> {
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let deps: Vec<Vec<usize>> = compiled
        .iter()
        .map(|e| {
            let mut refs = Vec::new();
            e.slice_refs(&mut refs);
            refs.iter()
                .filter_map(|r| index.get(r.as_str()).copied())
                .collect()
        })
        .collect();
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; names.len()];
    let mut order = Vec::with_capacity(names.len());
    // Slices on the longest chain a done slice starts (1 = it refers to none).
    let mut depth = vec![0usize; names.len()];
    let too_deep = |i: usize| SliceError::ReferencesTooDeep {
        name: names[i].clone(),
        limit: MAX_REFERENCE_DEPTH,
    };
    // The current path: each slice with the number of its references followed so far.
    let mut path: Vec<(usize, usize)> = Vec::new();
    for root in 0..names.len() {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        path.push((root, 0));
        while let Some((node, next)) = path.last_mut() {
            let node = *node;
            let Some(&dep) = deps[node].get(*next) else {
                depth[node] = 1 + deps[node].iter().map(|&d| depth[d]).max().unwrap_or(0);
                if depth[node] > MAX_REFERENCE_DEPTH {
                    return Err(too_deep(node));
                }
                state[node] = 2;
                order.push(node);
                path.pop();
                continue;
            };
            *next += 1;
            match state[dep] {
                // The path itself is a chain: stop before following one past the limit.
                0 if path.len() >= MAX_REFERENCE_DEPTH => return Err(too_deep(path[0].0)),
                0 => {
                    state[dep] = 1;
                    path.push((dep, 0));
                }
                1 => {
                    let mut cycle: Vec<&str> =
                        path.iter().map(|&(i, _)| names[i].as_str()).collect();
                    cycle.push(&names[dep]);
                    return Err(SliceError::Cycle(cycle.join(" -> ")));
                }
                _ => {}
            }
        }
    }
    Ok(order)
}
