//! Packed token batches: the real tokens of a batch of rows laid end to end.
//!
//! Review lengths vary a lot (Rotten Tomatoes: 25 tokens on average, 68 at most), so a padded
//! batch of 64 random reviews is about half padding. Projections, the feed-forward block and the
//! norms are per token and run on the packed `[n, h]` states; only attention, which mixes tokens
//! within a row, sees the padded `[b, t]` layout. The result equals the padded computation's on
//! every real token, at about half its cost when training the top layers.

use candle_core::{Device, Result, Tensor};

/// Where the real tokens of a batch sit in its padded `[b, t]` layout.
pub struct Packing {
    /// For every padded position, its token's index in the packed states, or `n` (a zero row
    /// appended by [`Packing::unpack`]) for padding; `[b * t]`.
    unpack: Tensor,
    /// Every real token's padded position; `[n]`.
    pack: Tensor,
    /// Additive attention bias `[b, 1, 1, t]`: 0 for real tokens, a large negative for padding.
    pub bias: Tensor,
    /// The row of every packed token; `[n]`.
    row_of: Tensor,
    /// 1 / the number of tokens of every row; `[b, 1]`.
    inv_len: Tensor,
    /// Rows.
    b: usize,
    /// Padded length: the longest row's tokens.
    t: usize,
}

impl Packing {
    /// The packed states `[n, h]` and layout of `rows` of per-row token states (`[tokens, h]`
    /// row-major each). A row without tokens gets one zero state, which it then pools.
    pub fn rows(
        states: &[Vec<f32>],
        rows: &[usize],
        h: usize,
        device: &Device,
    ) -> Result<(Tensor, Self)> {
        let lens: Vec<usize> = rows.iter().map(|&i| (states[i].len() / h).max(1)).collect();
        let n: usize = lens.iter().sum();
        let mut x = Vec::with_capacity(n * h);
        for &i in rows {
            match states[i].len() / h {
                0 => x.extend(std::iter::repeat_n(0f32, h)),
                k => x.extend_from_slice(&states[i][..k * h]),
            }
        }
        let x = Tensor::from_vec(x, (n, h), device)?;
        Ok((x, Self::new(&lens, device)?))
    }

    /// The layout of rows with `lens` real tokens each (every length at least 1).
    pub fn new(lens: &[usize], device: &Device) -> Result<Self> {
        let (b, n) = (lens.len(), lens.iter().sum::<usize>());
        let t = lens.iter().copied().max().unwrap_or(1).max(1);
        let mut unpack = vec![n as u32; b * t];
        let mut pack = Vec::with_capacity(n);
        let mut bias = vec![-1e9f32; b * t];
        let mut row_of = Vec::with_capacity(n);
        let mut next = 0usize;
        for (r, &len) in lens.iter().enumerate() {
            for j in 0..len {
                unpack[r * t + j] = (next + j) as u32;
                pack.push((r * t + j) as u32);
                bias[r * t + j] = 0.0;
                row_of.push(r as u32);
            }
            next += len;
        }
        let inv_len: Vec<f32> = lens.iter().map(|&l| 1.0 / l.max(1) as f32).collect();
        Ok(Self {
            unpack: Tensor::from_vec(unpack, b * t, device)?,
            pack: Tensor::from_vec(pack, n, device)?,
            bias: Tensor::from_vec(bias, (b, 1, 1, t), device)?,
            row_of: Tensor::from_vec(row_of, n, device)?,
            inv_len: Tensor::from_vec(inv_len, (b, 1), device)?,
            b,
            t,
        })
    }

    /// `[n, w]` packed -> `[b, t, w]` padded, zeros at padding (differentiable).
    pub fn unpack(&self, x: &Tensor) -> Result<Tensor> {
        let w = x.dim(1)?;
        let zero = Tensor::zeros((1, w), x.dtype(), x.device())?;
        Tensor::cat(&[x, &zero], 0)?
            .index_select(&self.unpack, 0)?
            .reshape((self.b, self.t, w))
    }

    /// `[b, t, w]` padded -> `[n, w]` packed (differentiable).
    pub fn pack(&self, x: &Tensor) -> Result<Tensor> {
        let w = x.dim(2)?;
        x.reshape((self.b * self.t, w))?.index_select(&self.pack, 0)
    }

    /// Mean of each row's packed states, `[n, w]` -> `[b, w]` (differentiable; memory linear
    /// in the batch, unlike a `[b, n]` pooling matrix).
    pub fn mean_pool(&self, x: &Tensor) -> Result<Tensor> {
        let w = x.dim(1)?;
        let sum =
            Tensor::zeros((self.b, w), x.dtype(), x.device())?.index_add(&self.row_of, x, 0)?;
        sum.broadcast_mul(&self.inv_len)
    }
}

