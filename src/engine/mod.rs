//! Per-slice confusion counts computed by an existing SQL engine, Apache DataFusion in process,
//! over Parquet or CSV files that need not fit in memory (the `engine` feature).
//!
//! The engine runs the very query `slicelab sql --dialect datafusion` prints: the table is
//! streamed once, each slice's condition is summed per (label, prediction) pair, and only those
//! counts come back. The report is then computed from the counts by the same code as
//! `eval --counts`, so no row has to leave the engine.

pub mod csv_header;
pub mod error;
pub mod sample;
pub mod size;
pub mod source;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{
    CsvReadOptions, DataFrame, ParquetReadOptions, SessionConfig, SessionContext, ident,
};

pub use error::EngineError;
pub use size::{format_bytes, parse_size};
pub use source::{Format, Source};

use crate::data::Table;
use crate::data::builder::MISSING_TOKENS;
use crate::slices::SliceSet;
use crate::sql::{Counts, Dialect, QuerySpec, counts_query};
use csv_header::{CsvHeader, csv_header};
use error::df;

/// The name the data is registered under in the engine's session.
pub const TABLE: &str = "slicelab_data";

/// Rows read to type the slice expressions, as a loaded file's would be typed.
pub const SAMPLE_ROWS: usize = 20_000;

/// A DataFusion session over one [`Source`], with its own runtime and memory limit.
pub struct Engine {
    source: Source,
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
}

/// What one counts query gave, and what it cost.
#[derive(Debug, Clone)]
pub struct EngineCounts {
    /// `overall` and each slice's (label, prediction) counts.
    pub counts: Counts,
    /// The SQL that produced them.
    pub query: String,
    /// Wall time of the query.
    pub elapsed: Duration,
}

impl Engine {
    /// A session reading `source`, its memory pool capped at `memory_limit` bytes when given
    /// (DataFusion's own pool: operators that would exceed it fail or spill).
    pub fn open(source: Source, memory_limit: Option<usize>) -> Result<Self, EngineError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(EngineError::Runtime)?;
        let mut env = RuntimeEnvBuilder::new();
        if let Some(bytes) = memory_limit {
            env = env.with_memory_limit(bytes, 1.0);
        }
        let env = env.build_arc().map_err(df("starting the session"))?;
        let ctx = SessionContext::new_with_config_rt(SessionConfig::new(), env);
        let files = source.file_strings();
        runtime.block_on(async {
            let frame = match source.format {
                Format::Parquet => ctx
                    .read_parquet(files, ParquetReadOptions::default())
                    .await
                    .map_err(df("reading the files' schema")),
                Format::Csv => read_csv(&ctx, &source).await,
            }?;
            ctx.register_table(TABLE, frame.into_view())
                .map_err(df("registering the table"))
        })?;
        Ok(Self {
            source,
            runtime,
            ctx,
        })
    }

    /// The source this session reads.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The column names, in the files' order.
    pub fn columns(&self) -> Result<Vec<String>, EngineError> {
        let frame = self
            .runtime
            .block_on(self.ctx.table(TABLE))
            .map_err(df("reading the schema"))?;
        Ok(frame
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect())
    }

    /// The first `rows` rows, typed as slicelab types a loaded file; only their column kinds
    /// matter (they decide how each slice compiles).
    pub fn sample(&self, rows: usize) -> Result<Table, EngineError> {
        let sql = format!(
            "SELECT * FROM {} LIMIT {rows}",
            Dialect::DataFusion.ident(TABLE)
        );
        let batches = self.collect(&sql, "reading a sample", None)?;
        let mut table = sample::typed_sample(&batches, &self.source.pattern);
        if table.columns.is_empty() {
            // No rows: the schema still names the columns, all missing.
            table.columns = self
                .columns()?
                .iter()
                .map(|n| crate::data::builder::ColumnBuilder::new(n).finish())
                .collect();
        }
        Ok(table)
    }

    /// Counts of `overall` and every slice of `set` (typed against `typing`, see
    /// [`Engine::sample`]) per (`label`, `pred`) pair, from one scan of the files. `cancel`,
    /// when set, stops the scan within a tenth of a second.
    pub fn counts(
        &self,
        set: &SliceSet,
        typing: &Table,
        label: &str,
        pred: &str,
        cancel: Option<&AtomicBool>,
    ) -> Result<EngineCounts, EngineError> {
        let columns = self.columns()?;
        for (column, flag) in [(label, "--label"), (pred, "--pred")] {
            if !columns.iter().any(|c| c == column) {
                return Err(EngineError::NoColumn {
                    source_name: self.source.pattern.clone(),
                    column: column.to_string(),
                    flag,
                    columns: columns.join(", "),
                });
            }
        }
        let table = Dialect::DataFusion.ident(TABLE);
        let spec = QuerySpec {
            table: &table,
            label,
            pred,
            dialect: Dialect::DataFusion,
        };
        let query = counts_query(set, typing, &spec)?;
        let t0 = Instant::now();
        let batches = self.collect(&query, "running the counts query", cancel)?;
        let elapsed = t0.elapsed();
        let counts = Counts::from_rows(&self.source.pattern, counts_rows(&batches)?)?;
        Ok(EngineCounts {
            counts,
            query,
            elapsed,
        })
    }

    /// Runs `sql` to the end, or until `cancel` is set.
    fn collect(
        &self,
        sql: &str,
        stage: &'static str,
        cancel: Option<&AtomicBool>,
    ) -> Result<Vec<RecordBatch>, EngineError> {
        self.runtime.block_on(async {
            let work = async {
                let frame = self.ctx.sql(sql).await.map_err(df(stage))?;
                frame.collect().await.map_err(df(stage))
            };
            let Some(flag) = cancel else {
                return work.await;
            };
            // Dropping the query's future stops its tasks: DataFusion's streams are lazy.
            tokio::select! {
                r = work => r,
                () = cancelled(flag) => Err(EngineError::Cancelled),
            }
        })
    }
}

