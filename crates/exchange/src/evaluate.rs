//! Evaluating a whole school's input, as `verzuim evaluate` does (formats.md): every pupil in
//! parallel against one card, the signals on or before `as_of`, and on request the pupils at or
//! above a fraction of a threshold. The scenario tests (`crates/exchange/tests/scenarios`) and the
//! binary run this same function.

use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;
use verzuim_engine::model::{Evidence, Minutes, Period, Signal, SignalAction, SignalKind};
use verzuim_engine::progress::Progress;
use verzuim_engine::{Card, Evaluator};

use crate::input::Input;

/// The signals (with the index of their pupil in `Input::pupils`) and, on request, the
/// approaching entries.
pub type Evaluated = (Vec<(usize, Signal)>, Option<Vec<(usize, Progress)>>);

/// Evaluates every pupil in parallel: the signals on or before `as_of`, and, when a fraction is
/// given, the progress entries at or above it.
pub fn evaluate_input(
    card: &Card,
    input: &Input,
    as_of: Date,
    approaching: Option<f64>,
) -> Evaluated {
    evaluate_input_with(card, input, as_of, true, approaching)
}

/// [`evaluate_input`], the signals only when `signals`.
fn evaluate_input_with(
    card: &Card,
    input: &Input,
    as_of: Date,
    signals: bool,
    approaching: Option<f64>,
) -> Evaluated {
    let evaluator = Evaluator::new(
        card,
        &input.school,
        input.first_date.min(as_of),
        input.last_date.max(as_of),
    );
    let signals: Vec<(usize, Signal)> = input.pupils
        [..if signals { input.pupils.len() } else { 0 }]
        .par_iter()
        .enumerate()
        .flat_map_iter(|(index, pupil)| {
            evaluator
                .evaluate(&pupil.record)
                .into_iter()
                .filter(|s| s.date <= as_of)
                .map(move |s| (index, s))
        })
        .collect();
    let approaching = approaching.map(|fraction| {
        input
            .pupils
            .par_iter()
            .enumerate()
            .flat_map_iter(|(index, pupil)| {
                evaluator
                    .progress(&pupil.record, as_of)
                    .into_iter()
                    .filter(|p| p.fraction >= fraction)
                    .map(move |p| (index, p))
            })
            .collect()
    });
    (signals, approaching)
}

/// Pupils per chunk of [`evaluate_compact`]: each chunk's signals are one small table of their
/// own, so the tables are never copied into one large one.
const CHUNK_PUPILS: usize = 1024;

/// The signals of a whole school on or before a date, as [`evaluate_input`] gives them but
/// compact (what `verzuim evaluate --format json` and `verzuim bench evaluate` hold): one row
/// of fixed size per signal, the evidence of a chunk of pupils in one list, stage names once per
/// chunk. A region's 1.8 million signals take about a third of the memory of a
/// `Vec<(usize, Signal)>` (each signal's evidence and stage a heap allocation of its own), and
/// they are never gathered into one list (which held them twice for a moment).
#[derive(Debug, Default)]
pub struct SignalTable {
    chunks: Vec<SignalChunk>,
    /// The index of each chunk's first signal.
    starts: Vec<usize>,
    len: usize,
}

#[derive(Debug, Default)]
struct SignalChunk {
    rows: Vec<SignalRow>,
    evidence: Vec<Evidence>,
    stages: Vec<String>,
}

/// One signal of a [`SignalChunk`].
#[derive(Debug)]
struct SignalRow {
    pupil: u32,
    date: Date,
    kind: SignalKind,
    pupil_participates: bool,
    /// 1 + the index in the chunk's `stages`; 0: no stage.
    stage: u16,
    count: Option<u32>,
    minutes: Option<Minutes>,
    period: Option<Period>,
    evidence_start: u32,
    evidence_len: u32,
    actions: Arc<[SignalAction]>,
}

/// One signal as the outputs read it: from a [`Signal`] or from a [`SignalTable`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignalView<'a> {
    /// The pupil's index in `Input::pupils`.
    pub pupil: usize,
    pub kind: SignalKind,
    pub date: Date,
    pub count: Option<u32>,
    pub stage: Option<&'a str>,
    pub minutes: Option<Minutes>,
    pub period: Option<Period>,
    pub evidence: &'a [Evidence],
    pub pupil_participates: bool,
    pub actions: &'a Arc<[SignalAction]>,
}

