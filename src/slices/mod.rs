//! Slicing functions: SQL boolean expressions over a table, evaluated column-wise into bitmaps.

pub mod bitmap;
pub mod build;
pub mod builder;
pub mod columns;
pub mod complete;
pub mod error;
pub mod eval;
pub mod expr;
pub mod flatten;
pub mod like;
pub mod name;
pub mod noise;
pub mod parse;
mod parse_funcs;
mod parse_ops;
pub mod set;
pub mod stats;
pub mod suggest;
pub mod text;
pub mod warnings;

pub use bitmap::Bitmap;
pub use error::{ExprError, SliceError};
pub use set::{EvaluatedSlices, SliceDef, SliceSet};
