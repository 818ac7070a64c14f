//! Choosing the compute device at run time.

use candle_core::Device;

use super::error::DeviceError;

/// Parses `cpu`, `cuda`, `cuda:N` or `metal`; GPU devices need the matching cargo feature.
pub fn parse_device(name: &str) -> Result<Device, DeviceError> {
    let lower = name.trim().to_ascii_lowercase();
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

/// A short name of a device for reports.
pub fn device_name(device: &Device) -> &'static str {
    match device {
        Device::Cpu => "cpu",
        Device::Cuda(_) => "cuda",
        Device::Metal(_) => "metal",
    }
}
