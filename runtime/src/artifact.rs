//! The compiled artifact: the contract between compiler and runtime.
//!
//! `KnowledgeBase → Artifact` ([`Artifact::build`], the lowering), and
//! `Artifact ↔ bytes` ([`Artifact::to_bytes`], [`Artifact::from_bytes`]).
//!
//! Format (all integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `b"\0kbc-art"` |
//! | 8..12 | format version, `u32` ([`FORMAT_VERSION`]) |
//! | 12..16 | CRC-32 (IEEE) of the payload, `u32` |
//! | 16..24 | payload length in bytes, `u64` |
//! | 24.. | payload: core length `u64`, then the core and the prose |
//!
//! The **core** (postcard) is what ranking and choosing questions read: the
//! facts, each cause's prior, id order and evidence strengths, and the
//! lowered tables. The **prose** (postcard) is everything else — titles,
//! descriptions, steps, sources, guides, examples, the plain-words text of
//! each evidence. Loading decodes and checks the core only, so a matcher is
//! ready in a few milliseconds; the prose is decoded and checked the first
//! time the model is read (a diagnosis, `kb()`), once.
//!
//! The stored model leaves out its conditions; they travel as flat
//! programs in the tables (so decoding never recurses deeply) and are
//! restored when the prose is decoded. The aho-corasick automaton and the
//! regexes are built on first use from the stored literal and pattern
//! lists.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::exec::Exec;
use crate::lower::{self, Node, Tables};
use crate::model::{
    Cause, CauseIdx, Condition, Evidence, Example, Fact, Fix, Guide, KnowledgeBase, Level,
    Location, Meta, Prior, RegistryData, Rights, Shell, Source, SourceIdx, Step, Strength, Symptom,
    SymptomIdx,
};
use crate::scan::Scanners;
use crate::validate;

/// The first eight bytes of every artifact.
pub const MAGIC: [u8; 8] = *b"\0kbc-art";

/// The artifact format version this runtime reads and writes.
///
/// How to bump it: any change to the payload's shape (a field of the model
/// or of the tables added, removed, reordered or retyped, a variant added)
/// or to its meaning changes the bytes of `runtime/tests/golden.kbca`, and
/// the golden test fails. Then increase this number by one, run
/// `KBC_BLESS=1 cargo test -p kbc-runtime --test golden` to rewrite the
/// golden file, and commit both together.
pub const FORMAT_VERSION: u32 = 2;

const HEADER_LEN: usize = 24;

/// Why a knowledge base could not be compiled into an artifact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The model breaks an invariant of a checked model.
    #[error("the knowledge base is not valid: {reason}")]
    Invalid {
        /// What is wrong.
        reason: String,
    },
    /// A condition is nested deeper than the limit.
    #[error(
        "a condition of {at} is nested more than {} deep",
        lower::MAX_CONDITION_DEPTH
    )]
    TooDeep {
        /// Which declaration.
        at: String,
    },
    /// Too many items of one kind for 32-bit indexes.
    #[error("too many {what} for one artifact")]
    TooLarge {
        /// What overflowed.
        what: String,
    },
    /// The `contains` literals could not be compiled within the size limits.
    #[error("the text literals cannot be compiled: {message}")]
    Literals {
        /// The automaton builder's message.
        message: String,
    },
    /// The `matches` patterns could not be compiled within the size limits.
    #[error("the text patterns cannot be compiled: {message}")]
    Patterns {
        /// The index of the offending pattern, when known.
        pattern: Option<usize>,
        /// The regex builder's message.
        message: String,
    },
}