/// The CSV files as a frame whose columns are named as the loader names them.
async fn read_csv(ctx: &SessionContext, source: &Source) -> Result<DataFrame, EngineError> {
    let header = match source.files.first() {
        Some(first) => csv_header(first)?,
        None => CsvHeader::Named,
    };
    let options = CsvReadOptions::new()
        .has_header(header == CsvHeader::Named)
        .null_regex(Some(missing_regex()))
        .schema_infer_max_records(SAMPLE_ROWS);
    let frame = ctx
        .read_csv(source.file_strings(), options)
        .await
        .map_err(df("reading the files' schema"))?;
    let CsvHeader::Positional(names) = header else {
        return Ok(frame);
    };
    // DataFusion names a header-less file's columns column_1, ...; the loader says c0, ...
    let renamed: Vec<_> = frame
        .schema()
        .fields()
        .iter()
        .zip(&names)
        .map(|(f, name)| ident(f.name()).alias(name))
        .collect();
    frame.select(renamed).map_err(df("naming the columns"))
}

async fn cancelled(flag: &AtomicBool) {
    while !flag.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The cells of a counts result as text: (slice, label, pred, count); NULL reads as empty, as
/// in a CSV counts file.
fn counts_rows(batches: &[RecordBatch]) -> Result<Vec<[String; 4]>, EngineError> {
    let options = FormatOptions::default().with_null("");
    let mut rows = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .take(4)
            .map(|a| ArrayFormatter::try_new(a.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| EngineError::DataFusion {
                stage: "reading the counts",
                message: e.to_string(),
            })?;
        if formatters.len() < 4 {
            return Err(EngineError::DataFusion {
                stage: "reading the counts",
                message: format!("{} columns, expected 4", formatters.len()),
            });
        }
        for r in 0..batch.num_rows() {
            rows.push(std::array::from_fn(|c| formatters[c].value(r).to_string()));
        }
    }
    Ok(rows)
}

/// The cells slicelab's loader reads as missing, as a CSV null pattern.
fn missing_regex() -> String {
    let tokens: Vec<String> = MISSING_TOKENS
        .iter()
        .filter(|t| !t.is_empty())
        .map(|t| regex::escape(t))
        .collect();
    format!(r"^\s*(?:{})?\s*$", tokens.join("|"))
}
