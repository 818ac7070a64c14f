//! Custom widgets: GPU-drawn point and heatmap layers, and the pan/zoom/brush plot around them.

pub mod plot2d;
pub mod points;