/// Why bytes could not be loaded as an artifact.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The bytes do not start with the artifact magic.
    #[error("not a kbc artifact (the file does not start with the artifact signature)")]
    NotAnArtifact,
    /// The artifact was written in another format version.
    #[error("artifact format version {actual} is not supported; this runtime reads version {expected} (rebuild the knowledge base with a matching `kbc build`)")]
    InvalidVersion {
        /// The version this runtime reads.
        expected: u32,
        /// The version found in the artifact.
        actual: u32,
    },
    /// The artifact is shorter than its header says.
    #[error("the artifact is truncated: expected {expected} bytes, found {actual}")]
    Truncated {
        /// The length the header announces.
        expected: u64,
        /// The length available.
        actual: u64,
    },
    /// The payload's checksum does not match.
    #[error("the artifact is damaged: checksum {actual:#010x} does not match {expected:#010x}")]
    ChecksumMismatch {
        /// The checksum in the header.
        expected: u32,
        /// The checksum of the payload.
        actual: u32,
    },
    /// The payload cannot be decoded.
    #[error("the artifact is damaged: {reason}")]
    Damaged {
        /// What could not be decoded.
        reason: String,
    },
    /// The payload decodes but its model or tables are inconsistent.
    #[error("the artifact holds an invalid knowledge base: {reason}")]
    Invalid {
        /// What is wrong.
        reason: String,
    },
    /// The file could not be read.
    #[error("cannot read artifact `{path}`: {source}")]
    Io {
        /// The path given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// The stored model: the [`KnowledgeBase`] without its conditions, which
/// travel as flat programs in the tables. No type here is recursive, so
/// hostile bytes cannot make decoding recurse deeply.
#[derive(Serialize, Deserialize)]
struct StoredKb {
    meta: Meta,
    facts: Vec<Fact>,
    symptoms: Vec<StoredSymptom>,
    causes: Vec<StoredCause>,
    fixes: Vec<StoredFix>,
    sources: Vec<Source>,
    guides: Vec<Guide>,
    examples: Vec<Example>,
}

/// A [`Fix`] whose steps are stored externally tagged: the model's JSON
/// form of [`Step`] is internally tagged, which postcard cannot read.
#[derive(Serialize, Deserialize)]
struct StoredFix {
    id: String,
    title: String,
    resolves: Vec<CauseIdx>,
    effort: Level,
    risk: Level,
    rights: Rights,
    description: Option<String>,
    steps: Vec<StoredStep>,
    sources: Vec<SourceIdx>,
    loc: Location,
}

#[derive(Serialize, Deserialize)]
enum StoredStep {
    Prose(String),
    Command(Shell, String),
    Registry(String, String, StoredRegistryData),
    Policy(Vec<String>, Option<String>, Option<String>),
    Ui(Vec<String>),
    Reboot(Option<String>),
    Warning(String),
    Link(String, String),
}

#[derive(Serialize, Deserialize)]
enum StoredRegistryData {
    Dword(u32),
    Qword(u64),
    Sz(String),
    ExpandSz(String),
    MultiSz(Vec<String>),
}

impl StoredFix {
    fn from_fix(f: &Fix) -> StoredFix {
        let steps = f
            .steps
            .iter()
            .map(|s| match s.clone() {
                Step::Prose { text } => StoredStep::Prose(text),
                Step::Command { shell, code } => StoredStep::Command(shell, code),
                Step::Registry { path, name, data } => StoredStep::Registry(
                    path,
                    name,
                    match data {
                        RegistryData::Dword(v) => StoredRegistryData::Dword(v),
                        RegistryData::Qword(v) => StoredRegistryData::Qword(v),
                        RegistryData::Sz(v) => StoredRegistryData::Sz(v),
                        RegistryData::ExpandSz(v) => StoredRegistryData::ExpandSz(v),
                        RegistryData::MultiSz(v) => StoredRegistryData::MultiSz(v),
                    },
                ),
                Step::Policy {
                    path,
                    setting,
                    value,
                } => StoredStep::Policy(path, setting, value),
                Step::Ui { path } => StoredStep::Ui(path),
                Step::Reboot { what } => StoredStep::Reboot(what),
                Step::Warning { text } => StoredStep::Warning(text),
                Step::Link { url, title } => StoredStep::Link(url, title),
            })
            .collect();
        StoredFix {
            id: f.id.clone(),
            title: f.title.clone(),
            resolves: f.resolves.clone(),
            effort: f.effort,
            risk: f.risk,
            rights: f.rights,
            description: f.description.clone(),
            steps,
            sources: f.sources.clone(),
            loc: f.loc.clone(),
        }
    }

    fn into_fix(self) -> Fix {
        let steps = self
            .steps
            .into_iter()
            .map(|s| match s {
                StoredStep::Prose(text) => Step::Prose { text },
                StoredStep::Command(shell, code) => Step::Command { shell, code },
                StoredStep::Registry(path, name, data) => Step::Registry {
                    path,
                    name,
                    data: match data {
                        StoredRegistryData::Dword(v) => RegistryData::Dword(v),
                        StoredRegistryData::Qword(v) => RegistryData::Qword(v),
                        StoredRegistryData::Sz(v) => RegistryData::Sz(v),
                        StoredRegistryData::ExpandSz(v) => RegistryData::ExpandSz(v),
                        StoredRegistryData::MultiSz(v) => RegistryData::MultiSz(v),
                    },
                },
                StoredStep::Policy(path, setting, value) => Step::Policy {
                    path,
                    setting,
                    value,
                },
                StoredStep::Ui(path) => Step::Ui { path },
                StoredStep::Reboot(what) => Step::Reboot { what },
                StoredStep::Warning(text) => Step::Warning { text },
                StoredStep::Link(url, title) => Step::Link { url, title },
            })
            .collect();
        Fix {
            id: self.id,
            title: self.title,
            resolves: self.resolves,
            effort: self.effort,
            risk: self.risk,
            rights: self.rights,
            description: self.description,
            steps,
            sources: self.sources,
            loc: self.loc,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct StoredSymptom {
    id: String,
    title: String,
    description: Option<String>,
    loc: Location,
}

#[derive(Serialize, Deserialize)]
struct StoredCause {
    id: String,
    title: String,
    produces: Vec<SymptomIdx>,
    prior: Prior,
    description: Option<String>,
    evidence: Vec<StoredEvidence>,
    sources: Vec<SourceIdx>,
    loc: Location,
}

#[derive(Serialize, Deserialize)]
struct StoredEvidence {
    strength: Strength,
    because: Option<String>,
    loc: Location,
}

impl StoredKb {
    fn from_kb(kb: &KnowledgeBase) -> StoredKb {
        StoredKb {
            meta: kb.meta.clone(),
            facts: kb.facts.clone(),
            symptoms: kb
                .symptoms
                .iter()
                .map(|s| StoredSymptom {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    description: s.description.clone(),
                    loc: s.loc.clone(),
                })
                .collect(),
            causes: kb
                .causes
                .iter()
                .map(|c| StoredCause {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    produces: c.produces.clone(),
                    prior: c.prior,
                    description: c.description.clone(),
                    evidence: c
                        .evidence
                        .iter()
                        .map(|e| StoredEvidence {
                            strength: e.strength,
                            because: e.because.clone(),
                            loc: e.loc.clone(),
                        })
                        .collect(),
                    sources: c.sources.clone(),
                    loc: c.loc.clone(),
                })
                .collect(),
            fixes: kb.fixes.iter().map(StoredFix::from_fix).collect(),
            sources: kb.sources.clone(),
            guides: kb.guides.clone(),
            examples: kb.examples.clone(),
        }
    }

    /// The model with every condition `true`, to be restored from the programs.
    fn into_kb(self) -> KnowledgeBase {
        KnowledgeBase {
            meta: self.meta,
            facts: self.facts,
            symptoms: self
                .symptoms
                .into_iter()
                .map(|s| Symptom {
                    id: s.id,
                    title: s.title,
                    condition: Condition::True,
                    description: s.description,
                    loc: s.loc,
                })
                .collect(),
            causes: self
                .causes
                .into_iter()
                .map(|c| Cause {
                    id: c.id,
                    title: c.title,
                    produces: c.produces,
                    prior: c.prior,
                    description: c.description,
                    evidence: c
                        .evidence
                        .into_iter()
                        .map(|e| Evidence {
                            strength: e.strength,
                            condition: Condition::True,
                            because: e.because,
                            loc: e.loc,
                        })
                        .collect(),
                    sources: c.sources,
                    loc: c.loc,
                })
                .collect(),
            fixes: self.fixes.into_iter().map(StoredFix::into_fix).collect(),
            sources: self.sources,
            guides: self.guides,
            examples: self.examples,
        }
    }
}

/// What ranking and choosing questions read, decoded at load.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Core {
    pub facts: Vec<Fact>,
    pub symptoms: u32,
    pub fixes: u32,
    /// Per cause: its prior, and the position of its id in byte order.
    pub cause_prior: Vec<Prior>,
    pub cause_id_rank: Vec<u32>,
    /// Per evidence, numbered cause by cause: its strength.
    pub evidence_strength: Vec<Strength>,
    /// The tables, without the condition programs (the matcher's form of
    /// them follows the core; the stored form is in the prose) and without
    /// the evidence text (in the prose).
    pub tables: Tables,
}

/// The core as written: with the matcher's `in` pool and `string`
/// constants (its operations follow as bytes).
#[derive(Serialize)]
struct CoreOut<'a> {
    core: &'a Core,
    pool: &'a [i64],
    strings: &'a [String],
}

/// The core as read.
#[derive(Deserialize)]
struct CoreIn {
    core: Core,
    pool: Vec<i64>,
    strings: Vec<String>,
}

impl Core {
    fn of(kb: &KnowledgeBase, tables: &Tables) -> Core {
        let mut by_id: Vec<usize> = (0..kb.causes.len()).collect();
        by_id.sort_by(|&a, &b| {
            let id = |c: usize| kb.causes.get(c).map_or("", |c| c.id.as_str());
            id(a).cmp(id(b))
        });
        let mut cause_id_rank = vec![0u32; kb.causes.len()];
        for (rank, &c) in by_id.iter().enumerate() {
            if let Some(r) = cause_id_rank.get_mut(c) {
                *r = rank as u32;
            }
        }
        Core {
            facts: kb.facts.clone(),
            symptoms: kb.symptoms.len() as u32,
            fixes: kb.fixes.len() as u32,
            cause_prior: kb.causes.iter().map(|c| c.prior).collect(),
            cause_id_rank,
            evidence_strength: kb
                .causes
                .iter()
                .flat_map(|c| c.evidence.iter().map(|e| e.strength))
                .collect(),
            tables: Tables {
                nodes: Vec::new(),
                evidence_text: Vec::new(),
                ..tables.clone()
            },
        }
    }

    /// Checks the tables against the counts and every index in range.
    fn validate(&self) -> Result<(), String> {
        let nc = self.cause_prior.len();
        let mut ranks = self.cause_id_rank.clone();
        ranks.sort_unstable();
        if self.cause_id_rank.len() != nc || ranks.iter().enumerate().any(|(i, &r)| r as usize != i)
        {
            return Err("the cause order does not match the causes".into());
        }
        self.tables.validate(
            &self.facts,
            self.symptoms as usize,
            nc,
            self.fixes as usize,
            self.evidence_strength.len(),
        )
    }
}

/// Everything the core leaves out, decoded on first use.
#[derive(Serialize, Deserialize)]
struct Prose {
    kb: StoredKb,
    evidence_text: Vec<String>,
    nodes: Vec<Node>,
}

/// The model, the evidence text and the stored programs, once decoded.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub kb: KnowledgeBase,
    pub evidence_text: Vec<String>,
    nodes: Vec<Node>,
}

/// A compiled knowledge base: the checked model, its lowered tables and the
/// text scanners built from them. Give it to [`Matcher::new`](crate::Matcher::new).
#[derive(Debug, Clone)]
pub struct Artifact {
    pub(crate) core: Core,
    pub(crate) exec: Exec,
    pub(crate) scanners: Scanners,
    /// The encoded prose of a loaded artifact (empty for a built one).
    prose: Vec<u8>,
    model: std::sync::OnceLock<Model>,
}

impl Artifact {
    /// Lowers a checked knowledge base: validates it, builds the indexes and
    /// compiles the text scanners within their size limits.
    pub fn build(kb: KnowledgeBase) -> Result<Artifact, BuildError> {
        validate::validate(&kb).map_err(|reason| BuildError::Invalid { reason })?;
        let mut tables = lower::lower(&kb)?;
        let scanners = Scanners::build(&tables.literals, &tables.patterns)?;
        let evidence_text = std::mem::take(&mut tables.evidence_text);
        let nodes = std::mem::take(&mut tables.nodes);
        let core = Core::of(&kb, &tables);
        Ok(Artifact {
            exec: Exec::build(&core, &nodes),
            core,
            scanners,
            prose: Vec::new(),
            model: std::sync::OnceLock::from(Model {
                kb,
                evidence_text,
                nodes,
            }),
        })
    }

    /// The knowledge base inside (decoded on first use for a loaded
    /// artifact).
    pub fn kb(&self) -> &KnowledgeBase {
        &self.model().kb
    }

    /// The model, decoding the prose the first time. Prose that does not
    /// decode or does not match the core (only possible for bytes not
    /// written by `to_bytes`) gives a model with the facts and nothing
    /// else, so nothing is diagnosed rather than anything panicking.
    pub(crate) fn model(&self) -> &Model {
        self.model.get_or_init(|| {
            self.decode_prose().unwrap_or_else(|_| Model {
                kb: KnowledgeBase {
                    facts: self.core.facts.clone(),
                    ..KnowledgeBase::default()
                },
                evidence_text: Vec::new(),
                nodes: Vec::new(),
            })
        })
    }

    fn decode_prose(&self) -> Result<Model, String> {
        let prose: Prose = postcard::from_bytes(&self.prose).map_err(|e| e.to_string())?;
        let mut kb = prose.kb.into_kb();
        let c = &self.core;
        let strengths = kb
            .causes
            .iter()
            .flat_map(|c| c.evidence.iter().map(|e| e.strength));
        if kb.facts != c.facts
            || kb.symptoms.len() != c.symptoms as usize
            || kb.fixes.len() != c.fixes as usize
            || !kb
                .causes
                .iter()
                .map(|c| c.prior)
                .eq(c.cause_prior.iter().copied())
            || !strengths.eq(c.evidence_strength.iter().copied())
            || prose.evidence_text.len() != c.evidence_strength.len()
            || !c.tables.matches_evidence_counts(&kb)
        {
            return Err("the prose does not match the core".into());
        }
        c.tables.check_programs(&prose.nodes)?;
        c.tables.restore(&prose.nodes, &mut kb);
        validate::validate(&kb)?;
        Ok(Model {
            kb,
            evidence_text: prose.evidence_text,
            nodes: prose.nodes,
        })
    }

    /// The artifact's bytes: header and payload (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let model = self.model();
        // Serializing plain data into a vector cannot fail; an empty part
        // would be rejected at load rather than panic here.
        let (ops, pool, strings) = self.exec.stored();
        let core = postcard::to_allocvec(&CoreOut {
            core: &self.core,
            pool,
            strings,
        })
        .unwrap_or_default();
        let prose = postcard::to_allocvec(&Prose {
            kb: StoredKb::from_kb(&model.kb),
            evidence_text: model.evidence_text.clone(),
            nodes: model.nodes.clone(),
        })
        .unwrap_or_default();
        let mut payload = Vec::with_capacity(16 + core.len() + ops.len() + prose.len());
        for part in [&core, &ops] {
            payload.extend_from_slice(&(part.len() as u64).to_le_bytes());
            payload.extend_from_slice(part);
        }
        payload.extend_from_slice(&prose);
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Reads an artifact from bytes, checking magic, version, length,
    /// checksum, and every index of the model and tables.
    pub fn from_bytes(bytes: &[u8]) -> Result<Artifact, LoadError> {
        let word = |at: usize| -> Option<[u8; 4]> { bytes.get(at..at + 4)?.try_into().ok() };
        if bytes.get(..8) != Some(&MAGIC[..]) {
            return Err(LoadError::NotAnArtifact);
        }
        let version = word(8)
            .map(u32::from_le_bytes)
            .ok_or(LoadError::Truncated {
                expected: HEADER_LEN as u64,
                actual: bytes.len() as u64,
            })?;
        if version != FORMAT_VERSION {
            return Err(LoadError::InvalidVersion {
                expected: FORMAT_VERSION,
                actual: version,
            });
        }
        let header = (|| {
            let sum = u32::from_le_bytes(word(12)?);
            let len: [u8; 8] = bytes.get(16..24)?.try_into().ok()?;
            Some((sum, u64::from_le_bytes(len)))
        })();
        let Some((sum, len)) = header else {
            return Err(LoadError::Truncated {
                expected: HEADER_LEN as u64,
                actual: bytes.len() as u64,
            });
        };
        let rest = bytes.get(HEADER_LEN..).unwrap_or(&[]);
        if (rest.len() as u64) < len {
            return Err(LoadError::Truncated {
                expected: (HEADER_LEN as u64).saturating_add(len),
                actual: bytes.len() as u64,
            });
        }
        if (rest.len() as u64) > len {
            return Err(LoadError::Damaged {
                reason: format!(
                    "{} unexpected bytes after the payload",
                    rest.len() as u64 - len
                ),
            });
        }
        let actual = crc32fast::hash(rest);
        if actual != sum {
            return Err(LoadError::ChecksumMismatch {
                expected: sum,
                actual,
            });
        }
        let damaged = |reason: &str| LoadError::Damaged {
            reason: reason.into(),
        };
        // Two parts framed by their length, then the prose.
        let mut at = 0usize;
        let mut part = |what: &str| -> Result<&[u8], LoadError> {
            let len = rest
                .get(at..at + 8)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_le_bytes)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| damaged(&format!("the {what} length is missing")))?;
            let bytes = rest
                .get(at + 8..)
                .and_then(|r| r.get(..len))
                .ok_or_else(|| damaged(&format!("the {what} is longer than the payload")))?;
            at += 8 + len;
            Ok(bytes)
        };
        let core_bytes = part("core")?;
        let ops = part("condition programs")?;
        let prose = rest.get(at..).unwrap_or(&[]);
        let (core_in, tail): (CoreIn, &[u8]) =
            postcard::take_from_bytes(core_bytes).map_err(|e| LoadError::Damaged {
                reason: e.to_string(),
            })?;
        if !tail.is_empty() {
            return Err(damaged("unexpected bytes after the core"));
        }
        let CoreIn {
            core,
            pool,
            strings,
        } = core_in;
        let invalid = |reason: String| LoadError::Invalid { reason };
        core.validate().map_err(invalid)?;
        let exec = Exec::load(&core, ops, pool, strings).map_err(invalid)?;
        let scanners = Scanners::lazy(&core.tables.literals, &core.tables.patterns);
        Ok(Artifact {
            core,
            exec,
            scanners,
            prose: prose.to_vec(),
            model: std::sync::OnceLock::new(),
        })
    }

    /// Reads an artifact file.
    pub fn load(path: impl AsRef<Path>) -> Result<Artifact, LoadError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    /// The artifact as JSON for other languages:
    /// `{"format_version", "kb", "tables"}`, with the full model (conditions
    /// as trees) and the lowered tables.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "format_version": FORMAT_VERSION,
            "kb": self.kb(),
            "tables": Tables {
                nodes: self.model().nodes.clone(),
                evidence_text: self.model().evidence_text.clone(),
                ..self.core.tables.clone()
            },
        })
    }
}
