//! The kbc runtime: load a compiled knowledge base and diagnose observations.
//!
//! The pipeline, one module per stage:
//! `KnowledgeBase → validate → lower (tables) → Artifact ⇄ bytes`, then
//! `Observation (typed facts, scanned text) → Matcher → Diagnosis`.
//! The [`Reference`] interpreter computes the same [`Diagnosis`] the plain
//! way; docs/SEMANTICS.md says how.
//!
//! This crate never depends on the parser or the template engine: the
//! compiler produces a [`model::KnowledgeBase`], this crate takes it from
//! there.
//!
//! # At a glance
//!
//! - [`Artifact::build`] lowers a checked [`model::KnowledgeBase`] (errors:
//!   [`BuildError`]); [`Artifact::to_bytes`], [`Artifact::from_bytes`],
//!   [`Artifact::load`], [`Artifact::from_static`] (errors: [`LoadError`])
//!   and [`Artifact::to_json`].
//! - [`Matcher::new`], [`Matcher::from_bytes`], [`Matcher::load`], and
//!   [`Matcher::from_static`] for bytes embedded with `include_bytes!`.
//!   Loading reads what ranking needs; a diagnosis decodes the titles,
//!   wording and steps of what it shows, record by record, and
//!   [`Matcher::kb`] the whole model. [`Matcher::facts`] never needs them.
//! - [`Matcher::observation`] gives an [`Observation`]: `set`, `set_json`,
//!   `set_json_object`, `set_value`, `add_text`, `scan_log`, `unset`
//!   (errors: [`ObservationError`]).
//! - [`Matcher::diagnose`] gives a [`Diagnosis`], whose JSON is a public
//!   contract (docs/SEMANTICS.md, section 10); [`Matcher::rank`] only ranks;
//!   [`Matcher::next_question`]; [`Matcher::explain`] says what an id is.
//! - [`run_examples`] runs the knowledge base's own examples and reports
//!   [`Coverage`]; [`Reference`] is the reference interpreter.
//!
//! # Example
//!
//! ```
//! use kbc_runtime::model::*;
//! use kbc_runtime::{Artifact, Matcher};
//!
//! let at = Location::default();
//! let fact = |id: &str, ty| Fact { id: id.into(), ty, question: Some(format!("What is the {id}?")), label: None, loc: at.clone() };
//! let kb = KnowledgeBase {
//!     facts: vec![
//!         fact("error_code", FactType::Int),
//!         fact("domain_joined", FactType::Bool),
//!     ],
//!     symptoms: vec![Symptom {
//!         id: "rdp_0x904".into(),
//!         title: "Remote Desktop error 0x904".into(),
//!         condition: Condition::Compare { fact: FactIdx(0), op: CmpOp::Eq, value: Value::Int(0x904) },
//!         description: None,
//!         loc: at.clone(),
//!     }],
//!     causes: vec![
//!         Cause {
//!             id: "credssp_mismatch".into(),
//!             title: "a CredSSP mismatch".into(),
//!             produces: vec![SymptomIdx(0)],
//!             prior: Prior::Common,
//!             description: None,
//!             evidence: vec![Evidence {
//!                 strength: Strength::Strong,
//!                 condition: Condition::Compare { fact: FactIdx(1), op: CmpOp::Eq, value: Value::Bool(true) },
//!                 because: Some("your client is domain-joined".into()),
//!                 loc: at.clone(),
//!             }, Evidence {
//!                 strength: Strength::AgainstStrong,
//!                 condition: Condition::Compare { fact: FactIdx(1), op: CmpOp::Eq, value: Value::Bool(false) },
//!                 because: None,
//!                 loc: at.clone(),
//!             }],
//!             sources: vec![],
//!             loc: at.clone(),
//!         },
//!         Cause {
//!             id: "network".into(),
//!             title: "an unstable network".into(),
//!             produces: vec![SymptomIdx(0)],
//!             prior: Prior::VeryCommon,
//!             description: None,
//!             evidence: vec![],
//!             sources: vec![],
//!             loc: at.clone(),
//!         },
//!     ],
//!     ..KnowledgeBase::default()
//! };
//!
//! // Compile, write the artifact's bytes, load them back.
//! let bytes = Artifact::build(kb)?.to_bytes();
//! let matcher = Matcher::from_bytes(&bytes)?;
//!
//! // Few facts: the most common cause first, and a question to ask.
//! let mut obs = matcher.observation();
//! obs.set("error_code", "0x904")?;
//! let d = matcher.diagnose(&obs);
//! assert_eq!(d.causes[0].id, "network");
//! assert_eq!(d.next_question.as_ref().map(|q| q.fact.as_str()), Some("domain_joined"));
//!
//! // More facts: the evidence moves the ranking, and says why.
//! obs.set("domain_joined", "yes")?;
//! let d = matcher.diagnose(&obs);
//! assert_eq!(d.causes[0].id, "credssp_mismatch");
//! assert_eq!(d.causes[0].score, 5);
//! assert_eq!(
//!     d.causes[0].evidence[0].text,
//!     "Your client is domain-joined, which makes a CredSSP mismatch more likely"
//! );
//!
//! // Typos get a clear error.
//! let err = obs.set("domain_joind", "yes").unwrap_err();
//! assert_eq!(err.to_string(), "unknown fact `domain_joind`; did you mean `domain_joined`?");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod model;

mod artifact;
mod diagnosis;
mod examples;
mod exec;
mod explain;
pub mod fuzzy;
mod lower;
mod matcher;
mod math;
mod observation;
mod prose;
mod reference;
mod scan;
mod validate;
pub mod words;

#[cfg(test)]
mod semantics_tests;
#[cfg(test)]
mod testkit;

pub use artifact::{Artifact, BuildError, LoadError, FORMAT_VERSION, MAGIC};
pub use diagnosis::{
    Diagnosis, EvidenceReport, FixReport, Question, RankedCause, RuledOutCause, SymptomReport,
    SymptomStatus,
};
pub use examples::{run_example, run_examples, Coverage, ExampleReport, ExpectationResult};
pub use explain::{Explanation, Kind, SourceRef};
pub use lower::MAX_CONDITION_DEPTH;
pub use matcher::Matcher;
pub use observation::{
    LogSummary, Observation, ObservationError, MAX_KEPT_BYTES, MAX_KEPT_SEGMENTS, MAX_LINE_BYTES,
};
pub use reference::Reference;

impl Matcher {
    /// What an id names (symptom, cause, fix, fact or source, looked up in
    /// that order): title, description, relations and sources.
    pub fn explain(&self, id: &str) -> Option<Explanation> {
        explain::explain(self.kb(), id)
    }
}
