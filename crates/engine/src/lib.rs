//! `verzuim-engine`: the regional verzuimkaart as rules.
//!
//! Pure: no IO, no async, no database. The modules, in the order data flows through them:
//!
//! - [`model`]: input (school, pupils, registrations, events) and output (signals) types;
//! - [`card`]: the card file model and its validation;
//! - [`calendar`]: lesson time, lesson days, lesweken and the lesson calendar of a school;
//! - [`chain`]: the card's lines of escalation (one case follows one chain);
//! - [`evaluation`]: registrations -> signals with evidence and actions, per rule kind;
//! - [`progress`]: how close a pupil is to each threshold (early warning).

pub mod calendar;
pub mod card;
pub mod chain;
pub mod evaluation;
pub mod model;
pub mod progress;

pub use calendar::SchoolCalendar;
pub use card::Card;
pub use evaluation::Evaluator;
