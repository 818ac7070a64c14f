//! The training settings shared by `train` and `experiment`.

use clap::{Args, ValueEnum};

use slicelab::train::{ClassWeights, LrSchedule, OptimizerKind, Selection, TrainConfig};

/// Hyperparameters of every training run; the defaults are [`TrainConfig::default`]'s.
#[derive(Args, Debug, Clone)]
pub struct TrainFlags {
    /// Training epochs.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Batch size.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 0.01)]
    lr: f64,
    /// Optimiser.
    #[arg(long, value_enum, default_value = "adam")]
    optimizer: OptArg,
    /// Learning-rate schedule: cosine decay to 0, linear decay, or constant (the Snorkel reference's).
    #[arg(long, value_enum, default_value = "cosine")]
    lr_schedule: ScheduleArg,
    /// Weight decay (L2 for adam, decoupled for adamw).
    #[arg(long, default_value_t = 0.0)]
    weight_decay: f64,
    /// Clip the global gradient norm (0 turns clipping off).
    #[arg(long, default_value_t = 1.0)]
    grad_clip: f64,
    /// Backbone widths, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "13,13")]
    hidden: Vec<usize>,
    /// Stop after this many epochs without validation improvement.
    #[arg(long)]
    patience: Option<usize>,
    /// Keep the last epoch's weights instead of the best validation epoch's.
    #[arg(long)]
    no_select_best: bool,
    /// Which validation score picks the kept epoch: overall F1, or the mean or the worst SF-slice
    /// score by --metric (F1 for two classes by default), the slice rules only among epochs
    /// within --select-tolerance of the best overall F1.
    #[arg(long, value_enum, default_value = "overall")]
    select: SelectArg,
    /// How far (in F1) below the run's best overall validation F1 a slice rule may go.
    #[arg(long, default_value_t = 0.005)]
    select_tolerance: f64,
    /// Class weighting of every prediction loss (base, slice heads, final head): none, or balanced (n / (C * n_class), for rare classes).
    #[arg(long, value_enum, default_value = "none")]
    class_weights: WeightsArg,
    /// Group DRO: step size η of the exponentiated-gradient group weights.
    #[arg(long, default_value_t = 0.01)]
    gdro_step: f64,
    /// Group DRO: L2 penalty (the weight decay of gdro runs when larger than --weight-decay).
    #[arg(long, default_value_t = 0.001)]
    gdro_l2: f64,
    /// JTT: epochs of the first-stage Vanilla model whose training errors are upweighted.
    #[arg(long, default_value_t = 2)]
    jtt_epochs: usize,
    /// JTT: weight λ_up of the first stage's misclassified training rows.
    #[arg(long, default_value_t = 6.0)]
    jtt_upweight: f64,
    /// Train the text encoder's top N layers jointly with the model (needs --embed COL --encoder
    /// DIR): the lower layers run once, the top N in every step; 0 keeps the embedding frozen.
    #[arg(long, default_value_t = 0)]
    tune_layers: usize,
    /// Learning rate of the tuned encoder layers (--lr is the model's).
    #[arg(long, default_value_t = 5e-5)]
    encoder_lr: f64,
    /// Compute device: auto (a GPU when this build and the machine have one, else the CPU), cpu,
    /// cuda, cuda:N, metal (GPU builds need --features cuda/metal).
    #[arg(long, default_value = "auto")]
    device: String,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OptArg {
    Adam,
    Adamw,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum WeightsArg {
    None,
    Balanced,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SelectArg {
    Overall,
    MeanSlice,
    WorstSlice,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ScheduleArg {
    Cosine,
    Linear,
    Constant,
}

impl TrainFlags {
    /// Refuses --tune-layers without a text column to embed, before any data is read.
    pub fn check_tuning(&self, embed: Option<&String>) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.tune_layers == 0 || embed.is_some(),
            "--tune-layers {} needs a text column embedded by an encoder: add --embed COL \
             --encoder DIR",
            self.tune_layers
        );
        Ok(())
    }

    /// The checked training settings, first seed `seed`.
    pub fn config(&self, seed: u64) -> anyhow::Result<TrainConfig> {
        let train = TrainConfig {
            epochs: self.epochs,
            batch_size: self.batch_size,
            lr: self.lr,
            optimizer: match self.optimizer {
                OptArg::Adam => OptimizerKind::Adam,
                OptArg::Adamw => OptimizerKind::AdamW,
            },
            lr_schedule: match self.lr_schedule {
                ScheduleArg::Cosine => LrSchedule::Cosine,
                ScheduleArg::Linear => LrSchedule::Linear,
                ScheduleArg::Constant => LrSchedule::Constant,
            },
            weight_decay: self.weight_decay,
            grad_clip: Some(self.grad_clip).filter(|c| *c > 0.0),
            hidden: self.hidden.clone(),
            seed,
            select_best: !self.no_select_best,
            select: match self.select {
                SelectArg::Overall => Selection::Overall,
                SelectArg::MeanSlice => Selection::MeanSlice,
                SelectArg::WorstSlice => Selection::WorstSlice,
            },
            select_tolerance: self.select_tolerance,
            select_metric: None,
            patience: self.patience,
            device: self.device.clone(),
            class_weights: match self.class_weights {
                WeightsArg::None => ClassWeights::None,
                WeightsArg::Balanced => ClassWeights::Balanced,
            },
            gdro_step: self.gdro_step,
            gdro_l2: self.gdro_l2,
            jtt_epochs: self.jtt_epochs,
            jtt_upweight: self.jtt_upweight,
            tune_layers: self.tune_layers,
            encoder_lr: self.encoder_lr,
        };
        train.validate().map_err(anyhow::Error::msg)?;
        Ok(train)
    }
}
