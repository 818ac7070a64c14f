//! The settings of a trained model that decide which runs may be averaged together.

use std::collections::BTreeMap;

use super::saved::ModelCard;
use crate::summary::group::{NOISE_KEY, SLICE_DEFS_KEY, SLICES_KEY};

/// Text of one setting value: lists as `13x13`, `null` as `none`.
fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "none".into(),
        serde_json::Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join("x"),
        other => other.to_string(),
    }
}

/// A short stable hash of the slice expressions (so two sets with the same names but edited
/// expressions do not share a group).
fn exprs_hash(card: &ModelCard) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for s in &card.slices.slices {
        for b in s.expr.bytes().chain([0]) {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    format!("{h:08x}")
}

impl ModelCard {
    /// Every setting that two runs must share to be averaged together, as `name → value`: the
    /// training settings but the seed and device (epochs, widths, lr, batch size, ...), the
    /// expert size, the slice set (names and expressions), each SF's noise rate, and the data.
    pub fn settings(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Ok(serde_json::Value::Object(train)) = serde_json::to_value(&self.train) {
            for (k, v) in train {
                if k == "seed" || k == "device" {
                    continue;
                }
                let key = if k == "hidden" {
                    "widths".to_string()
                } else {
                    k.replace('_', " ")
                };
                out.insert(key, text(&v));
            }
        }
        out.insert("expert size".into(), self.model.rep_dim.to_string());
        let names: Vec<&str> = self.slices.slices.iter().map(|s| s.name.as_str()).collect();
        out.insert(SLICES_KEY.into(), names.join(", "));
        out.insert(SLICE_DEFS_KEY.into(), exprs_hash(self));
        for s in &self.slices.slices {
            if let Some(rate) = s.noise.filter(|r| *r > 0.0) {
                out.insert(format!("{NOISE_KEY}{}", s.name), rate.to_string());
            }
        }
        out.insert("data".into(), self.dataset.clone());
        out
    }
}
