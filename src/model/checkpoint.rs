//! Weight files: atomic safetensors writes and loading into an already built model.

use std::path::Path;

use candle_core::Result;
use candle_nn::VarMap;

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
pub fn load_checked(varmap: &VarMap, path: &Path) -> std::result::Result<(), String> {
    let file = candle_core::safetensors::load(path, &candle_core::Device::Cpu)
        .map_err(|e| e.to_string())?;
    let data = varmap
        .data()
        .lock()
        .map_err(|_| "variable map lock poisoned".to_string())?;
    if let Some(extra) = file.keys().filter(|k| !data.contains_key(*k)).min() {
        return Err(format!(
            "tensor '{extra}' is not part of the model that config.json describes"
        ));
    }
    let mut names: Vec<&String> = data.keys().collect();
    names.sort();
    for name in names {
        let var = &data[name];
        let t = file
            .get(name)
            .ok_or_else(|| format!("tensor '{name}' is missing"))?;
        if t.dims() != var.dims() {
            return Err(format!(
                "tensor '{name}' has shape {:?}, config.json implies {:?}",
                t.dims(),
                var.dims()
            ));
        }
        let t = t.to_dtype(var.dtype()).map_err(|e| e.to_string())?;
        let finite = t
            .flatten_all()
            .and_then(|f| f.to_dtype(candle_core::DType::F32)?.to_vec1::<f32>())
            .map_err(|e| e.to_string())?
            .iter()
            .all(|x| x.is_finite());
        if !finite {
            return Err(format!("tensor '{name}' holds NaN or infinite values"));
        }
        let t = t.to_device(var.device()).map_err(|e| e.to_string())?;
        var.set(&t).map_err(|e| e.to_string())?;
    }
    Ok(())
}