#[cfg(test)]
mod tests {
    use candle_core::{DType, Device, Tensor, Var};
    use candle_nn::{VarBuilder, VarMap};

    use super::Packing;
    use crate::text::bert::{BertConfig, Layer, mask_bias, mean_pool};

    fn config() -> BertConfig {
        serde_json::from_str(
            r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1,
                "num_attention_heads": 2, "intermediate_size": 16,
                "max_position_embeddings": 16, "layer_norm_eps": 1e-5}"#,
        )
        .unwrap()
    }

    /// The largest absolute difference of two same-shaped tensors.
    fn diff(a: &Tensor, b: &Tensor) -> f32 {
        let d = (a - b).and_then(|d| d.abs()?.max_all()?.to_scalar::<f32>());
        d.unwrap()
    }

    #[test]
    fn a_packed_layer_equals_the_padded_one_on_real_tokens_with_the_same_gradients() {
        let dev = Device::Cpu;
        let varmap = VarMap::new();
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev);
        // VarMap's default initialisers give random weights, so every head mixes tokens.
        let layer = Layer::new(&config(), vb, true).unwrap();
        // Row 1 has no tokens: it packs one zero token, as the padded layout masks one in.
        let lens = [3usize, 0, 5, 2];
        let (b, t, h) = (lens.len(), 5, 8);
        let states: Vec<Vec<f32>> = lens
            .iter()
            .enumerate()
            .map(|(r, &n)| {
                (0..n * h)
                    .map(|i| ((r * 31 + i * 7) % 13) as f32 / 6.0 - 1.0)
                    .collect()
            })
            .collect();
        let rows: Vec<usize> = (0..b).collect();

        let (x, p) = Packing::rows(&states, &rows, h, &dev).unwrap();
        let x = Var::from_tensor(&x).unwrap();
        let packed = p.mean_pool(&layer.forward_packed(&x, &p).unwrap()).unwrap(); // [b, h]

        let mut pad = vec![0f32; b * t * h];
        let mut mask = vec![0f32; b * t];
        for (r, s) in states.iter().enumerate() {
            pad[r * t * h..r * t * h + s.len()].copy_from_slice(s);
            mask[r * t..r * t + lens[r].max(1)]
                .iter_mut()
                .for_each(|m| *m = 1.0);
        }
        let xp = Var::from_vec(pad, (b, t, h), &dev).unwrap();
        let mask = Tensor::from_vec(mask, (b, t), &dev).unwrap();
        let bias = mask_bias(&mask).unwrap();
        let padded = mean_pool(&layer.forward(&xp, &bias).unwrap(), &mask).unwrap();
        assert!(diff(&packed, &padded) < 1e-5, "pooled states differ");

        // The same loss gives every weight and every real token the same gradient.
        let w = Tensor::arange(0f32, (b * h) as f32, &dev)
            .unwrap()
            .reshape((b, h))
            .unwrap();
        let gp = (packed * &w)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let gq = (padded * &w)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        for (name, var) in varmap.data().lock().unwrap().iter() {
            let (a, c) = (
                gp.get(var.as_tensor()).unwrap(),
                gq.get(var.as_tensor()).unwrap(),
            );
            assert!(
                diff(a, c) < 1e-3,
                "{name}: gradients differ by {}",
                diff(a, c)
            );
        }
        let gx = p.unpack(gp.get(x.as_tensor()).unwrap()).unwrap(); // [b, t, h]
        let gx_pad = gq
            .get(xp.as_tensor())
            .unwrap()
            .broadcast_mul(&mask.unsqueeze(2).unwrap())
            .unwrap();
        assert!(diff(&gx, &gx_pad) < 1e-3, "input gradients differ");
    }

    #[test]
    fn an_empty_row_packs_one_zero_token() {
        let dev = Device::Cpu;
        let states = vec![vec![1f32; 4], vec![], vec![2f32; 6]];
        let (x, p) = Packing::rows(&states, &[0, 1, 2], 2, &dev).unwrap();
        assert_eq!(x.dims(), &[2 + 1 + 3, 2]);
        let pooled: Vec<Vec<f32>> = p.mean_pool(&x).unwrap().to_vec2().unwrap();
        assert_eq!(pooled, vec![vec![1.0, 1.0], vec![0.0, 0.0], vec![2.0, 2.0]]);
        let round: Vec<f32> = p
            .pack(&p.unpack(&x).unwrap())
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        assert_eq!(round, x.flatten_all().unwrap().to_vec1::<f32>().unwrap());
    }
}
