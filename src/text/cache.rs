//! A disk cache of embedded columns, keyed by the encoder's and the texts' content hash.

use std::path::{Path, PathBuf};

use super::encoder::fingerprint;
use crate::fsutil::write_atomic;

const MAGIC: &[u8; 8] = b"SLEMB01\0";

/// A folder of `{key}.emb` files: a header, then row-major little-endian `f32` values.
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

    /// The cached `[rows, dim]` values of `key`, if present and whole.
    pub fn load(&self, key: u64, rows: usize, dim: usize) -> Option<Vec<f32>> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let (header, body) = bytes.split_at_checked(24)?;
        let n = u64::from_le_bytes(header[8..16].try_into().ok()?) as usize;
        let d = u64::from_le_bytes(header[16..24].try_into().ok()?) as usize;
        if &header[..8] != MAGIC || n != rows || d != dim || body.len() != rows * dim * 4 {
            return None;
        }
        Some(
            body.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }

    /// Stores `[rows, dim]` values under `key`, atomically.
    pub fn store(&self, key: u64, rows: usize, dim: usize, values: &[f32]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let mut bytes = Vec::with_capacity(24 + values.len() * 4);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(rows as u64).to_le_bytes());
        bytes.extend_from_slice(&(dim as u64).to_le_bytes());
        values
            .iter()
            .for_each(|v| bytes.extend_from_slice(&v.to_le_bytes()));
        write_atomic(&self.path(key), &bytes)
    }
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
}
