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
//! | 24.. | payload, below |
//!
//! The payload has three parts, each of the first two framed by its
//! length (`u64`):
//!
//! - the **core** (postcard): what ranking and choosing questions read —
//!   the facts, each cause's prior, id order and evidence strengths, the
//!   lowered tables, the file names of locations;
//! - the matcher's **condition operations**, as raw records
//!   ([`crate::exec`]);
//! - the **prose** ([`crate::prose`]): a table of record offsets, then one
//!   record per symptom, cause and fix, then the rest of the model.
//!
//! Loading decodes and checks the core and the operations, so a matcher is
//! ready in a few milliseconds. The prose stays as bytes: a diagnosis
//! decodes the records it shows, and [`Artifact::kb`] the whole model, each
//! once and checked against the core when it is. The aho-corasick
//! automaton and the regexes are built on first use from the stored
//! literal and pattern lists.

use std::borrow::Cow;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::diagnosis::{fact_ids, Named, Shown, ShownCause, ShownEvidence, ShownFix};
use crate::exec::Exec;
use crate::lower::{self, Tables};
use crate::model::{Fact, KnowledgeBase, Prior, Strength};
use crate::prose::{self, Prose};
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
pub const FORMAT_VERSION: u32 = 3;

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
    /// them follows the core; the stored form is in the prose records) and
    /// without the evidence text (in the records).
    pub tables: Tables,
    /// The file names of the records' locations.
    pub files: Vec<String>,
    /// The number of sources.
    pub sources: u32,
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
            files: prose::files_of(kb),
            sources: kb.sources.len() as u32,
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

/// A compiled knowledge base: the checked model, its lowered tables and the
/// text scanners built from them. Give it to [`Matcher::new`](crate::Matcher::new).
#[derive(Debug, Clone)]
pub struct Artifact {
    pub(crate) core: Core,
    pub(crate) exec: Exec,
    pub(crate) scanners: Scanners,
    /// The prose records of a loaded artifact; a built one reads its model.
    pub(crate) prose: Option<Prose>,
    pub(crate) model: OnceLock<KnowledgeBase>,
}

/// A loaded artifact shows the heads of the records it decodes, with the
/// core's priors and strengths; a built one shows its model.
impl<'a> Shown<'a> for &'a Artifact {
    fn symptom(&self, s: u32) -> Option<Named<'a>> {
        let Some(p) = &self.prose else {
            return self.kb().symptom(s);
        };
        p.symptom(s).map(|s| Named {
            id: &s.id,
            title: &s.title,
        })
    }

    fn cause(&self, c: u32) -> Option<ShownCause<'a>> {
        let Some(p) = &self.prose else {
            return self.kb().cause(c);
        };
        let cause = p.cause(c, &self.core)?;
        Some(ShownCause {
            id: &cause.id,
            title: &cause.title,
            prior: *self.core.cause_prior.get(c as usize)?,
        })
    }

    fn evidence(&self, c: u32, k: usize) -> Option<ShownEvidence<'a>> {
        let Some(p) = &self.prose else {
            return self.kb().evidence(c, k);
        };
        let first = *self.core.tables.cause_evidence.get(c as usize)? as usize;
        let e = p.cause(c, &self.core)?.evidence.get(k)?;
        Some(ShownEvidence {
            strength: *self.core.evidence_strength.get(first + k)?,
            text: Cow::Borrowed(&e.text),
            location: &e.loc,
            facts: fact_ids(&self.core.facts, e.facts.iter().copied()),
        })
    }

    fn fix(&self, f: u32) -> Option<ShownFix<'a>> {
        let Some(p) = &self.prose else {
            return self.kb().fix(f);
        };
        p.fix(f).map(|x| ShownFix {
            id: &x.id,
            title: &x.title,
            effort: x.effort,
            risk: x.risk,
            rights: x.rights,
            steps: &x.steps,
        })
    }
}

/// The parts of an artifact that [`Artifact::from_bytes`] checks, and
/// where in the bytes its prose starts.
struct Parsed {
    core: Core,
    exec: Exec,
    prose_at: usize,
}

