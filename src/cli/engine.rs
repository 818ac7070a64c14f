//! `eval --engine datafusion`: per-slice metrics counted by Apache DataFusion over files that need
//! not fit in memory, reported by the same code as `eval --counts`.

use clap::ValueEnum;

/// The SQL engines `eval --engine` can run in process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineKind {
    /// Apache DataFusion: streams Parquet or CSV files under a memory limit.
    Datafusion,
}

/// What an engine evaluation needs from `eval`'s arguments.
#[cfg_attr(
    not(feature = "engine"),
    expect(dead_code, reason = "read only by the engine build")
)]
pub struct EngineEval<'a> {
    /// File, folder or glob.
    pub data: &'a str,
    /// Label column.
    pub label: &'a str,
    /// Prediction column.
    pub pred: &'a str,
    /// Slice set file.
    pub slices: &'a std::path::Path,
    /// `--memory-limit`, as given.
    pub memory_limit: Option<&'a str>,
    /// `--types`, as given.
    pub types: Option<&'a str>,
    /// `--classes`.
    pub classes: Option<&'a [String]>,
    /// `--metric`.
    pub metric: Option<slicelab::metrics::Metric>,
}

/// The report and a sentence saying what was evaluated and how.
#[cfg(feature = "engine")]
pub fn evaluate(
    e: &EngineEval,
) -> anyhow::Result<(slicelab::metrics::report::SplitReport, String)> {
    use slicelab::engine::{Engine, SAMPLE_ROWS, Source, format_bytes, parse_size};

    let source = Source::resolve(e.data)?;
    let limit = e.memory_limit.map(parse_size).transpose()?;
    let (files, bytes) = (source.files.len(), source.bytes);
    let engine = Engine::open(source, limit)?;
    let mut typing = engine.sample(SAMPLE_ROWS)?;
    super::args::apply_type_flag(&mut typing, e.types)?;
    let set = slicelab::slices::SliceSet::load(e.slices)?;
    let run = engine.counts(&set, &typing, e.label, e.pred, None)?;
    let report = run.counts.confusions(e.classes)?.report(e.metric);
    let limit = limit.map_or("no memory limit".to_string(), |b| {
        format!("memory limit {}", format_bytes(b as u64))
    });
    let what = format!(
        "predictions in column '{}', counted by DataFusion over {files} file(s), {}, in {:.1} s \
         ({limit})",
        e.pred,
        format_bytes(bytes),
        run.elapsed.as_secs_f64()
    );
    Ok((report, what))
}

/// Without the `engine` feature: says how to get it.
#[cfg(not(feature = "engine"))]
pub fn evaluate(
    _: &EngineEval,
) -> anyhow::Result<(slicelab::metrics::report::SplitReport, String)> {
    anyhow::bail!(
        "--engine datafusion: this slicelab was built without the `engine` feature; rebuild with \
         `cargo build --release --features engine`, or run `slicelab sql` and feed the engine's \
         result to `slicelab eval --counts`"
    )
}
