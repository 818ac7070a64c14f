//! What `train` tells the user about its features before training: which columns became
//! features and how, which did not and why, and which look like leakage or identifiers.

use serde_json::{Value, json};

use slicelab::data::Dataset;
use slicelab::data::leakage::{column_warnings, warning_lines};
use slicelab::slices::SliceSet;
use slicelab::slices::columns::feature_plan;
use slicelab::train::DataSource;

/// Prints the feature plan and the column warnings of `source` to stderr and returns them as
/// report.json's `feature_plan` and `column_warnings` entries; `demo_features` are the demo's
/// `--features` columns (a file's dataset carries its own).
pub fn announce(source: &DataSource, slices: &SliceSet, demo_features: Option<&[String]>) -> Value {
    let owned;
    let ds: &Dataset = match source {
        DataSource::Dataset(ds) => ds,
        DataSource::Demo(_) | DataSource::Spurious(_) => match source.try_dataset(0) {
            Ok(ds) => {
                let mut ds = (*ds).clone();
                ds.choice.only = demo_features.map(<[String]>::to_vec);
                owned = ds;
                &owned
            }
            Err(_) => return Value::Null,
        },
    };
    let plan = feature_plan(ds, slices);
    for line in plan.summary() {
        eprintln!("{line}");
    }
    let warnings = column_warnings(ds, &plan.columns());
    for line in warning_lines(&warnings) {
        eprintln!("warning: {line}");
    }
    json!({ "feature_plan": plan, "column_warnings": warnings })
}

/// `report` as JSON with the entries of `extra` (an object) added; the report's own keys stay
/// as they are, so readers of older reports keep working.
pub fn with_extra<T: serde::Serialize>(report: &T, extra: &Value) -> serde_json::Result<Value> {
    let mut value = serde_json::to_value(report)?;
    if let (Value::Object(map), Value::Object(more)) = (&mut value, extra) {
        for (k, v) in more {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Ok(value)
}
