//! The prose of an artifact: everything a person reads — titles,
//! descriptions, steps, sources, guides, examples, each evidence in plain
//! words — and the conditions in their stored form.
//!
//! Why records: a diagnosis shows a handful of causes and fixes out of
//! thousands. Each symptom, cause and fix is encoded on its own (postcard)
//! behind a table of offsets, and starts with its head — what a diagnosis
//! shows of it — so a loaded matcher decodes only the heads of the records
//! a diagnosis shows, once each, and leaves the rest as bytes. The whole
//! model (for [`Artifact::kb`](crate::Artifact::kb), examples, export) is
//! every record plus the rest: meta, sources, guides and examples.
//!
//! A record leaves out what the core holds (a cause's prior, each
//! evidence's strength), so the two cannot disagree. What it does hold is
//! checked against the core when it is decoded: counts, every index, and
//! its condition programs. A record that fails the check reads as absent.
//!
//! Layout, after the core and the condition operations:
//!
//! | part | content |
//! |---|---|
//! | `u64` length, then offsets | (symptoms + causes + fixes + 1) × `u32`, into the records |
//! | records | each symptom, then each cause, then each fix |
//! | rest | meta, sources, guides, examples |

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::artifact::Core;
use crate::lower::{self, Node, Tables};
use crate::model::{
    Cause, CauseIdx, Evidence, Example, Fix, Guide, KnowledgeBase, Level, Location, Meta,
    RegistryData, Rights, Shell, Source, SourceIdx, Step, Symptom, SymptomIdx,
};

/// A location with its file numbered in [`Core::files`].
#[derive(Serialize, Deserialize)]
struct StoredLoc {
    file: u32,
    line: u32,
    column: u32,
}

// Each record starts with its head: what a diagnosis shows. A diagnosis
// decodes the head alone and leaves the tail (descriptions, sources,
// conditions in full) as bytes; postcard writes a nested struct inline,
// so a head is a prefix of its record.

#[derive(Serialize, Deserialize)]
struct SymptomHead {
    id: String,
    title: String,
}

#[derive(Serialize, Deserialize)]
struct SymptomRecord {
    head: SymptomHead,
    description: Option<String>,
    loc: StoredLoc,
    when: Vec<Node>,
}

#[derive(Serialize, Deserialize)]
struct CauseHead {
    id: String,
    title: String,
    evidence: Vec<EvidenceHead>,
}

#[derive(Serialize, Deserialize)]
struct EvidenceHead {
    /// The evidence in plain words, as a diagnosis shows it.
    text: String,
    loc: StoredLoc,
    condition: Vec<Node>,
}

#[derive(Serialize, Deserialize)]
struct CauseRecord {
    head: CauseHead,
    /// Each evidence's `because`.
    because: Vec<Option<String>>,
    produces: Vec<SymptomIdx>,
    description: Option<String>,
    sources: Vec<SourceIdx>,
    loc: StoredLoc,
}

/// The head of a [`Fix`]; steps are stored externally tagged: the model's
/// JSON form of [`Step`] is internally tagged, which postcard cannot read.
#[derive(Serialize, Deserialize)]
struct FixHead {
    id: String,
    title: String,
    effort: Level,
    risk: Level,
    rights: Rights,
    steps: Vec<StoredStep>,
}

#[derive(Serialize, Deserialize)]
struct FixRecord {
    head: FixHead,
    resolves: Vec<CauseIdx>,
    description: Option<String>,
    sources: Vec<SourceIdx>,
    loc: StoredLoc,
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

impl StoredStep {
    fn of(step: &Step) -> StoredStep {
        match step.clone() {
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
        }
    }

    fn into_step(self) -> Step {
        match self {
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
        }
    }
}

/// Everything besides symptoms, causes and fixes, read only with the whole
/// model.
#[derive(Serialize, Deserialize)]
struct Rest {
    meta: Meta,
    sources: Vec<Source>,
    guides: Vec<Guide>,
    examples: Vec<Example>,
}

/// A symptom as a diagnosis shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SymptomShown {
    pub id: String,
    pub title: String,
}

/// A cause as a diagnosis shows it (its prior and strengths are the core's).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CauseShown {
    pub id: String,
    pub title: String,
    pub evidence: Vec<EvidenceShown>,
}

/// One evidence line as a diagnosis shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EvidenceShown {
    pub text: String,
    pub loc: Location,
    /// The facts its condition reads, in the order it reads them first.
    pub facts: Vec<u32>,
}

