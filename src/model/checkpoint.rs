//! Weight files: atomic safetensors writes and loading into an already built model.

use std::path::Path;

use candle_core::Result;
use candle_nn::VarMap;

/// Saves all variables to `path` (safetensors), atomically.
pub fn save_weights(varmap: &VarMap, path: &Path) -> Result<()> {
    let tmp = crate::fsutil::temp_sibling(path);
    varmap.save(&tmp)?;
    std::fs::rename(&tmp, path)
        .map_err(|e| candle_core::Error::Msg(format!("{}: {e}", path.display())))
}

/// Fills the variables of a built model from `path`; every variable must be present.
pub fn load_weights(varmap: &mut VarMap, path: &Path) -> Result<()> {
    varmap.load(path)
}
