//! Memory sizes as people write them: `512MB`, `2GB`, `1.5GiB`, `800000000`.

use super::error::EngineError;

/// Bytes in `text`: a number with an optional unit, decimal (`KB`, `MB`, `GB`, `TB`, powers of
/// 1000) or binary (`KiB`, `MiB`, `GiB`, `TiB`, powers of 1024); `B` or no unit means bytes.
pub fn parse_size(text: &str) -> Result<usize, EngineError> {
    let bad = || EngineError::BadSize {
        given: text.to_string(),
    };
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let x: f64 = number.parse().map_err(|_| bad())?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024f64.powi(2),
        "gib" => 1024f64.powi(3),
        "tib" => 1024f64.powi(4),
        _ => return Err(bad()),
    };
    let bytes = x * scale;
    // Below a megabyte DataFusion cannot even buffer one batch; refuse rather than fail later.
    if !bytes.is_finite() || bytes < 1e6 || bytes > usize::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as usize)
}

/// `bytes` for people: `812 KB`, `4.21 GB` (decimal units, as `--memory-limit` reads them).
pub fn format_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.0} KB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_decimal_and_binary_units() {
        assert_eq!(parse_size("2GB").unwrap(), 2_000_000_000);
        assert_eq!(parse_size("1.5GiB").unwrap(), 1_610_612_736);
        assert_eq!(parse_size(" 512 mb ").unwrap(), 512_000_000);
        assert_eq!(parse_size("800000000").unwrap(), 800_000_000);
        assert_eq!(format_bytes(812_345), "812 KB");
        assert_eq!(format_bytes(4_212_000_000), "4.21 GB");
        for bad in ["", "GB", "2XB", "-1GB", "10", "1e9"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
