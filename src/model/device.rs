//! Choosing the compute device at run time.

use candle_core::Device;

use super::error::DeviceError;

/// Parses `auto`, `cpu`, `cuda`, `cuda:N` or `metal`; GPU devices need the matching cargo
/// feature, and `auto` takes the first GPU this build can open, else the CPU.
pub fn parse_device(name: &str) -> Result<Device, DeviceError> {
    let lower = name.trim().to_ascii_lowercase();
    if lower == "auto" {
        return Ok(auto_device());
    }
    let (kind, ordinal) = match lower.split_once(':') {
        Some((k, n)) => (
            k,
            n.parse::<usize>()
                .map_err(|_| DeviceError::BadOrdinal { name: name.into() })?,
        ),
        None => (lower.as_str(), 0),
    };
    let no_gpu = |source, feature| DeviceError::Unavailable {
        name: name.into(),
        source,
        feature,
    };
    match kind {
        "cpu" => Ok(Device::Cpu),
        "cuda" => Device::new_cuda(ordinal).map_err(|e| no_gpu(e, "cuda")),
        "metal" => Device::new_metal(ordinal).map_err(|e| no_gpu(e, "metal")),
        _ => Err(DeviceError::Unknown { name: name.into() }),
    }
}

/// The device `auto` means: CUDA GPU 0 in a `cuda` build that can open it, Metal in a `metal`
/// build that can, else the CPU.
pub fn auto_device() -> Device {
    if cfg!(feature = "cuda")
        && let Ok(d) = Device::new_cuda(0)
    {
        return d;
    }
    if cfg!(feature = "metal")
        && let Ok(d) = Device::new_metal(0)
    {
        return d;
    }
    Device::Cpu
}

/// The name of the device `auto` resolves to, found once per process: the Train view shows it
/// every frame, and opening a GPU context per frame would stall the UI.
pub fn auto_device_name() -> &'static str {
    static NAME: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    NAME.get_or_init(|| device_name(&auto_device()))
}

/// The device names a user can pick in this build: `auto`, `cpu`, and the GPU backends compiled
/// in.
pub fn choices() -> Vec<&'static str> {
    let mut out = vec!["auto", "cpu"];
    if cfg!(feature = "cuda") {
        out.push("cuda");
    }
    if cfg!(feature = "metal") {
        out.push("metal");
    }
    out
}

/// Whether this build has a GPU backend at all (else the app says how to get one).
pub fn gpu_build() -> bool {
    cfg!(any(feature = "cuda", feature = "metal"))
}

/// A short name of a device for reports.
pub fn device_name(device: &Device) -> &'static str {
    match device {
        Device::Cpu => "cpu",
        Device::Cuda(_) => "cuda",
        Device::Metal(_) => "metal",
    }
}