/// A fix as a diagnosis shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FixShown {
    pub id: String,
    pub title: String,
    pub effort: Level,
    pub risk: Level,
    pub rights: Rights,
    pub steps: Vec<Step>,
}

/// The file names of a model's locations, numbered in order of first use.
pub(crate) fn files_of(kb: &KnowledgeBase) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let locs = kb
        .symptoms
        .iter()
        .map(|s| &s.loc)
        .chain(
            kb.causes
                .iter()
                .flat_map(|c| std::iter::once(&c.loc).chain(c.evidence.iter().map(|e| &e.loc))),
        )
        .chain(kb.fixes.iter().map(|f| &f.loc));
    for loc in locs {
        if seen.insert(loc.file.as_str()) {
            files.push(loc.file.clone());
        }
    }
    files
}

/// Writes the prose of `kb`: the framed offsets, the records, the rest.
/// `tables` are the model's lowered tables, with their programs (`nodes`)
/// and evidence text.
pub(crate) fn write(kb: &KnowledgeBase, tables: &Tables, files: &[String], out: &mut Vec<u8>) {
    let file_no: HashMap<&str, u32> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i as u32))
        .collect();
    let loc = |l: &Location| StoredLoc {
        file: file_no.get(l.file.as_str()).copied().unwrap_or(u32::MAX),
        line: l.line,
        column: l.column,
    };
    let program = |p: Option<&u32>| p.map_or_else(Vec::new, |&p| local_program(&tables.nodes, p));
    let mut records = Vec::new();
    let mut offsets: Vec<u32> = vec![0];
    // Serializing plain data into a vector cannot fail; a record that did
    // would read as absent rather than panic here.
    let mut push = |bytes: Result<Vec<u8>, postcard::Error>| {
        records.extend_from_slice(&bytes.unwrap_or_default());
        offsets.push(records.len() as u32);
    };
    for (s, sym) in kb.symptoms.iter().enumerate() {
        push(postcard::to_allocvec(&SymptomRecord {
            head: SymptomHead {
                id: sym.id.clone(),
                title: sym.title.clone(),
            },
            description: sym.description.clone(),
            loc: loc(&sym.loc),
            when: program(tables.symptom_prog.get(s)),
        }));
    }
    let mut k = 0usize;
    for c in &kb.causes {
        let evidence = c
            .evidence
            .iter()
            .map(|e| {
                let head = EvidenceHead {
                    text: tables.evidence_text.get(k).cloned().unwrap_or_default(),
                    loc: loc(&e.loc),
                    condition: program(tables.evidence_prog.get(k)),
                };
                k += 1;
                head
            })
            .collect();
        push(postcard::to_allocvec(&CauseRecord {
            head: CauseHead {
                id: c.id.clone(),
                title: c.title.clone(),
                evidence,
            },
            because: c.evidence.iter().map(|e| e.because.clone()).collect(),
            produces: c.produces.clone(),
            description: c.description.clone(),
            sources: c.sources.clone(),
            loc: loc(&c.loc),
        }));
    }
    for f in &kb.fixes {
        push(postcard::to_allocvec(&FixRecord {
            head: FixHead {
                id: f.id.clone(),
                title: f.title.clone(),
                effort: f.effort,
                risk: f.risk,
                rights: f.rights,
                steps: f.steps.iter().map(StoredStep::of).collect(),
            },
            resolves: f.resolves.clone(),
            description: f.description.clone(),
            sources: f.sources.clone(),
            loc: loc(&f.loc),
        }));
    }
    let rest = postcard::to_allocvec(&Rest {
        meta: kb.meta.clone(),
        sources: kb.sources.clone(),
        guides: kb.guides.clone(),
        examples: kb.examples.clone(),
    })
    .unwrap_or_default();
    out.extend_from_slice(&((offsets.len() * 4) as u64).to_le_bytes());
    for o in &offsets {
        out.extend_from_slice(&o.to_le_bytes());
    }
    out.extend_from_slice(&records);
    out.extend_from_slice(&rest);
}

/// The program at `p` of `nodes`, on its own: its nodes with child ranges
/// counted from its start.
fn local_program(nodes: &[Node], p: u32) -> Vec<Node> {
    let start = p as usize;
    let end = lower::program_end(nodes, start);
    nodes
        .get(start..end)
        .unwrap_or(&[])
        .iter()
        .map(|n| match n {
            Node::And { end } => Node::And { end: end - p },
            Node::Or { end } => Node::Or { end: end - p },
            other => other.clone(),
        })
        .collect()
}