impl Artifact {
    /// Lowers a checked knowledge base: validates it, builds the indexes and
    /// compiles the text scanners within their size limits.
    pub fn build(kb: KnowledgeBase) -> Result<Artifact, BuildError> {
        validate::validate(&kb).map_err(|reason| BuildError::Invalid { reason })?;
        let mut tables = lower::lower(&kb)?;
        let scanners = Scanners::build(&tables.literals, &tables.patterns)?;
        let nodes = std::mem::take(&mut tables.nodes);
        let core = Core::of(&kb, &tables);
        Ok(Artifact {
            exec: Exec::build(&core, &nodes),
            core,
            scanners,
            prose: None,
            model: OnceLock::from(kb),
        })
    }

    /// The knowledge base inside (for a loaded artifact, decoded the first
    /// time this is called). Prose that does not decode or does not match
    /// the core (only possible for bytes not written by `to_bytes`) gives a
    /// model with the facts and nothing else, rather than anything
    /// panicking.
    pub fn kb(&self) -> &KnowledgeBase {
        self.model.get_or_init(|| {
            let decoded = self.prose.as_ref().map(|p| {
                let kb = p.model(&self.core)?;
                validate::validate(&kb)?;
                Ok::<_, String>(kb)
            });
            decoded
                .and_then(Result::ok)
                .unwrap_or_else(|| KnowledgeBase {
                    facts: self.core.facts.clone(),
                    ..KnowledgeBase::default()
                })
        })
    }

    /// The artifact's bytes: header and payload (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing plain data into a vector cannot fail; an empty part
        // would be rejected at load rather than panic here.
        let (ops, pool, strings) = self.exec.stored();
        let core = postcard::to_allocvec(&CoreOut {
            core: &self.core,
            pool,
            strings,
        })
        .unwrap_or_default();
        let mut payload = Vec::with_capacity(16 + core.len() + ops.len());
        for part in [&core, &ops] {
            payload.extend_from_slice(&(part.len() as u64).to_le_bytes());
            payload.extend_from_slice(part);
        }
        // A loaded artifact writes the prose it was read from; a built one
        // encodes its model, with the lowering's stored programs.
        match &self.prose {
            Some(p) => p.write_to(&mut payload),
            None => {
                let kb = self.kb();
                let tables = lower::lower(kb).unwrap_or_default();
                prose::write(kb, &tables, &self.core.files, &mut payload);
            }
        }
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Reads an artifact from bytes, checking magic, version, length,
    /// checksum, the core, every condition operation and the record
    /// offsets. Only the prose is copied out of `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Artifact, LoadError> {
        let parsed = Self::parse(bytes)?;
        let prose = bytes.get(parsed.prose_at..).unwrap_or(&[]).to_vec();
        Self::with_prose(parsed, Cow::Owned(prose), 0)
    }

    /// [`from_bytes`](Self::from_bytes) for bytes that live as long as the
    /// program (embedded with `include_bytes!`): nothing is copied; the
    /// records are decoded from `bytes` as a diagnosis needs them.
    pub fn from_static(bytes: &'static [u8]) -> Result<Artifact, LoadError> {
        let parsed = Self::parse(bytes)?;
        let at = parsed.prose_at;
        Self::with_prose(parsed, Cow::Borrowed(bytes), at)
    }

    /// Reads an artifact file. The file's bytes are kept as read and the
    /// records decoded from them as a diagnosis needs them.
    pub fn load(path: impl AsRef<Path>) -> Result<Artifact, LoadError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let parsed = Self::parse(&bytes)?;
        let at = parsed.prose_at;
        Self::with_prose(parsed, Cow::Owned(bytes), at)
    }

    fn with_prose(p: Parsed, bytes: Cow<'static, [u8]>, at: usize) -> Result<Artifact, LoadError> {
        let prose =
            Prose::read(bytes, at, &p.core).map_err(|reason| LoadError::Damaged { reason })?;
        let scanners = Scanners::lazy(&p.core.tables.literals, &p.core.tables.patterns);
        Ok(Artifact {
            core: p.core,
            exec: p.exec,
            scanners,
            prose: Some(prose),
            model: OnceLock::new(),
        })
    }

    fn parse(bytes: &[u8]) -> Result<Parsed, LoadError> {
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
        Ok(Parsed {
            core,
            exec,
            prose_at: HEADER_LEN + at,
        })
    }

    /// The artifact as JSON for other languages:
    /// `{"format_version", "kb", "tables"}`, with the full model (conditions
    /// as trees) and the lowered tables.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "format_version": FORMAT_VERSION,
            "kb": self.kb(),
            "tables": lower::lower(self.kb()).unwrap_or_else(|_| self.core.tables.clone()),
        })
    }
}
