//! Custom widgets: GPU-drawn point and heatmap layers, the pan/zoom/brush plot around them, and
//! searchable column pickers and choosers for wide tables, and slice names of capped width.

pub mod column_chooser;
pub mod column_list;
pub mod column_picker;
pub mod plot2d;
pub mod points;
pub mod slice_name;
