//! Row-major matrix views over `f32` slices and one checked entry point into `gemm`.

use gemm::Parallelism;

/// A row-major matrix view: data, rows, columns, and the strides of a row and of a column.
pub(crate) struct Mat<'a> {
    data: &'a [f32],
    row_stride: usize,
    col_stride: usize,
}

impl<'a> Mat<'a> {
    /// A row-major `[_, cols]` matrix.
    pub(crate) fn rows(data: &'a [f32], cols: usize) -> Self {
        Self {
            data,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose of a row-major `[_, cols]` matrix.
    pub(crate) fn transposed(data: &'a [f32], cols: usize) -> Self {
        Self {
            data,
            row_stride: 1,
            col_stride: cols,
        }
    }

    fn covers(&self, rows: usize, cols: usize) -> bool {
        rows == 0
            || cols == 0
            || (rows - 1) * self.row_stride + (cols - 1) * self.col_stride < self.data.len()
    }
}

/// `dst [m, n] (+)= lhs [m, k] · rhs [k, n]`, `dst` row-major.
#[expect(unsafe_code, reason = "gemm's kernels take raw pointers and strides")]
pub(crate) fn matmul(
    dst: &mut [f32],
    accumulate: bool,
    lhs: &Mat,
    rhs: &Mat,
    (m, n, k): (usize, usize, usize),
) {
    assert!(
        dst.len() == m * n && lhs.covers(m, k) && rhs.covers(k, n),
        "gemm operands out of bounds"
    );
    let threads = candle_core::utils::get_num_threads();
    let parallelism = if threads > 1 {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    };
    // SAFETY: the assertion above keeps every index gemm forms inside its slice (the last
    // element of each operand is in bounds), and `dst` is borrowed mutably alone.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.data.as_ptr(),
            lhs.col_stride as isize,
            lhs.row_stride as isize,
            rhs.data.as_ptr(),
            rhs.col_stride as isize,
            rhs.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}
