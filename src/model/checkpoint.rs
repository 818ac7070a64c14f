//! Weight files: atomic safetensors writes and loading into an already built model.

use std::path::Path;

use candle_core::Result;
use candle_nn::VarMap;

use super::error::CheckpointError;

/// Saves all variables to `path` (safetensors), atomically.
pub fn save_weights(varmap: &VarMap, path: &Path) -> Result<()> {
    let tmp = crate::safe_write::temp_sibling(path);
    varmap.save(&tmp)?;
    std::fs::rename(&tmp, path)
        .map_err(|e| candle_core::Error::Msg(format!("{}: {e}", path.display())))
}

/// Fills the variables of a built model from `path`; every variable must be present.
pub fn load_weights(varmap: &mut VarMap, path: &Path) -> Result<()> {
    varmap.load(path)
}

/// Fills the variables of a built model from `path` after checking the file against the model:
/// the same tensor names, the same shapes, and only finite values. The message names the first
/// tensor that differs, so a `config.json` that does not match its weights is an error, never a
/// model that silently predicts garbage.
pub fn load_checked(varmap: &VarMap, path: &Path) -> std::result::Result<(), CheckpointError> {
    let file = candle_core::safetensors::load(path, &candle_core::Device::Cpu)?;
    let data = varmap
        .data()
        .lock()
        .map_err(|_| CheckpointError::Poisoned)?;
    if let Some(extra) = file.keys().filter(|k| !data.contains_key(*k)).min() {
        return Err(CheckpointError::Extra(extra.clone()));
    }
    let mut names: Vec<&String> = data.keys().collect();
    names.sort();
    for name in names {
        let var = &data[name];
        let t = file
            .get(name)
            .ok_or_else(|| CheckpointError::Missing(name.clone()))?;
        if t.dims() != var.dims() {
            return Err(CheckpointError::Shape {
                name: name.clone(),
                file: t.dims().to_vec(),
                model: var.dims().to_vec(),
            });
        }
        let t = t.to_dtype(var.dtype())?;
        let finite = t
            .flatten_all()
            .and_then(|f| f.to_dtype(candle_core::DType::F32)?.to_vec1::<f32>())?
            .iter()
            .all(|x| x.is_finite());
        if !finite {
            return Err(CheckpointError::NonFinite(name.clone()));
        }
        let t = t.to_device(var.device())?;
        var.set(&t)?;
    }
    Ok(())
}
