//! Every WGSL shader in `shaders/` parses and validates with naga (no GPU needed).

use std::path::Path;

#[test]
fn every_wgsl_file_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("shaders/ exists") {
        let path = entry.expect("readable entry").path();
        if path.extension().is_none_or(|e| e != "wgsl") {
            continue;
        }
        let src = std::fs::read_to_string(&path).expect("readable shader");
        let module = naga::front::wgsl::parse_str(&src)
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.emit_to_string(&src)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::all(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let entry_points: Vec<&str> = module
            .entry_points
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert!(
            entry_points.contains(&"vs_main") && entry_points.contains(&"fs_main"),
            "{entry_points:?}"
        );
        checked.push(path);
    }
    assert!(!checked.is_empty(), "no .wgsl files in {}", dir.display());
}

#[test]
fn the_app_embeds_the_shader_file() {
    let on_disk =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders/points.wgsl"))
            .unwrap();
    assert_eq!(slicelab::gui::widgets::points::SHADER, on_disk);
}