/// The prose of a loaded artifact: its bytes, and each record once decoded.
#[derive(Debug, Clone)]
pub(crate) struct Prose {
    /// The artifact's bytes (or the prose part of them); the records start
    /// at `start`.
    bytes: Cow<'static, [u8]>,
    start: usize,
    /// Offsets of each record from `start`, then the end of the records.
    offsets: Vec<u32>,
    symptoms: Vec<OnceLock<Option<Box<SymptomShown>>>>,
    causes: Vec<OnceLock<Option<Box<CauseShown>>>>,
    fixes: Vec<OnceLock<Option<Box<FixShown>>>>,
}

impl Prose {
    /// Reads the offsets at `bytes[at..]` (framed by their length) for a
    /// core's counts. `bytes` is kept: the records are decoded from it on
    /// demand.
    pub(crate) fn read(bytes: Cow<'static, [u8]>, at: usize, core: &Core) -> Result<Prose, String> {
        let (ns, nc, nx) = (
            core.symptoms as usize,
            core.cause_prior.len(),
            core.fixes as usize,
        );
        let len = bytes
            .get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
            .ok_or("the record offsets are missing")?;
        let want = (ns + nc + nx + 1) * 4;
        if len != want as u64 {
            return Err("the record offsets do not match the core".into());
        }
        let table = bytes
            .get(at + 8..at + 8 + want)
            .ok_or("the record offsets are cut short")?;
        let offsets: Vec<u32> = table
            .chunks_exact(4)
            .filter_map(|w| w.try_into().ok().map(u32::from_le_bytes))
            .collect();
        let start = at + 8 + want;
        let records = bytes.len() - start;
        if offsets.first() != Some(&0)
            || offsets.windows(2).any(|w| w[0] > w[1])
            || offsets.last().is_none_or(|&e| e as usize > records)
        {
            return Err("the record offsets are out of range".into());
        }
        Ok(Prose {
            bytes,
            start,
            offsets,
            symptoms: (0..ns).map(|_| OnceLock::new()).collect(),
            causes: (0..nc).map(|_| OnceLock::new()).collect(),
            fixes: (0..nx).map(|_| OnceLock::new()).collect(),
        })
    }

