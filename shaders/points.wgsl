// Instanced quads for the Map and Indicators views: heatmap cells (rectangles in data units)
// and points (round, a fixed size on screen). One draw call draws a whole layer.

struct Uniforms {
    // Data -> clip space: clip = data * scale + offset.
    scale: vec2<f32>,
    offset: vec2<f32>,
    // Half size of a point in clip units.
    point_half: vec2<f32>,
    // 1.0 when the target is an sRGB format (colours arrive gamma-encoded).
    linear_out: f32,
    _pad: f32,
};

@group(0) @binding(0) var<uniform> u: Uniforms;

struct Instance {
    @location(0) center: vec2<f32>,
    // Half size in data units; zero or negative marks a point.
    @location(1) half_size: vec2<f32>,
    // Premultiplied RGBA, gamma-encoded.
    @location(2) color: vec4<f32>,
};

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
    @location(1) local: vec2<f32>,
    @location(2) round_shape: f32,
};

var<private> CORNERS: array<vec2<f32>, 6> = array<vec2<f32>, 6>(
    vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, -1.0), vec2<f32>(1.0, 1.0),
    vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, 1.0), vec2<f32>(-1.0, 1.0),
);

fn to_linear(c: vec3<f32>) -> vec3<f32> {
    let low = c / 12.92;
    let high = pow((c + vec3<f32>(0.055)) / 1.055, vec3<f32>(2.4));
    return select(high, low, c <= vec3<f32>(0.04045));
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, inst: Instance) -> VsOut {
    let corner = CORNERS[vi % 6u];
    let is_point = inst.half_size.x <= 0.0;
    let centre = inst.center * u.scale + u.offset;
    let half = select(inst.half_size * abs(u.scale), u.point_half, is_point);
    var out: VsOut;
    out.position = vec4<f32>(centre + corner * half, 0.0, 1.0);
    var rgb = inst.color.rgb;
    if (u.linear_out > 0.5) {
        rgb = to_linear(rgb);
    }
    out.color = vec4<f32>(rgb, inst.color.a);
    out.local = corner;
    out.round_shape = select(0.0, 1.0, is_point);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    if (in.round_shape > 0.5 && dot(in.local, in.local) > 1.0) {
        discard;
    }
    return in.color;
}
