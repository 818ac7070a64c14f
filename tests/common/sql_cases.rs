//! Slice expressions covering every construct, on a table with a missing value in every column
//! kind, and the counts table slicelab's own bitmaps give: shared by the SQL and engine tests.

use std::collections::BTreeMap;
use std::path::Path;

use slicelab::data::load::read_table;
use slicelab::data::{Dataset, DatasetSpec, Split};
use slicelab::slices::{SliceDef, SliceSet};

/// A table with a missing value in every column kind: numbers, text, 0/1, dates, free text.
pub const GENERATED: &str = "\
n,s,b,d,t,y,p
1.5,Alpha,1,2013-01-27,Why is it so slow?,1,1
,beta,0,2013-02-01,It isn't good,0,1
-2,,1,,a  b   c,1,0
0,O'Neil,0,2014-05-05,\"100% sure, not bad\",0,0
3,a\\b,1,2013-01-01,what now,1,1
4,alphabet,0,2015-06-30,,2,2
2,Beta,1,2013-01-27,no way?,2,1
";

/// Every construct a slice expression may use.
pub const CONSTRUCTS: &[(&str, &str)] = &[
    ("cmp", "n > 1"),
    ("is_null", "n IS NULL"),
    ("not_null", "s IS NOT NULL"),
    ("in_num", "n IN (0, 3)"),
    ("not_in", "s NOT IN ('Alpha', 'beta')"),
    ("between", "n BETWEEN -1 AND 2"),
    ("like", "s LIKE 'A%'"),
    ("like_escape", "t LIKE '100\\% %'"),
    ("ilike", "s ILIKE 'al%'"),
    ("underscore", "s LIKE 'bet_'"),
    ("quote", "s = 'O''Neil'"),
    ("backslash", "s = 'a\\b'"),
    ("regexp", "REGEXP_LIKE(t, '^w\\w+')"),
    ("arith", "(n * 2 + 1) / (n - 1) >= 0.5"),
    ("modulo", "n % 2 = 1"),
    ("negate", "-n < 1"),
    ("sqrt", "SQRT(n) < 2"),
    ("ln", "LN(n) < 1"),
    ("round", "ROUND(n) = 2 OR FLOOR(n) = 1 OR CEIL(n) = 2"),
    ("abs_exp", "ABS(n) = 2 AND EXP(n) > 1"),
    ("lower_upper", "LOWER(s) = 'alpha' OR UPPER(s) = 'BETA'"),
    ("trim_length", "TRIM(t) = 'a  b   c' OR LENGTH(s) = 5"),
    ("words", "WORD_COUNT(t) >= 3"),
    ("question", "IS_QUESTION(t)"),
    ("negation", "HAS_NEGATION(t)"),
    ("bool_col", "b"),
    ("bool_eq", "b = 1"),
    ("date", "d >= '2013-01-27'"),
    ("date_in", "d IN ('2013-01-27')"),
    ("num_text", "n = 'abc' OR n IN ('1.5', 'x')"),
    ("same", "(n > 1) = (b = 1)"),
    ("not_or", "NOT (n > 1 OR s = 'beta')"),
    ("literal", "n > 100 OR FALSE"),
    ("refs", "question AND NOT negation"),
];

/// A slice set of (name, expression) pairs.
pub fn set_of(pairs: &[(&str, &str)]) -> SliceSet {
    SliceSet {
        slices: pairs.iter().map(|(n, e)| SliceDef::new(n, e)).collect(),
    }
}

/// The counts table the query returns, tallied from slicelab's own bitmaps over `data`.
pub fn counts_from_bitmaps(data: &Path, label: &str, pred: &str, set: &SliceSet) -> String {
    let table = read_table(data).unwrap();
    let spec = DatasetSpec {
        pred: Some(pred.to_string()),
        ..DatasetSpec::new(label)
    };
    let forced = vec![Some(Split::Test); table.n_rows()];
    let ds = Dataset::from_table(table, &spec, &forced).unwrap();
    let p = ds.pred.clone().unwrap();
    let evaluated = set.evaluate(&ds.table).unwrap();
    let name = |c: u32| ds.classes.get(c as usize).cloned().unwrap_or_default();
    let mut out = String::from("slice,label,pred,count\n");
    let all = slicelab::slices::Bitmap::ones(ds.n_rows());
    let slices = std::iter::once(("overall", &all)).chain(
        evaluated
            .names
            .iter()
            .map(String::as_str)
            .zip(&evaluated.masks),
    );
    // As the query does: every (label, pred) pair of the table for every slice, 0 included.
    let pairs: Vec<(u32, u32)> = (0..ds.n_rows()).map(|i| (ds.y[i], p[i])).collect();
    for (slice, mask) in slices {
        let mut cells: BTreeMap<(u32, u32), u64> = pairs.iter().map(|&c| (c, 0)).collect();
        for i in (0..ds.n_rows()).filter(|&i| mask.get(i)) {
            *cells.entry(pairs[i]).or_default() += 1;
        }
        for ((t, q), n) in cells {
            out += &format!(
                "\"{}\",{},{},{n}\n",
                slice.replace('"', "\"\""),
                name(t),
                name(q)
            );
        }
    }
    out
}
