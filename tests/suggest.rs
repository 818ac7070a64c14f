//! Slice suggestions (SliceLine search): the planted worst slice comes first, and every suggestion's
//! expression selects exactly the rows and errors reported for it.

use rand::{Rng, SeedableRng};
use slicelab::slices::suggest::{SuggestConfig, suggest};
use slicelab::slices::{SliceDef, SliceSet};

/// 3,000 rows over a categorical `a`, a categorical `b`, a numeric `c`; 5% of rows are wrong, except
/// those with `a = 'x'` and `b = 'q'` (about 1 in 6), which are wrong 60% of the time.
fn planted() -> (slicelab::data::Table, Vec<bool>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut csv = String::from("a,b,c\n");
    let mut wrong = Vec::new();
    for _ in 0..3000 {
        let a = ["x", "y", "z"][rng.random_range(0..3)];
        let b = ["p", "q"][rng.random_range(0..2)];
        let c: f64 = rng.random_range(0.0..100.0);
        let rate = if a == "x" && b == "q" { 0.6 } else { 0.05 };
        wrong.push(rng.random_bool(rate));
        csv.push_str(&format!("{a},{b},{c:.3}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planted.csv");
    std::fs::write(&path, csv).unwrap();
    (slicelab::data::load::read_table(&path).unwrap(), wrong)
}

#[test]
fn the_planted_worst_slice_is_found_first() {
    let (table, wrong) = planted();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let cols = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let found = suggest(&table, &cols, &rows, &wrong, &SuggestConfig::default());
    assert!(!found.is_empty());
    assert_eq!(found[0].expr, "a = 'x' AND b = 'q'", "{found:#?}");
    assert!(found[0].error_rate > 0.5 && found.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn each_suggestion_selects_the_rows_it_reports() {
    let (table, wrong) = planted();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let cols = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let cfg = SuggestConfig {
        top_k: 20,
        min_support: 20,
        ..SuggestConfig::default()
    };
    let found = suggest(&table, &cols, &rows, &wrong, &cfg);
    assert!(found.len() >= 5);
    for s in &found {
        let set = SliceSet {
            slices: vec![SliceDef::new("s", &s.expr)],
        };
        let mask = &set.evaluate(&table).unwrap().masks[0];
        let errors = rows.iter().filter(|&&i| mask.get(i) && wrong[i]).count();
        assert_eq!(mask.count(), s.size, "{}", s.expr);
        assert!(
            (errors as f64 / s.size as f64 - s.error_rate).abs() < 1e-12,
            "{}",
            s.expr
        );
        assert!(s.size >= cfg.min_support && s.score > 0.0);
    }
}
