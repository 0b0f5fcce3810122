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
//! | 24.. | payload: postcard of `{ model, tables }` |
//!
//! The stored model leaves out its conditions; they
//! travel as flat programs in the tables (so decoding never recurses deeply)
//! and are restored at load. The aho-corasick automaton and the regex are
//! rebuilt at load from the stored literal and pattern lists.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::lower::{self, Tables};
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
pub const FORMAT_VERSION: u32 = 1;

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

#[derive(Serialize, Deserialize)]
struct Payload {
    kb: StoredKb,
    tables: Tables,
}

/// A compiled knowledge base: the checked model, its lowered tables and the
/// text scanners built from them. Give it to [`Matcher::new`](crate::Matcher::new).
#[derive(Debug, Clone)]
pub struct Artifact {
    pub(crate) kb: KnowledgeBase,
    pub(crate) tables: Tables,
    pub(crate) scanners: Scanners,
}

impl Artifact {
    /// Lowers a checked knowledge base: validates it, builds the indexes and
    /// compiles the text scanners within their size limits.
    pub fn build(kb: KnowledgeBase) -> Result<Artifact, BuildError> {
        validate::validate(&kb).map_err(|reason| BuildError::Invalid { reason })?;
        let tables = lower::lower(&kb)?;
        let scanners = Scanners::build(&tables.literals, &tables.patterns)?;
        Ok(Artifact {
            kb,
            tables,
            scanners,
        })
    }

    /// The knowledge base inside.
    pub fn kb(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// The artifact's bytes: header and postcard payload (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload = postcard::to_allocvec(&Payload {
            kb: StoredKb::from_kb(&self.kb),
            tables: self.tables.clone(),
        })
        // Serializing plain data into a vector cannot fail; an empty payload
        // would be rejected at load rather than panic here.
        .unwrap_or_default();
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
        let (payload, tail): (Payload, &[u8]) =
            postcard::take_from_bytes(rest).map_err(|e| LoadError::Damaged {
                reason: e.to_string(),
            })?;
        if !tail.is_empty() {
            return Err(LoadError::Damaged {
                reason: "unexpected bytes after the payload".into(),
            });
        }
        Self::from_parts(payload.kb.into_kb(), payload.tables)
    }

    fn from_parts(mut kb: KnowledgeBase, tables: Tables) -> Result<Artifact, LoadError> {
        let invalid = |reason: String| LoadError::Invalid { reason };
        tables.validate_and_restore(&mut kb).map_err(invalid)?;
        validate::validate(&kb).map_err(invalid)?;
        let scanners = Scanners::checked(&tables.literals, &tables.patterns)
            .map_err(|e| invalid(e.to_string()))?;
        Ok(Artifact {
            kb,
            tables,
            scanners,
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
            "kb": &self.kb,
            "tables": &self.tables,
        })
    }
}
