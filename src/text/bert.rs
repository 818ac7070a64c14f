//! A compact BERT encoder on candle-nn: embeddings, post-norm transformer layers, mean pooling.
//!
//! Written here rather than taken from candle-transformers, which would add a large crate to every
//! clean build for the one model family slicelab needs. Tensor names follow the Hugging Face
//! layout without a `bert.` prefix (`embeddings.word_embeddings.weight`, `encoder.layer.0...`).

use candle_core::{D, DType, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, Module, VarBuilder, embedding, layer_norm, linear};

use serde::Deserialize;

use super::packed::Packing;

/// The fields of a Hugging Face `config.json` the encoder reads.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct BertConfig {
    /// Token vocabulary size.
    pub vocab_size: usize,
    /// Width of every hidden state.
    pub hidden_size: usize,
    /// Transformer layers.
    pub num_hidden_layers: usize,
    /// Attention heads per layer.
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Longest supported sequence.
    pub max_position_embeddings: usize,
    /// Segment types (2 for BERT).
    #[serde(default = "two")]
    pub type_vocab_size: usize,
    /// LayerNorm epsilon.
    #[serde(default = "eps")]
    pub layer_norm_eps: f64,
    /// Activation of the feed-forward layer; only `gelu` is supported.
    #[serde(default = "gelu")]
    pub hidden_act: String,
}

fn two() -> usize {
    2
}
fn eps() -> f64 {
    1e-12
}
fn gelu() -> String {
    "gelu".into()
}

impl BertConfig {
    /// Checks what this encoder can run, naming the first unsupported field.
    pub fn validate(&self) -> std::result::Result<(), BertConfigError> {
        if !matches!(self.hidden_act.as_str(), "gelu" | "gelu_new") {
            return Err(BertConfigError::Activation(self.hidden_act.clone()));
        }
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            return Err(BertConfigError::Heads {
                hidden: self.hidden_size,
                heads: self.num_attention_heads,
            });
        }
        Ok(())
    }
}

/// An encoder `config.json` that this BERT cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BertConfigError {
    /// An activation other than GELU.
    #[error("hidden_act '{0}' is not supported (gelu only)")]
    Activation(String),
    /// Attention heads that do not split the hidden size evenly.
    #[error("hidden_size {hidden} is not a multiple of num_attention_heads {heads}")]
    Heads {
        /// `hidden_size`.
        hidden: usize,
        /// `num_attention_heads`.
        heads: usize,
    },
}

/// Token, position and segment embeddings, summed and normalised.
struct Embeddings {
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    norm: LayerNorm,
}

impl Embeddings {
    fn new(cfg: &BertConfig, vb: VarBuilder) -> Result<Self> {
        let h = cfg.hidden_size;
        Ok(Self {
            word: embedding(cfg.vocab_size, h, vb.pp("word_embeddings"))?,
            position: embedding(cfg.max_position_embeddings, h, vb.pp("position_embeddings"))?,
            token_type: embedding(cfg.type_vocab_size, h, vb.pp("token_type_embeddings"))?,
            norm: layer_norm(h, cfg.layer_norm_eps, vb.pp("LayerNorm"))?,
        })
    }

    fn forward(&self, ids: &Tensor, types: &Tensor) -> Result<Tensor> {
        let (_, t) = ids.dims2()?; // [batch, t]
        let positions = Tensor::arange(0u32, t as u32, ids.device())?.unsqueeze(0)?; // [1, t]
        let x = self.word.forward(ids)?; // [batch, t, h]
        let x = x.broadcast_add(&self.position.forward(&positions)?)?;
        let x = (x + self.token_type.forward(types)?)?;
        self.norm.forward(&x)
    }
}

/// Multi-head self-attention with its output projection and residual norm.
struct Attention {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,
    norm: Norm,
    heads: usize,
    head_dim: usize,
    trainable: bool,
}

/// A LayerNorm that can be differentiated when `trainable`: candle's fused kernel (the fast path
/// for inference) has no backward pass, so training uses the composite expression.
struct Norm {
    ln: LayerNorm,
    eps: f32,
    trainable: bool,
}

