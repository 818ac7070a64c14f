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

/// The shader as the app embeds it, parsed.
fn points_module() -> naga::Module {
    let src = slicelab::gui::widgets::points::SHADER;
    naga::front::wgsl::parse_str(src).unwrap_or_else(|e| panic!("{}", e.emit_to_string(src)))
}

/// A named struct type of the module with its byte size and members.
fn struct_type<'m>(m: &'m naga::Module, name: &str) -> (u32, &'m [naga::StructMember]) {
    m.types
        .iter()
        .find_map(|(_, t)| match &t.inner {
            naga::TypeInner::Struct { members, span } if t.name.as_deref() == Some(name) => {
                Some((*span, &members[..]))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct {name} in points.wgsl"))
}

/// (components, float?) of a scalar or vector type.
fn shape(m: &naga::Module, ty: naga::Handle<naga::Type>) -> (u32, bool) {
    match &m.types[ty].inner {
        naga::TypeInner::Scalar(s) => (1, s.kind == naga::ScalarKind::Float),
        naga::TypeInner::Vector { size, scalar } => {
            (*size as u32, scalar.kind == naga::ScalarKind::Float)
        }
        other => panic!("unexpected shader input type {other:?}"),
    }
}

/// Components of the vertex formats the app uses.
fn width(format: wgpu::VertexFormat) -> u32 {
    use wgpu::VertexFormat as F;
    match format {
        F::Float32 => 1,
        F::Float32x2 => 2,
        F::Float32x3 => 3,
        F::Float32x4 | F::Unorm8x4 => 4,
        other => panic!("add {other:?} to this test"),
    }
}

#[test]
fn the_vertex_layout_matches_the_shader_inputs_and_the_rust_struct() {
    use slicelab::gui::widgets::points::{INSTANCE_ATTRIBUTES, Instance};
    let m = points_module();
    let (_, inputs) = struct_type(&m, "Instance");
    let rust_offsets = [
        std::mem::offset_of!(Instance, center),
        std::mem::offset_of!(Instance, half_size),
        std::mem::offset_of!(Instance, color),
    ];
    assert_eq!(
        inputs.len(),
        INSTANCE_ATTRIBUTES.len(),
        "one attribute per input"
    );
    for (member, attr) in inputs.iter().zip(&INSTANCE_ATTRIBUTES) {
        let name = member.name.as_deref().unwrap_or("?");
        let Some(naga::Binding::Location { location, .. }) = member.binding else {
            panic!("{name} has no @location");
        };
        assert_eq!(location, attr.shader_location, "{name}'s location");
        let (components, float) = shape(&m, member.ty);
        // Every format used here reaches the shader as floats (Unorm8x4 is normalised).
        assert!(float, "{name} is read as floats");
        assert_eq!(components, width(attr.format), "{name}'s width");
        let at = rust_offsets[location as usize];
        assert_eq!(
            attr.offset as usize, at,
            "{name}'s offset in the Rust Instance"
        );
    }
    let end = INSTANCE_ATTRIBUTES
        .last()
        .map(|a| a.offset + a.format.size());
    assert_eq!(
        end,
        Some(std::mem::size_of::<Instance>() as u64),
        "no gaps or tail"
    );
}

#[test]
fn the_uniform_block_has_the_rust_size() {
    let m = points_module();
    let (span, members) = struct_type(&m, "Uniforms");
    assert_eq!(span as usize, slicelab::gui::widgets::points::UNIFORMS_SIZE);
    let names: Vec<&str> = members.iter().filter_map(|x| x.name.as_deref()).collect();
    assert_eq!(
        names,
        ["scale", "offset", "point_half", "linear_out", "_pad"]
    );
}
