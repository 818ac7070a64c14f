//! A disk cache of embedded columns, keyed by the encoder's and the texts' content hash.

use std::path::{Path, PathBuf};

use super::encoder::fingerprint;
use crate::safe_write::write_atomic;

/// Format 2: magic, rows, dim, xxHash64 of the payload, payload. Files of format 1 (no checksum)
/// read as a miss, so they are recomputed and rewritten once.
const MAGIC: &[u8; 8] = b"SLEMB02\0";
const HEADER: usize = 32;

/// A folder of `{key}.emb` files: a header with a checksum, then row-major little-endian `f32`
/// values.
#[derive(Debug, Clone)]
pub struct EmbeddingCache {
    dir: PathBuf,
}

impl EmbeddingCache {
    /// A cache in `dir` (created on first store).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The per-user default: `$XDG_CACHE_HOME/slicelab/embeddings` or `~/.cache/slicelab/embeddings`.
    pub fn default_dir() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("slicelab").join("embeddings"))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of `texts` embedded by the encoder with `encoder_fingerprint`.
    pub fn key(encoder_fingerprint: u64, texts: &[&str]) -> u64 {
        let fp = encoder_fingerprint.to_le_bytes();
        let mut parts: Vec<&[u8]> = Vec::with_capacity(texts.len() + 1);
        parts.push(&fp);
        parts.extend(texts.iter().map(|t| t.as_bytes()));
        fingerprint(&parts)
    }

    fn path(&self, key: u64) -> PathBuf {
        self.dir.join(format!("{key:016x}.emb"))
    }

    /// The cached `[rows, dim]` values of `key`, if present, whole and finite.
    ///
    /// A short, corrupted or old-format file, or one holding NaN or infinite values, is a miss:
    /// the caller recomputes and stores again, so a bad entry is never used.
    pub fn load(&self, key: u64, rows: usize, dim: usize) -> Option<Vec<f32>> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let (header, body) = bytes.split_at_checked(HEADER)?;
        let word = |i: usize| Some(u64::from_le_bytes(header[i..i + 8].try_into().ok()?));
        let (n, d, sum) = (word(8)?, word(16)?, word(24)?);
        let expected_len = rows.checked_mul(dim)?.checked_mul(4)?;
        if &header[..8] != MAGIC
            || n != rows as u64
            || d != dim as u64
            || body.len() != expected_len
            || checksum(n, d, body) != sum
        {
            return None;
        }
        let values: Vec<f32> = body
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        values.iter().all(|v| v.is_finite()).then_some(values)
    }

    /// Stores `[rows, dim]` values under `key`, atomically; non-finite values are refused
    /// (`InvalidData`), since they would only be a miss on the next read.
    pub fn store(&self, key: u64, rows: usize, dim: usize, values: &[f32]) -> std::io::Result<()> {
        if values.len() != rows * dim || !values.iter().all(|v| v.is_finite()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "embedding values are not a finite [rows, dim] matrix",
            ));
        }
        std::fs::create_dir_all(&self.dir)?;
        let mut body = Vec::with_capacity(values.len() * 4);
        values
            .iter()
            .for_each(|v| body.extend_from_slice(&v.to_le_bytes()));
        let (n, d) = (rows as u64, dim as u64);
        let mut bytes = Vec::with_capacity(HEADER + body.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&n.to_le_bytes());
        bytes.extend_from_slice(&d.to_le_bytes());
        bytes.extend_from_slice(&checksum(n, d, &body).to_le_bytes());
        bytes.extend_from_slice(&body);
        write_atomic(&self.path(key), &bytes)
    }
}

/// xxHash64 of the shape and the payload, so a flipped byte anywhere after the magic is caught.
fn checksum(rows: u64, dim: u64, body: &[u8]) -> u64 {
    fingerprint(&[&rows.to_le_bytes(), &dim.to_le_bytes(), body])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_reloads_and_rejects_other_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EmbeddingCache::new(dir.path().join("emb"));
        let key = EmbeddingCache::key(7, &["a", "b"]);
        assert_ne!(key, EmbeddingCache::key(7, &["ab", ""]));
        assert_ne!(key, EmbeddingCache::key(8, &["a", "b"]));
        assert!(cache.load(key, 2, 3).is_none());
        let v = [1.0, -2.0, 0.5, 3.0, 4.0, 5.0];
        cache.store(key, 2, 3, &v).unwrap();
        assert_eq!(cache.load(key, 2, 3).unwrap(), v);
        assert!(cache.load(key, 3, 2).is_none());
    }

    #[test]
    fn non_finite_values_are_never_stored_or_read() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EmbeddingCache::new(dir.path());
        assert!(cache.store(1, 1, 2, &[0.5, f32::NAN]).is_err());
        assert!(cache.load(1, 1, 2).is_none());
        // A well-formed entry whose checksum covers a NaN (as an older build could write).
        let body: Vec<u8> = [0.5f32, f32::INFINITY]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&1u64.to_le_bytes());
        bytes.extend_from_slice(&2u64.to_le_bytes());
        bytes.extend_from_slice(&checksum(1, 2, &body).to_le_bytes());
        bytes.extend_from_slice(&body);
        std::fs::write(cache.path(1), bytes).unwrap();
        assert!(cache.load(1, 1, 2).is_none());
    }
}
