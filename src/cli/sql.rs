//! `slicelab sql`: one SQL query returning every slice's confusion counts, for an engine to run
//! where the data lives (Spark, DuckDB, DataFusion); `eval --counts` reads its result back.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use slicelab::data::Table;
use slicelab::data::demo::Figure1;
use slicelab::slices::SliceSet;
use slicelab::sql::{Dialect, QuerySpec, counts_query};

/// Arguments of `slicelab sql`.
#[derive(Args, Debug)]
pub struct SqlArgs {
    /// Slice set to compile.
    #[arg(long)]
    slices: PathBuf,
    /// True-label column.
    #[arg(long)]
    label: String,
    /// Predicted-label column.
    #[arg(long)]
    pred: String,
    /// Table the query reads, written into FROM as given (e.g. `logs`, `db.logs`,
    /// `read_parquet('logs/*.parquet')` in DuckDB, or parquet.`logs/` in Spark).
    #[arg(long)]
    table: String,
    /// SQL dialect: datafusion, spark or duckdb.
    #[arg(long, default_value = "datafusion")]
    dialect: Dialect,
    /// A sample of the table (.csv, .csv.gz, .parquet) whose columns type the slice
    /// expressions: which are numbers, text or dates. Only its columns matter.
    #[arg(long, required_unless_present = "demo")]
    data: Option<PathBuf>,
    /// Type the expressions against the figure1 demo's columns instead of --data.
    #[arg(long, conflicts_with = "data")]
    demo: bool,
    /// Column types instead of the inferred ones, e.g. `a=numeric,b=categorical,d=date`.
    #[arg(long, allow_hyphen_values = true)]
    types: Option<String>,
    /// Write the query here instead of printing it.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `slicelab sql`.
pub fn run(a: SqlArgs) -> anyhow::Result<()> {
    let mut table = match &a.data {
        Some(path) => slicelab::data::load::read_table(path)?,
        None => Figure1::default().table().0,
    };
    super::args::apply_type_flag(&mut table, a.types.as_deref())?;
    check_column(&table, &a.label, "--label")?;
    check_column(&table, &a.pred, "--pred")?;
    let set = SliceSet::load(&a.slices)?;
    let spec = QuerySpec {
        table: &a.table,
        label: &a.label,
        pred: &a.pred,
        dialect: a.dialect,
    };
    let query = counts_query(&set, &table, &spec)?;
    match &a.out {
        Some(path) => {
            slicelab::safe_write::write_atomic(path, query.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{query}"),
    }
    Ok(())
}

fn check_column(table: &Table, name: &str, flag: &str) -> anyhow::Result<()> {
    if table.column(name).is_none() {
        bail!(
            "{flag}: no column '{name}' in {}; did you mean: {}?",
            table.source,
            table.closest_names(name, 3).join(", ")
        );
    }
    Ok(())
}
