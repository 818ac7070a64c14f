//! Points and heatmap cells as instanced quads: a wgpu paint callback with `shaders/points.wgsl`,
//! so a million points pan and zoom smoothly; a painter fallback when the renderer is not wgpu.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use eframe::egui_wgpu;
use egui::{Color32, Rect};
use egui_wgpu::wgpu;
use wgpu::util::DeviceExt;

/// The WGSL source, validated by `tests/shaders.rs`.
pub const SHADER: &str = include_str!("../../../shaders/points.wgsl");

/// How [`Instance`] fields reach the shader's `Instance` inputs (location, format, offset);
/// `tests/shaders.rs` checks them against the WGSL and the struct's layout.
pub const INSTANCE_ATTRIBUTES: [wgpu::VertexAttribute; 3] =
    wgpu::vertex_attr_array![0 => Float32x2, 1 => Float32x2, 2 => Unorm8x4];

/// Byte size of the uniform block the shader's `Uniforms` struct reads.
pub const UNIFORMS_SIZE: usize = std::mem::size_of::<Uniforms>();

/// Points drawn by the painter fallback at most (a strided sample beyond that).
const CPU_POINT_LIMIT: usize = 20_000;

/// One quad: a heatmap cell (`half_size` > 0, in data units) or a point (`half_size` = 0).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Instance {
    /// Centre in data coordinates.
    pub center: [f32; 2],
    /// Half width and height in data units; zero for a point.
    pub half_size: [f32; 2],
    /// Premultiplied RGBA.
    pub color: [u8; 4],
}

impl Instance {
    /// A point.
    pub fn point(x: f32, y: f32, color: Color32) -> Self {
        Self {
            center: [x, y],
            half_size: [0.0, 0.0],
            color: color.to_array(),
        }
    }

    /// A rectangle from `(x0, y0)` to `(x1, y1)`.
    pub fn cell(x0: f32, x1: f32, y0: f32, y1: f32, color: Color32) -> Self {
        Self {
            center: [(x0 + x1) / 2.0, (y0 + y1) / 2.0],
            half_size: [(x1 - x0) / 2.0, (y1 - y0) / 2.0],
            color: color.to_array(),
        }
    }
}

/// Instances to draw, cells first; `version` changes whenever the contents do.
#[derive(Clone, Default)]
pub struct Scene {
    /// Changes with the contents (GPU buffers are re-uploaded only then).
    pub version: u64,
    /// Quads in drawing order.
    pub instances: Arc<Vec<Instance>>,
}

static VERSION: AtomicU64 = AtomicU64::new(1);

impl Scene {
    /// Wraps instances under a fresh version.
    pub fn new(instances: Vec<Instance>) -> Self {
        Self {
            version: VERSION.fetch_add(1, Ordering::Relaxed),
            instances: Arc::new(instances),
        }
    }
}

/// A visible data rectangle: `[x0, x1, y0, y1]`.
pub type DataRect = [f64; 4];

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Uniforms {
    scale: [f32; 2],
    offset: [f32; 2],
    point_half: [f32; 2],
    linear_out: f32,
    pad: f32,
}

struct Layer {
    instances: wgpu::Buffer,
    capacity: u64,
    count: u32,
    version: u64,
    uniform: wgpu::Buffer,
    bind: wgpu::BindGroup,
}

/// The pipeline and per-widget buffers, kept in egui-wgpu's callback resources.
pub struct PointsResources {
    pipeline: wgpu::RenderPipeline,
    bind_layout: wgpu::BindGroupLayout,
    linear_out: bool,
    layers: HashMap<egui::Id, Layer>,
}

/// Creates the pipeline for the renderer's target; returns whether GPU drawing is available.
pub fn register(rs: &egui_wgpu::RenderState) -> bool {
    let device = &rs.device;
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("slicelab points"),
        source: wgpu::ShaderSource::Wgsl(SHADER.into()),
    });
    let bind_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("slicelab points uniforms"),
        entries: &[wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::VERTEX,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        }],
    });
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("slicelab points"),
        bind_group_layouts: &[Some(&bind_layout)],
        immediate_size: 0,
    });
    let attributes = INSTANCE_ATTRIBUTES;
    let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("slicelab points"),
        layout: Some(&layout),
        vertex: wgpu::VertexState {
            module: &module,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[Some(wgpu::VertexBufferLayout {
                array_stride: std::mem::size_of::<Instance>() as u64,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &attributes,
            })],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: &module,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format: rs.target_format,
                blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    });
    rs.renderer
        .write()
        .callback_resources
        .insert(PointsResources {
            pipeline,
            bind_layout,
            linear_out: rs.target_format.is_srgb(),
            layers: HashMap::new(),
        });
    true
}