impl Norm {
    fn new(h: usize, eps: f64, vb: VarBuilder, trainable: bool) -> Result<Self> {
        Ok(Self {
            ln: layer_norm(h, eps, vb)?,
            eps: eps as f32,
            trainable,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match (self.trainable, self.ln.bias()) {
            (true, Some(bias)) => {
                candle_nn::ops::layer_norm_slow(x, self.ln.weight(), bias, self.eps)
            }
            _ => self.ln.forward(x),
        }
    }
}

impl Attention {
    fn new(cfg: &BertConfig, vb: VarBuilder, trainable: bool) -> Result<Self> {
        let h = cfg.hidden_size;
        let s = vb.pp("self");
        Ok(Self {
            query: linear(h, h, s.pp("query"))?,
            key: linear(h, h, s.pp("key"))?,
            value: linear(h, h, s.pp("value"))?,
            output: linear(h, h, vb.pp("output").pp("dense"))?,
            norm: Norm::new(
                h,
                cfg.layer_norm_eps,
                vb.pp("output").pp("LayerNorm"),
                trainable,
            )?,
            heads: cfg.num_attention_heads,
            head_dim: h / cfg.num_attention_heads,
            trainable,
        })
    }

    /// Splits `[batch, t, h]` into `[batch, heads, t, head_dim]`.
    fn split_heads(&self, x: &Tensor) -> Result<Tensor> {
        let (b, t, _) = x.dims3()?;
        x.reshape((b, t, self.heads, self.head_dim))?
            .transpose(1, 2)?
            .contiguous()
    }

    fn forward(&self, x: &Tensor, mask_bias: &Tensor) -> Result<Tensor> {
        let (b, t, h) = x.dims3()?;
        let q = self.split_heads(&self.query.forward(x)?)?;
        let k = self.split_heads(&self.key.forward(x)?)?;
        let v = self.split_heads(&self.value.forward(x)?)?;
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?; // [batch, heads, t, t]
        let scores = scores.broadcast_add(mask_bias)?; // padding keys get -inf-like bias
        let weights = if self.trainable {
            candle_nn::ops::softmax(&scores, D::Minus1)?
        } else {
            candle_nn::ops::softmax_last_dim(&scores)?
        };
        let ctx = weights.matmul(&v)?; // [batch, heads, t, head_dim]
        let ctx = ctx.transpose(1, 2)?.contiguous()?.reshape((b, t, h))?;
        self.norm.forward(&(self.output.forward(&ctx)? + x)?)
    }

    /// [`Attention::forward`] on packed states `[n, h]`: only the scores see the padding.
    fn forward_packed(&self, x: &Tensor, p: &Packing) -> Result<Tensor> {
        let heads = |l: &Linear| self.split_heads(&p.unpack(&l.forward(x)?)?);
        let (q, k, v) = (heads(&self.query)?, heads(&self.key)?, heads(&self.value)?);
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?; // [batch, heads, t, t]
        let scores = scores.broadcast_add(&p.bias)?;
        let weights = if self.trainable {
            candle_nn::ops::softmax(&scores, D::Minus1)?
        } else {
            candle_nn::ops::softmax_last_dim(&scores)?
        };
        let ctx = weights.matmul(&v)?.transpose(1, 2)?.contiguous()?; // [batch, t, heads, head_dim]
        let (b, t, _, _) = ctx.dims4()?;
        let ctx = p.pack(&ctx.reshape((b, t, self.heads * self.head_dim))?)?; // [n, h]
        self.norm.forward(&(self.output.forward(&ctx)? + x)?)
    }
}

/// One post-norm transformer layer: self-attention, then the feed-forward block.
pub struct Layer {
    attention: Attention,
    intermediate: Linear,
    output: Linear,
    norm: Norm,
}

impl Layer {
    /// Builds layer tensors under `vb` (`attention.*`, `intermediate.*`, `output.*`);
    /// `trainable` layers use differentiable kernels throughout.
    pub fn new(cfg: &BertConfig, vb: VarBuilder, trainable: bool) -> Result<Self> {
        let (h, i) = (cfg.hidden_size, cfg.intermediate_size);
        Ok(Self {
            attention: Attention::new(cfg, vb.pp("attention"), trainable)?,
            intermediate: linear(h, i, vb.pp("intermediate").pp("dense"))?,
            output: linear(i, h, vb.pp("output").pp("dense"))?,
            norm: Norm::new(
                h,
                cfg.layer_norm_eps,
                vb.pp("output").pp("LayerNorm"),
                trainable,
            )?,
        })
    }

    /// `[batch, t, h]` -> `[batch, t, h]` under an additive attention bias from [`mask_bias`].
    pub fn forward(&self, x: &Tensor, mask_bias: &Tensor) -> Result<Tensor> {
        let a = self.attention.forward(x, mask_bias)?; // [batch, t, h]
        let f = self.intermediate.forward(&a)?.gelu_erf()?; // [batch, t, intermediate]
        self.norm.forward(&(self.output.forward(&f)? + a)?)
    }

    /// [`Layer::forward`] on packed states `[n, h]` -> `[n, h]` (differentiable): the per-token
    /// work skips padding.
    pub fn forward_packed(&self, x: &Tensor, p: &Packing) -> Result<Tensor> {
        let a = self.attention.forward_packed(x, p)?; // [n, h]
        let f = self.intermediate.forward(&a)?.gelu_erf()?; // [n, intermediate]
        self.norm.forward(&(self.output.forward(&f)? + a)?)
    }
}

/// The BERT encoder: token ids in, one hidden state per token out.
pub struct BertModel {
    embeddings: Embeddings,
    layers: Vec<Layer>,
}

impl BertModel {
    /// Builds the encoder from `embeddings.*` and `encoder.layer.{i}.*` tensors.
    pub fn new(cfg: &BertConfig, vb: VarBuilder) -> Result<Self> {
        let layers = (0..cfg.num_hidden_layers)
            .map(|i| Layer::new(cfg, vb.pp("encoder").pp("layer").pp(i), false))
            .collect::<Result<_>>()?;
        Ok(Self {
            embeddings: Embeddings::new(cfg, vb.pp("embeddings"))?,
            layers,
        })
    }

    /// Hidden states `[batch, t, h]` of `ids`/`types` `[batch, t]` (u32) under `mask` `[batch, t]`
    /// (f32, 1 for real tokens).
    pub fn forward(&self, ids: &Tensor, types: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.lower(ids, types, mask, self.layers.len())
    }

    /// Hidden states after the embeddings and the first `layers` layers (the frozen part when
    /// the layers above are tuned).
    pub fn lower(
        &self,
        ids: &Tensor,
        types: &Tensor,
        mask: &Tensor,
        layers: usize,
    ) -> Result<Tensor> {
        let bias = mask_bias(mask)?;
        let x = self.embeddings.forward(ids, types)?;
        self.layers
            .iter()
            .take(layers)
            .try_fold(x, |x, layer| layer.forward(&x, &bias))
    }
}

/// Additive attention-score bias `[batch, 1, 1, t]` of a `[batch, t]` mask (f32, 1 for real
/// tokens): 0 for real tokens, a large negative for padding.
pub fn mask_bias(mask: &Tensor) -> Result<Tensor> {
    let (b, t) = mask.dims2()?;
    ((mask.ones_like()? - mask)? * -1e9)?.reshape((b, 1, 1, t))
}

/// Mean of the hidden states over real tokens, `[batch, t, h]` -> `[batch, h]`.
pub fn mean_pool(hidden: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let m = mask.to_dtype(DType::F32)?.unsqueeze(D::Minus1)?; // [batch, t, 1]
    let sum = hidden.broadcast_mul(&m)?.sum(1)?; // [batch, h]
    let count = m.sum(1)?.clamp(1e-9, f64::MAX)?; // [batch, 1]
    sum.broadcast_div(&count)
}

/// Scales every row of `[batch, h]` to unit length.
pub fn l2_normalize(x: &Tensor) -> Result<Tensor> {
    let norm = x
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(1e-12, f64::MAX)?; // [batch, 1]
    x.broadcast_div(&norm)
}