    /// Writes the prose as it was read: the framed offsets, the records,
    /// the rest.
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&((self.offsets.len() * 4) as u64).to_le_bytes());
        for o in &self.offsets {
            out.extend_from_slice(&o.to_le_bytes());
        }
        out.extend_from_slice(self.bytes.get(self.start..).unwrap_or(&[]));
    }

    /// The bytes of record `i` (symptoms, then causes, then fixes).
    fn record(&self, i: usize) -> &[u8] {
        let at = |k: usize| self.offsets.get(k).map(|&o| self.start + o as usize);
        match (at(i), at(i + 1)) {
            (Some(a), Some(b)) => self.bytes.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    fn rest(&self) -> &[u8] {
        let end = self.offsets.last().map_or(0, |&e| e as usize);
        self.bytes.get(self.start + end..).unwrap_or(&[])
    }

    /// The head of symptom `s`, decoded on first use; `None` if it does
    /// not decode or does not fit the core.
    pub(crate) fn symptom(&self, s: u32) -> Option<&SymptomShown> {
        let s = s as usize;
        self.symptoms
            .get(s)?
            .get_or_init(|| shown_symptom(self.record(s)).ok().map(Box::new))
            .as_deref()
    }

    /// The head of cause `c`, decoded on first use.
    pub(crate) fn cause(&self, c: u32, core: &Core) -> Option<&CauseShown> {
        let c = c as usize;
        let i = self.symptoms.len() + c;
        self.causes
            .get(c)?
            .get_or_init(|| shown_cause(self.record(i), c, core).ok().map(Box::new))
            .as_deref()
    }

    /// The head of fix `f`, decoded on first use.
    pub(crate) fn fix(&self, f: u32) -> Option<&FixShown> {
        let f = f as usize;
        let i = self.symptoms.len() + self.causes.len() + f;
        self.fixes
            .get(f)?
            .get_or_init(|| shown_fix(self.record(i)).ok().map(Box::new))
            .as_deref()
    }

    /// The whole model. Any record that does not decode or fit the core
    /// fails the whole.
    pub(crate) fn model(&self, core: &Core) -> Result<KnowledgeBase, String> {
        let (rest, tail): (Rest, &[u8]) =
            postcard::take_from_bytes(self.rest()).map_err(|e| e.to_string())?;
        if !tail.is_empty() {
            return Err("unexpected bytes after the prose".into());
        }
        if rest.sources.len() != core.sources as usize {
            return Err("the sources do not match the core".into());
        }
        let ns = self.symptoms.len();
        let nc = self.causes.len();
        let symptoms = (0..ns)
            .map(|s| decode_symptom(self.record(s), core))
            .collect::<Result<Vec<_>, _>>()?;
        let causes = (0..nc)
            .map(|c| decode_cause(self.record(ns + c), c, core))
            .collect::<Result<Vec<_>, _>>()?;
        let fixes = (0..self.fixes.len())
            .map(|f| decode_fix(self.record(ns + nc + f), core))
            .collect::<Result<Vec<_>, _>>()?;
        let kb = KnowledgeBase {
            meta: rest.meta,
            facts: core.facts.clone(),
            symptoms,
            causes,
            fixes,
            sources: rest.sources,
            guides: rest.guides,
            examples: rest.examples,
        };
        Ok(kb)
    }
}

/// Decodes one record, which must fill its bytes exactly.
fn take<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, String> {
    let (value, tail) = postcard::take_from_bytes(bytes).map_err(|e| e.to_string())?;
    if !tail.is_empty() {
        return Err("unexpected bytes after a record".into());
    }
    Ok(value)
}

/// Decodes the head of a record; the tail is left unread.
fn head<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, String> {
    postcard::take_from_bytes(bytes)
        .map(|(value, _)| value)
        .map_err(|e| e.to_string())
}

fn location(l: &StoredLoc, core: &Core) -> Result<Location, String> {
    let file = core
        .files
        .get(l.file as usize)
        .ok_or("a location's file is out of range")?;
    Ok(Location {
        file: file.clone(),
        line: l.line,
        column: l.column,
    })
}

fn sources(ids: Vec<SourceIdx>, core: &Core) -> Result<Vec<SourceIdx>, String> {
    if ids.iter().any(|s| s.0 >= core.sources) {
        return Err("a source is out of range".into());
    }
    Ok(ids)
}

/// The facts a checked program reads, in the order it first reads them.
fn facts_read(nodes: &[Node]) -> Vec<u32> {
    let mut facts = Vec::new();
    for n in nodes {
        let f = match n {
            Node::Cmp { fact, .. }
            | Node::In { fact, .. }
            | Node::Contains { fact, .. }
            | Node::Matches { fact, .. }
            | Node::Known { fact } => *fact,
            Node::True | Node::And { .. } | Node::Or { .. } | Node::Not => continue,
        };
        if !facts.contains(&f) {
            facts.push(f);
        }
    }
    facts
}

fn shown_symptom(bytes: &[u8]) -> Result<SymptomShown, String> {
    let h: SymptomHead = head(bytes)?;
    Ok(SymptomShown {
        id: h.id,
        title: h.title,
    })
}

/// Checks a cause's head against the core: its evidence count, every
/// condition program, every location.
fn check_cause(h: &CauseHead, c: usize, core: &Core) -> Result<(), String> {
    let range = |i: usize| core.tables.cause_evidence.get(i).map(|&k| k as usize);
    match (range(c), range(c + 1)) {
        (Some(first), Some(end)) if end >= first && end - first == h.evidence.len() => {}
        _ => return Err("a cause's evidence does not match the core".into()),
    }
    for e in &h.evidence {
        core.tables.check_program(&e.condition)?;
        location(&e.loc, core)?;
    }
    Ok(())
}

fn shown_cause(bytes: &[u8], c: usize, core: &Core) -> Result<CauseShown, String> {
    let h: CauseHead = head(bytes)?;
    check_cause(&h, c, core)?;
    let evidence = h
        .evidence
        .into_iter()
        .map(|e| {
            Ok(EvidenceShown {
                loc: location(&e.loc, core)?,
                facts: facts_read(&e.condition),
                text: e.text,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(CauseShown {
        id: h.id,
        title: h.title,
        evidence,
    })
}

fn shown_fix(bytes: &[u8]) -> Result<FixShown, String> {
    let h: FixHead = head(bytes)?;
    Ok(FixShown {
        id: h.id,
        title: h.title,
        effort: h.effort,
        risk: h.risk,
        rights: h.rights,
        steps: h.steps.into_iter().map(StoredStep::into_step).collect(),
    })
}

fn decode_symptom(bytes: &[u8], core: &Core) -> Result<Symptom, String> {
    let r: SymptomRecord = take(bytes)?;
    core.tables.check_program(&r.when)?;
    Ok(Symptom {
        condition: lower::decode(&r.when, 0).0,
        id: r.head.id,
        title: r.head.title,
        description: r.description,
        loc: location(&r.loc, core)?,
    })
}

fn decode_cause(bytes: &[u8], c: usize, core: &Core) -> Result<Cause, String> {
    let r: CauseRecord = take(bytes)?;
    check_cause(&r.head, c, core)?;
    let first = core.tables.cause_evidence.get(c).map_or(0, |&k| k as usize);
    let prior = *core.cause_prior.get(c).ok_or("a cause is out of range")?;
    if r.because.len() != r.head.evidence.len() {
        return Err("a cause's evidence does not match the core".into());
    }
    if r.produces.iter().any(|s| s.0 >= core.symptoms) {
        return Err("a cause produces a symptom out of range".into());
    }
    let mut evidence = Vec::with_capacity(r.because.len());
    for (k, (e, because)) in r.head.evidence.into_iter().zip(r.because).enumerate() {
        evidence.push(Evidence {
            strength: *core
                .evidence_strength
                .get(first + k)
                .ok_or("a cause's evidence is out of range")?,
            condition: lower::decode(&e.condition, 0).0,
            because,
            loc: location(&e.loc, core)?,
        });
    }
    Ok(Cause {
        id: r.head.id,
        title: r.head.title,
        produces: r.produces,
        prior,
        description: r.description,
        evidence,
        sources: sources(r.sources, core)?,
        loc: location(&r.loc, core)?,
    })
}

fn decode_fix(bytes: &[u8], core: &Core) -> Result<Fix, String> {
    let r: FixRecord = take(bytes)?;
    if r.resolves
        .iter()
        .any(|c| c.index() >= core.cause_prior.len())
    {
        return Err("a fix resolves a cause out of range".into());
    }
    let h = r.head;
    Ok(Fix {
        id: h.id,
        title: h.title,
        resolves: r.resolves,
        effort: h.effort,
        risk: h.risk,
        rights: h.rights,
        description: r.description,
        steps: h.steps.into_iter().map(StoredStep::into_step).collect(),
        sources: sources(r.sources, core)?,
        loc: location(&r.loc, core)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::model::{Level, Prior, Rights, Strength};
    use crate::testkit::{eq, ev, int, yes, Kb};
    use crate::{Artifact, Matcher};

    /// Two symptoms, three causes (one nested evidence), two fixes, a source.
    fn kb() -> KnowledgeBase {
        let mut kb = Kb::default()
            .fact("code", crate::model::FactType::Int)
            .fact("joined", crate::model::FactType::Bool)
            .symptom("s0", eq(0, int(1)))
            .symptom("s1", eq(0, int(2)))
            .cause("a", Prior::Common, &[0], vec![ev(Strength::Strong, yes(1))])
            .cause(
                "b",
                Prior::Rare,
                &[0, 1],
                vec![ev(
                    Strength::AgainstWeak,
                    crate::model::Condition::Not(Box::new(crate::model::Condition::And(vec![
                        yes(1),
                        eq(0, int(1)),
                    ]))),
                )],
            )
            .cause("c", Prior::Common, &[1], vec![])
            .fix("fa", &[0], Level::Low, Level::Low, Rights::User)
            .fix("fc", &[2, 1], Level::High, Level::Low, Rights::Admin)
            .0;
        kb.sources.push(Source {
            id: "doc".into(),
            title: "A document".into(),
            url: None,
            publisher: None,
            note: None,
            loc: crate::testkit::loc(5),
        });
        kb.causes[0].sources = vec![SourceIdx(0)];
        kb
    }

    fn loaded() -> (Artifact, Artifact) {
        let built = Artifact::build(kb()).unwrap();
        let loaded = Artifact::from_bytes(&built.to_bytes()).unwrap();
        (built, loaded)
    }

    #[test]
    fn the_records_decode_to_the_model_and_their_heads_to_what_is_shown() {
        let (built, loaded) = loaded();
        let (p, core) = (loaded.prose.as_ref().unwrap(), &loaded.core);
        let kb = built.kb();
        assert_eq!(&p.model(core).unwrap(), kb);
        for (s, sym) in kb.symptoms.iter().enumerate() {
            let shown = p.symptom(s as u32).unwrap();
            assert_eq!((&shown.id, &shown.title), (&sym.id, &sym.title));
        }
        let b = p.cause(1, core).unwrap();
        assert_eq!((b.id.as_str(), b.title.as_str()), ("b", "cause b"));
        assert_eq!(
            b.evidence,
            [EvidenceShown {
                text: crate::words::evidence_text(kb, &kb.causes[1].evidence[0], "cause b"),
                loc: kb.causes[1].evidence[0].loc.clone(),
                facts: vec![1, 0],
            }]
        );
        let fc = p.fix(1).unwrap();
        assert_eq!((fc.id.as_str(), fc.effort), ("fc", Level::High));
        assert_eq!(fc.steps, kb.fixes[1].steps);
        assert!(p.symptom(2).is_none() && p.cause(3, core).is_none() && p.fix(2).is_none());
    }

    #[test]
    fn a_diagnosis_decodes_only_the_records_it_shows() {
        let (_, loaded) = loaded();
        let m = Matcher::new(loaded);
        let mut obs = m.observation();
        obs.set("code", "2").unwrap();
        let d = m.diagnose(&obs);
        assert_eq!(
            d.causes.iter().map(|c| c.id).collect::<Vec<_>>(),
            ["c", "b"]
        );
        let art = m.artifact();
        let p = art.prose.as_ref().unwrap();
        assert!(art.model.get().is_none(), "the whole model stays encoded");
        fn decoded<T>(cells: &[OnceLock<T>]) -> Vec<bool> {
            cells.iter().map(|c| c.get().is_some()).collect()
        }
        let (symptoms, causes, fixes) =
            (decoded(&p.symptoms), decoded(&p.causes), decoded(&p.fixes));
        assert_eq!(symptoms, [false, true]);
        assert_eq!(causes, [false, true, true]);
        assert_eq!(fixes, [false, true]);
    }

    #[test]
    fn a_damaged_record_reads_as_absent_and_the_rest_still_read() {
        let (_, loaded) = loaded();
        let mut p = loaded.prose.clone().unwrap();
        let core = &loaded.core;
        // Break cause `a`'s record: its id is no longer UTF-8.
        let a = p.symptoms.len();
        let mut bytes = p.bytes.to_vec();
        let at = p.start + p.offsets[a] as usize + 1;
        bytes[at] = 0xff;
        p.bytes = Cow::Owned(bytes);
        assert_eq!(p.cause(0, core), None);
        assert_eq!(p.cause(1, core).map(|c| c.id.as_str()), Some("b"));
        assert!(p.model(core).is_err(), "the whole model needs every record");
    }

    #[test]
    fn records_are_checked_against_the_core() {
        let (_, loaded) = loaded();
        let mut core = loaded.core.clone();
        let p = loaded.prose.clone().unwrap();
        // A cause with fewer evidence lines than its record.
        core.tables.cause_evidence = vec![0, 0, 1, 2];
        assert!(p.cause(0, &core).is_none());
        // Files and sources out of range.
        let mut core = loaded.core.clone();
        core.files.clear();
        assert!(p.cause(0, &core).is_none() && p.model(&core).is_err());
        let mut core = loaded.core.clone();
        core.sources = 0;
        assert!(p.model(&core).is_err());
    }

    #[test]
    fn offsets_that_do_not_fit_are_an_error() {
        let (built, _) = loaded();
        let bytes = built.to_bytes();
        let parsed_at = |b: &[u8]| {
            let core_len = u64::from_le_bytes(b[24..32].try_into().unwrap()) as usize;
            let ops_at = 32 + core_len;
            let ops_len = u64::from_le_bytes(b[ops_at..ops_at + 8].try_into().unwrap()) as usize;
            ops_at + 8 + ops_len
        };
        let at = parsed_at(&bytes);
        let core = &built.core;
        assert!(Prose::read(Cow::Owned(bytes.clone()), at, core).is_ok());
        let mut wrong = bytes.clone();
        wrong[at] ^= 4;
        assert!(Prose::read(Cow::Owned(wrong), at, core).is_err());
        let mut backwards = bytes.clone();
        backwards[at + 8 + 4] = 0xff;
        assert!(Prose::read(Cow::Owned(backwards), at, core).is_err());
        assert!(Prose::read(Cow::Owned(bytes[..at + 12].to_vec()), at, core).is_err());
    }
}
