//! Evaluating a whole school's input, as `verzuim evaluate` does (formats.md): every pupil in
//! parallel against one card, the signals on or before `as_of`, and on request the pupils at or
//! above a fraction of a threshold. The scenario tests (`crates/exchange/tests/scenarios`) and the
//! binary run this same function.

use jiff::civil::Date;
use rayon::prelude::*;
use verzuim_engine::model::Signal;
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
    let evaluator = Evaluator::new(
        card,
        &input.school,
        input.first_date.min(as_of),
        input.last_date.max(as_of),
    );
    let signals: Vec<(usize, Signal)> = input
        .pupils
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