struct PointsCallback {
    id: egui::Id,
    scene: Scene,
    uniforms: Uniforms,
}

impl egui_wgpu::CallbackTrait for PointsCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        let Some(res) = resources.get_mut::<PointsResources>() else {
            return Vec::new();
        };
        let uniforms = Uniforms {
            linear_out: if res.linear_out { 1.0 } else { 0.0 },
            ..self.uniforms
        };
        let bytes: &[u8] = bytemuck::cast_slice(&self.scene.instances);
        let needed = (bytes.len() as u64).max(64);
        let layer = res.layers.entry(self.id).or_insert_with(|| {
            let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("slicelab points uniforms"),
                contents: bytemuck::bytes_of(&uniforms),
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            });
            let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("slicelab points"),
                layout: &res.bind_layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                }],
            });
            Layer {
                instances: instance_buffer(device, needed),
                capacity: needed,
                count: 0,
                version: 0,
                uniform,
                bind,
            }
        });
        if layer.version != self.scene.version {
            if layer.capacity < needed {
                layer.instances = instance_buffer(device, needed);
                layer.capacity = needed;
            }
            queue.write_buffer(&layer.instances, 0, bytes);
            layer.count = self.scene.instances.len() as u32;
            layer.version = self.scene.version;
        }
        queue.write_buffer(&layer.uniform, 0, bytemuck::bytes_of(&uniforms));
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        let Some(res) = resources.get::<PointsResources>() else {
            return;
        };
        let Some(layer) = res.layers.get(&self.id) else {
            return;
        };
        if layer.count == 0 {
            return;
        }
        pass.set_pipeline(&res.pipeline);
        pass.set_bind_group(0, &layer.bind, &[]);
        pass.set_vertex_buffer(0, layer.instances.slice(..));
        pass.draw(0..6, 0..layer.count);
    }
}

fn instance_buffer(device: &wgpu::Device, size: u64) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("slicelab point instances"),
        size: size.next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT),
        usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// Draws `scene` into `rect` showing the data rectangle `view`, on the GPU when `gpu`.
pub fn paint(ui: &egui::Ui, rect: Rect, id: egui::Id, scene: &Scene, view: DataRect, gpu: bool) {
    let [x0, x1, y0, y1] = view;
    let sx = 2.0 / (x1 - x0);
    let sy = 2.0 / (y1 - y0);
    if gpu {
        let uniforms = Uniforms {
            scale: [sx as f32, sy as f32],
            offset: [(-1.0 - x0 * sx) as f32, (-1.0 - y0 * sy) as f32],
            point_half: [
                2.0 * super::super::theme::POINT_RADIUS / rect.width().max(1.0),
                2.0 * super::super::theme::POINT_RADIUS / rect.height().max(1.0),
            ],
            linear_out: 0.0,
            pad: 0.0,
        };
        let cb = PointsCallback {
            id,
            scene: scene.clone(),
            uniforms,
        };
        ui.painter()
            .with_clip_rect(rect)
            .add(egui_wgpu::Callback::new_paint_callback(rect, cb));
    } else {
        paint_cpu(ui, rect, scene, view);
    }
}

fn paint_cpu(ui: &egui::Ui, rect: Rect, scene: &Scene, [x0, x1, y0, y1]: DataRect) {
    let to_screen = |x: f32, y: f32| {
        egui::pos2(
            rect.left() + ((f64::from(x) - x0) / (x1 - x0)) as f32 * rect.width(),
            rect.bottom() - ((f64::from(y) - y0) / (y1 - y0)) as f32 * rect.height(),
        )
    };
    let points = scene
        .instances
        .iter()
        .filter(|i| i.half_size[0] <= 0.0)
        .count();
    let stride = points.div_ceil(CPU_POINT_LIMIT).max(1);
    let mut mesh = egui::Mesh::default();
    let r = super::super::theme::POINT_RADIUS;
    let mut k = 0usize;
    for inst in scene.instances.iter() {
        let [r8, g, b, a] = inst.color;
        let color = Color32::from_rgba_premultiplied(r8, g, b, a);
        let [cx, cy] = inst.center;
        let quad = if inst.half_size[0] > 0.0 {
            let [hx, hy] = inst.half_size;
            Rect::from_two_pos(to_screen(cx - hx, cy - hy), to_screen(cx + hx, cy + hy))
        } else {
            k += 1;
            if !k.is_multiple_of(stride) {
                continue;
            }
            Rect::from_center_size(to_screen(cx, cy), egui::vec2(2.0 * r, 2.0 * r))
        };
        if quad.intersects(rect) {
            mesh.add_colored_rect(quad, color);
        }
    }
    ui.painter()
        .with_clip_rect(rect)
        .add(egui::Shape::mesh(mesh));
}