impl<'a> SignalView<'a> {
    pub(crate) fn of(pupil: usize, s: &'a Signal) -> Self {
        SignalView {
            pupil,
            kind: s.kind,
            date: s.date,
            count: s.count,
            stage: s.stage.as_deref(),
            minutes: s.minutes,
            period: s.period,
            evidence: &s.evidence,
            pupil_participates: s.pupil_participates,
            actions: &s.actions,
        }
    }
}

impl SignalTable {
    /// The number of signals.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Signal `i` (in the order of [`evaluate_input`]: by pupil, then as the evaluator gives
    /// them).
    pub(crate) fn get(&self, i: usize) -> SignalView<'_> {
        let c = self.starts.partition_point(|&s| s <= i) - 1;
        let chunk = &self.chunks[c];
        let row = &chunk.rows[i - self.starts[c]];
        let from = row.evidence_start as usize;
        SignalView {
            pupil: row.pupil as usize,
            kind: row.kind,
            date: row.date,
            count: row.count,
            stage: (row.stage > 0).then(|| chunk.stages[usize::from(row.stage) - 1].as_str()),
            minutes: row.minutes,
            period: row.period,
            evidence: &chunk.evidence[from..from + row.evidence_len as usize],
            pupil_participates: row.pupil_participates,
            actions: &row.actions,
        }
    }
}

/// Evaluates every pupil in parallel, as [`evaluate_input`] does, into a compact
/// [`SignalTable`]: the signals on or before `as_of`.
pub fn evaluate_compact(card: &Card, input: &Input, as_of: Date) -> SignalTable {
    let evaluator = Evaluator::new(
        card,
        &input.school,
        input.first_date.min(as_of),
        input.last_date.max(as_of),
    );
    let chunks: Vec<SignalChunk> = input
        .pupils
        .par_chunks(CHUNK_PUPILS)
        .enumerate()
        .map(|(c, pupils)| {
            let mut chunk = SignalChunk::default();
            for (j, pupil) in pupils.iter().enumerate() {
                let index = (c * CHUNK_PUPILS + j) as u32;
                for s in evaluator.evaluate(&pupil.record) {
                    if s.date > as_of {
                        continue;
                    }
                    let stage = match s.stage {
                        None => 0,
                        Some(stage) => {
                            let at = match chunk.stages.iter().position(|x| *x == stage) {
                                Some(at) => at,
                                None => {
                                    chunk.stages.push(stage);
                                    chunk.stages.len() - 1
                                }
                            };
                            u16::try_from(at + 1).expect("few stage names")
                        }
                    };
                    let evidence_start = chunk.evidence.len() as u32;
                    let evidence_len = s.evidence.len() as u32;
                    chunk.evidence.extend(s.evidence);
                    chunk.rows.push(SignalRow {
                        pupil: index,
                        date: s.date,
                        kind: s.kind,
                        pupil_participates: s.pupil_participates,
                        stage,
                        count: s.count,
                        minutes: s.minutes,
                        period: s.period,
                        evidence_start,
                        evidence_len,
                        actions: s.actions,
                    });
                }
            }
            chunk.rows.shrink_to_fit();
            chunk.evidence.shrink_to_fit();
            chunk
        })
        .collect();
    let mut starts = Vec::with_capacity(chunks.len());
    let mut len = 0;
    for chunk in &chunks {
        starts.push(len);
        len += chunk.rows.len();
    }
    SignalTable {
        chunks,
        starts,
        len,
    }
}

/// The pupils at or above `fraction` of a threshold on `as_of`, as [`evaluate_input`] gives
/// them.
pub fn evaluate_approaching(
    card: &Card,
    input: &Input,
    as_of: Date,
    fraction: f64,
) -> Vec<(usize, Progress)> {
    evaluate_input_with(card, input, as_of, false, Some(fraction))
        .1
        .unwrap_or_default()
}
