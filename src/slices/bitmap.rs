//! A fixed-length bitset, one bit per row.

/// One bit per row, packed into 64-bit words; bits past `len` are always zero.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    /// All zeros.
    pub fn zeros(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// All ones.
    pub fn ones(len: usize) -> Self {
        let mut b = Self {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        b.clear_tail();
        b
    }

    /// Sets bit `i` where `f(i)` is true.
    pub fn from_fn(len: usize, mut f: impl FnMut(usize) -> bool) -> Self {
        let mut words = vec![0u64; len.div_ceil(64)];
        for (w, word) in words.iter_mut().enumerate() {
            let base = w * 64;
            let end = (base + 64).min(len);
            let mut bits = 0u64;
            for i in base..end {
                bits |= u64::from(f(i)) << (i - base);
            }
            *word = bits;
        }
        Self { words, len }
    }

    /// From a 0/1 (or any non-zero = 1) slice; `NaN` counts as 0.
    pub fn from_values(values: &[f64]) -> Self {
        Self::from_fn(values.len(), |i| values[i] != 0.0 && !values[i].is_nan())
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i`.
    pub fn get(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    /// Sets bit `i` to `v`.
    pub fn set(&mut self, i: usize, v: bool) {
        let mask = 1u64 << (i % 64);
        if v {
            self.words[i / 64] |= mask;
        } else {
            self.words[i / 64] &= !mask;
        }
    }

    /// Number of set bits.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Number of set bits among `rows`.
    pub fn count_in(&self, rows: &[usize]) -> usize {
        rows.iter().filter(|&&i| self.get(i)).count()
    }

    /// Number of bits set in both (no allocation).
    pub fn and_count(&self, other: &Self) -> usize {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }

    /// Bitwise and.
    pub fn and(&self, other: &Self) -> Self {
        self.zip(other, |a, b| a & b)
    }

    /// Bitwise or.
    pub fn or(&self, other: &Self) -> Self {
        self.zip(other, |a, b| a | b)
    }

    /// A 64-bit hash of the bits: equal bitmaps hash alike, so sets of rows can be compared by
    /// hash first and bit by bit only on a match.
    pub fn hash64(&self) -> u64 {
        use std::hash::Hasher;
        let mut h = twox_hash::XxHash64::with_seed(self.len as u64);
        for w in &self.words {
            h.write_u64(*w);
        }
        h.finish()
    }

    /// `self & !other`.
    pub fn and_not(&self, other: &Self) -> Self {
        self.zip(other, |a, b| a & !b)
    }

    /// Bitwise not (within `len`).
    pub fn not(&self) -> Self {
        let mut b = Self {
            words: self.words.iter().map(|w| !w).collect(),
            len: self.len,
        };
        b.clear_tail();
        b
    }

    /// Indices of set bits in increasing order.
    pub fn ones_iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let t = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(w * 64 + t)
            })
        })
    }

    /// The bits as `0.0`/`1.0` values.
    pub fn to_f32(&self) -> Vec<f32> {
        (0..self.len)
            .map(|i| f32::from(u8::from(self.get(i))))
            .collect()
    }

    fn zip(&self, other: &Self, f: impl Fn(u64, u64) -> u64) -> Self {
        debug_assert_eq!(self.len, other.len);
        let words = self
            .words
            .iter()
            .zip(&other.words)
            .map(|(&a, &b)| f(a, b))
            .collect();
        Self {
            words,
            len: self.len,
        }
    }

    fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << rem) - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_respect_length() {
        let a = Bitmap::from_fn(70, |i| i % 2 == 0);
        assert_eq!(a.count(), 35);
        assert_eq!(a.not().count(), 35);
        assert_eq!(Bitmap::ones(70).count(), 70);
        let b = Bitmap::from_fn(70, |i| i < 10);
        assert_eq!(a.and(&b).count(), 5);
        assert_eq!(a.or(&b).count(), 40);
        assert_eq!(
            b.ones_iter().collect::<Vec<_>>(),
            (0..10).collect::<Vec<_>>()
        );
    }
}
