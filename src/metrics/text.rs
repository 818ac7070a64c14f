//! Numbers as the CLI and the app print them: three decimals, and `–` where undefined.

use super::bootstrap::Interval;

/// What an undefined number is shown as.
pub const UNDEFINED: &str = "–";

/// `0.806`, or `–`.
pub fn num(v: Option<f64>) -> String {
    v.map_or_else(|| UNDEFINED.into(), |v| format!("{v:.3}"))
}

/// `+0.012`, or `–`.
pub fn signed(v: Option<f64>) -> String {
    v.map_or_else(|| UNDEFINED.into(), |v| format!("{v:+.3}"))
}

/// `12.50%`, or `–`.
pub fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| UNDEFINED.into(), |v| format!("{:.2}%", 100.0 * v))
}

/// `[0.700, 0.900]`, or `–`.
pub fn interval(v: Option<Interval>) -> String {
    v.map_or_else(
        || UNDEFINED.into(),
        |(lo, hi)| format!("[{lo:.3}, {hi:.3}]"),
    )
}
