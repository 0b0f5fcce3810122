//! Lowering: the checked model in, the matcher's indexes out.
//!
//! `KnowledgeBase → Tables`. Every condition becomes a flat program of
//! [`Node`]s in prefix order (no recursion when the artifact is decoded),
//! every `contains`/`matches` a text atom over one shared literal list and
//! one shared pattern list, every symptom is indexed by one anchor conjunct
//! `fact == constant` (exact-value tables for int, enum and bool facts), and
//! the relations become compressed rows ([`Csr`]).
//!
//! The tables are stored in the artifact and re-validated at load
//! ([`Tables::validate`]): every index is checked, so a damaged but
//! checksum-valid artifact is an error, never an out-of-bounds panic.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::artifact::BuildError;
use crate::model::{CmpOp, Condition, Fact, FactIdx, FactType, KnowledgeBase, Value};
use crate::words;

/// The deepest nesting of `and`, `or` and `not` a condition may have.
pub const MAX_CONDITION_DEPTH: usize = 128;

/// Marks a fact without an enum table.
pub(crate) const NO_TABLE: u32 = u32::MAX;

/// One node of a condition program, in prefix order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Node {
    True,
    /// Children follow, up to (excluding) `end`.
    And {
        end: u32,
    },
    Or {
        end: u32,
    },
    /// One child follows.
    Not,
    Cmp {
        fact: u32,
        op: CmpOp,
        value: Value,
    },
    In {
        fact: u32,
        values: Vec<Value>,
    },
    Contains {
        fact: u32,
        atom: u32,
        needle: String,
    },
    Matches {
        fact: u32,
        atom: u32,
        pattern: String,
    },
    Known {
        fact: u32,
    },
}

/// Compressed rows: row `i` is `items[off[i]..off[i+1]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub(crate) struct Csr {
    off: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    fn from_rows(rows: &[Vec<u32>]) -> Result<Csr, BuildError> {
        let mut off = Vec::with_capacity(rows.len() + 1);
        let mut items = Vec::new();
        off.push(0);
        for r in rows {
            items.extend_from_slice(r);
            off.push(to_u32(items.len(), "index rows")?);
        }
        Ok(Csr { off, items })
    }

    /// Row `i`, empty when out of range.
    pub(crate) fn get(&self, i: usize) -> &[u32] {
        match (self.off.get(i), self.off.get(i + 1)) {
            (Some(&a), Some(&b)) => self.items.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    pub(crate) fn rows(&self) -> usize {
        self.off.len().saturating_sub(1)
    }

    fn validate(&self, rows: usize, bound: usize, what: &str) -> Result<(), String> {
        if self.off.len() != rows + 1 {
            return Err(format!("{what}: {} rows, expected {rows}", self.rows()));
        }
        if self.off.first() != Some(&0) || self.off.windows(2).any(|w| w[0] > w[1]) {
            return Err(format!("{what}: row offsets out of order"));
        }
        if self.off.last().map(|&l| l as usize) != Some(self.items.len()) {
            return Err(format!("{what}: row offsets do not end at the items"));
        }
        if self.items.iter().any(|&x| x as usize >= bound) {
            return Err(format!("{what}: an item is out of range"));
        }
        Ok(())
    }
}

/// Whether a text atom is a `contains` literal or a `matches` pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) enum TextKind {
    Literal,
    Pattern,
}

/// One `fact contains literal` or `fact matches pattern` test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) struct TextAtom {
    pub fact: u32,
    pub kind: TextKind,
    /// Index into [`Tables::literals`] or [`Tables::patterns`].
    pub id: u32,
}

/// The lowered knowledge base: everything the matcher needs besides the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub(crate) struct Tables {
    /// All condition programs.
    pub nodes: Vec<Node>,
    /// Start of each symptom's `when` program.
    pub symptom_prog: Vec<u32>,
    /// Start of each evidence's program; evidence numbered cause by cause.
    pub evidence_prog: Vec<u32>,
    /// Offsets (one per cause, plus one) of each cause's evidence.
    pub cause_evidence: Vec<u32>,
    /// The facts each evidence reads, ascending.
    pub evidence_facts: Csr,
    /// The facts each symptom's `when` reads, ascending.
    pub symptom_facts: Csr,
    /// The causes that produce each symptom, ascending.
    pub producers: Csr,
    /// Each cause's fixes in (effort, risk, rights, id) order.
    pub cause_fixes: Csr,
    /// Sorted `(fact, value)` keys of int anchors.
    pub int_keys: Vec<(u32, i64)>,
    /// The symptoms anchored at each int key.
    pub int_anchored: Csr,
    /// Per fact: first slot of its enum/bool table, or [`NO_TABLE`].
    pub enum_base: Vec<u32>,
    /// The symptoms anchored at each enum/bool slot (bool: false, true).
    pub enum_anchored: Csr,
    /// Per fact: the symptoms anchored on it (any value).
    pub anchored_by_fact: Csr,
    /// Symptoms without an anchor, checked on every observation.
    pub unanchored: Vec<u32>,
    /// Distinct `contains` literals (ASCII lowercase).
    pub literals: Vec<String>,
    /// Distinct `matches` patterns.
    pub patterns: Vec<String>,
    /// Text atoms, sorted by fact.
    pub atoms: Vec<TextAtom>,
    /// Offsets (one per fact, plus one) of each fact's atoms.
    pub fact_atoms: Vec<u32>,
    /// The atoms of each literal.
    pub literal_atoms: Csr,
    /// The atoms of each pattern.
    pub pattern_atoms: Csr,
    /// The plain-words text of each evidence.
    pub evidence_text: Vec<String>,
}

fn to_u32(n: usize, what: &str) -> Result<u32, BuildError> {
    u32::try_from(n).map_err(|_| BuildError::TooLarge { what: what.into() })
}

/// The number of slots of a fact's exact-value table.
pub(crate) fn table_slots(ty: &FactType) -> Option<usize> {
    match ty {
        FactType::Bool => Some(2),
        FactType::Enum(vs) => Some(vs.len()),
        _ => None,
    }
}

/// The slot of a value in its fact's exact-value table.
pub(crate) fn slot(v: &Value) -> Option<usize> {
    match v {
        Value::Bool(b) => Some(usize::from(*b)),
        Value::Enum(i) => Some(*i as usize),
        _ => None,
    }
}

/// The anchor of a symptom's `when`: a conjunct `fact == constant` on an
/// int, enum or bool fact (int preferred, then the first found).
fn anchor(c: &Condition) -> Option<(FactIdx, Value)> {
    fn walk(c: &Condition, found: &mut Vec<(FactIdx, Value)>) {
        match c {
            Condition::And(cs) => cs.iter().for_each(|c| walk(c, found)),
            Condition::Compare {
                fact,
                op: CmpOp::Eq,
                value,
            } if !matches!(value, Value::Str(_)) => found.push((*fact, value.clone())),
            Condition::In { fact, values } if values.len() == 1 => {
                if let Some(v) = values.first().filter(|v| !matches!(v, Value::Str(_))) {
                    found.push((*fact, v.clone()));
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(c, &mut found);
    let int = found.iter().position(|(_, v)| matches!(v, Value::Int(_)));
    let pick = int.unwrap_or(0);
    found.into_iter().nth(pick)
}

struct Lowerer {
    atoms: HashMap<TextAtom, u32>,
    literal_ids: HashMap<String, u32>,
    pattern_ids: HashMap<String, u32>,
    nodes: Vec<Node>,
}

impl Lowerer {
    fn collect(&mut self, c: &Condition, found: &mut Vec<TextAtom>) -> Result<(), BuildError> {
        match c {
            Condition::And(cs) | Condition::Or(cs) => {
                for c in cs {
                    self.collect(c, found)?;
                }
            }
            Condition::Not(c) => self.collect(c, found)?,
            Condition::Contains { fact, needle } => {
                let key = needle.to_ascii_lowercase();
                let n = to_u32(self.literal_ids.len(), "literals")?;
                let id = *self.literal_ids.entry(key).or_insert(n);
                found.push(TextAtom {
                    fact: fact.0,
                    kind: TextKind::Literal,
                    id,
                });
            }
            Condition::Matches { fact, pattern } => {
                let n = to_u32(self.pattern_ids.len(), "patterns")?;
                let id = *self.pattern_ids.entry(pattern.clone()).or_insert(n);
                found.push(TextAtom {
                    fact: fact.0,
                    kind: TextKind::Pattern,
                    id,
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn emit(&mut self, c: &Condition, depth: usize, at: &str) -> Result<(), BuildError> {
        if depth > MAX_CONDITION_DEPTH {
            return Err(BuildError::TooDeep { at: at.into() });
        }
        match c {
            Condition::True => self.nodes.push(Node::True),
            Condition::And(cs) | Condition::Or(cs) => {
                let me = self.nodes.len();
                self.nodes.push(Node::True);
                for c in cs {
                    self.emit(c, depth + 1, at)?;
                }
                let end = to_u32(self.nodes.len(), "condition nodes")?;
                let node = if matches!(c, Condition::And(_)) {
                    Node::And { end }
                } else {
                    Node::Or { end }
                };
                if let Some(slot) = self.nodes.get_mut(me) {
                    *slot = node;
                }
            }
            Condition::Not(c) => {
                self.nodes.push(Node::Not);
                self.emit(c, depth + 1, at)?;
            }
            Condition::Compare { fact, op, value } => self.nodes.push(Node::Cmp {
                fact: fact.0,
                op: *op,
                value: value.clone(),
            }),
            Condition::In { fact, values } => self.nodes.push(Node::In {
                fact: fact.0,
                values: values.clone(),
            }),
            Condition::Contains { fact, needle } => {
                let id = self.literal_ids.get(&needle.to_ascii_lowercase()).copied();
                let atom = id.and_then(|id| {
                    self.atoms.get(&TextAtom {
                        fact: fact.0,
                        kind: TextKind::Literal,
                        id,
                    })
                });
                self.nodes.push(Node::Contains {
                    fact: fact.0,
                    atom: atom.copied().unwrap_or(u32::MAX),
                    needle: needle.clone(),
                });
            }
            Condition::Matches { fact, pattern } => {
                let id = self.pattern_ids.get(pattern).copied();
                let atom = id.and_then(|id| {
                    self.atoms.get(&TextAtom {
                        fact: fact.0,
                        kind: TextKind::Pattern,
                        id,
                    })
                });
                self.nodes.push(Node::Matches {
                    fact: fact.0,
                    atom: atom.copied().unwrap_or(u32::MAX),
                    pattern: pattern.clone(),
                });
            }
            Condition::Known { fact } => self.nodes.push(Node::Known { fact: fact.0 }),
        }
        Ok(())
    }

    fn program(&mut self, c: &Condition, at: &str) -> Result<u32, BuildError> {
        let start = to_u32(self.nodes.len(), "condition nodes")?;
        self.emit(c, 0, at)?;
        Ok(start)
    }
}

fn facts_read(c: &Condition) -> Vec<u32> {
    let mut v = Vec::new();
    c.visit_facts(&mut |f| v.push(f.0));
    v.sort_unstable();
    v.dedup();
    v
}

/// Lowers a validated knowledge base into its tables.
pub(crate) fn lower(kb: &KnowledgeBase) -> Result<Tables, BuildError> {
    let mut lw = Lowerer {
        atoms: HashMap::new(),
        literal_ids: HashMap::new(),
        pattern_ids: HashMap::new(),
        nodes: Vec::new(),
    };
    // Pass 1: the text atoms, numbered in (fact, kind, id) order.
    let mut found = Vec::new();
    for s in &kb.symptoms {
        lw.collect(&s.condition, &mut found)?;
    }
    for c in &kb.causes {
        for e in &c.evidence {
            lw.collect(&e.condition, &mut found)?;
        }
    }
    found.sort_unstable();
    found.dedup();
    for (i, a) in found.iter().enumerate() {
        lw.atoms.insert(*a, to_u32(i, "text atoms")?);
    }
    let mut literals = vec![String::new(); lw.literal_ids.len()];
    for (l, &id) in &lw.literal_ids {
        if let Some(slot) = literals.get_mut(id as usize) {
            slot.clone_from(l);
        }
    }
    let mut patterns = vec![String::new(); lw.pattern_ids.len()];
    for (p, &id) in &lw.pattern_ids {
        if let Some(slot) = patterns.get_mut(id as usize) {
            slot.clone_from(p);
        }
    }
    let nfacts = kb.facts.len();
    let mut fact_atoms = vec![0u32; nfacts + 1];
    for a in &found {
        if let Some(n) = fact_atoms.get_mut(a.fact as usize + 1) {
            *n += 1;
        }
    }
    for i in 1..fact_atoms.len() {
        let prev = fact_atoms.get(i - 1).copied().unwrap_or(0);
        if let Some(n) = fact_atoms.get_mut(i) {
            *n += prev;
        }
    }
    let mut literal_rows = vec![Vec::new(); literals.len()];
    let mut pattern_rows = vec![Vec::new(); patterns.len()];
    for (i, a) in found.iter().enumerate() {
        let rows = match a.kind {
            TextKind::Literal => &mut literal_rows,
            TextKind::Pattern => &mut pattern_rows,
        };
        if let Some(r) = rows.get_mut(a.id as usize) {
            r.push(to_u32(i, "text atoms")?);
        }
    }

    // Pass 2: programs.
    let mut symptom_prog = Vec::with_capacity(kb.symptoms.len());
    let mut symptom_facts = Vec::with_capacity(kb.symptoms.len());
    for s in &kb.symptoms {
        symptom_prog.push(lw.program(&s.condition, &format!("symptom `{}`", s.id))?);
        symptom_facts.push(facts_read(&s.condition));
    }
    let mut evidence_prog = Vec::new();
    let mut evidence_facts = Vec::new();
    let mut evidence_text = Vec::new();
    let mut cause_evidence = vec![0u32];
    for c in &kb.causes {
        for e in &c.evidence {
            evidence_prog.push(lw.program(&e.condition, &format!("cause `{}` ({})", c.id, e.loc))?);
            evidence_facts.push(facts_read(&e.condition));
            evidence_text.push(words::evidence_text(kb, e, &c.title));
        }
        cause_evidence.push(to_u32(evidence_prog.len(), "evidence")?);
    }

    // Relations.
    let mut producers = vec![Vec::new(); kb.symptoms.len()];
    for (ci, c) in kb.causes.iter().enumerate() {
        for s in &c.produces {
            if let Some(r) = producers.get_mut(s.index()) {
                r.push(to_u32(ci, "causes")?);
            }
        }
    }
    for r in &mut producers {
        r.sort_unstable();
        r.dedup();
    }
    let mut cause_fixes = vec![Vec::new(); kb.causes.len()];
    for (fi, f) in kb.fixes.iter().enumerate() {
        for c in &f.resolves {
            if let Some(r) = cause_fixes.get_mut(c.index()) {
                r.push(to_u32(fi, "fixes")?);
            }
        }
    }
    for r in &mut cause_fixes {
        r.sort_by(|&a, &b| fix_order(kb, a, b));
        r.dedup();
    }

    // Anchors.
    let mut int_map: BTreeMap<(u32, i64), Vec<u32>> = BTreeMap::new();
    let mut enum_base = vec![NO_TABLE; nfacts];
    let mut slots = 0usize;
    for (i, f) in kb.facts.iter().enumerate() {
        if let (Some(n), Some(b)) = (table_slots(&f.ty), enum_base.get_mut(i)) {
            *b = to_u32(slots, "enum tables")?;
            slots += n;
        }
    }
    let mut enum_rows = vec![Vec::new(); slots];
    let mut by_fact = vec![Vec::new(); nfacts];
    let mut unanchored = Vec::new();
    for (si, s) in kb.symptoms.iter().enumerate() {
        let si = to_u32(si, "symptoms")?;
        let placed = match anchor(&s.condition) {
            Some((fact, Value::Int(v))) => {
                int_map.entry((fact.0, v)).or_default().push(si);
                true
            }
            Some((fact, v)) => {
                let base = enum_base.get(fact.index()).copied().unwrap_or(NO_TABLE);
                match (base, slot(&v)) {
                    (b, Some(o)) if b != NO_TABLE => match enum_rows.get_mut(b as usize + o) {
                        Some(r) => {
                            r.push(si);
                            true
                        }
                        None => false,
                    },
                    _ => false,
                }
            }
            None => false,
        };
        if placed {
            if let Some((fact, _)) = anchor(&s.condition) {
                if let Some(r) = by_fact.get_mut(fact.index()) {
                    r.push(si);
                }
            }
        } else {
            unanchored.push(si);
        }
    }
    let int_keys: Vec<(u32, i64)> = int_map.keys().copied().collect();
    let int_rows: Vec<Vec<u32>> = int_map.into_values().collect();

    Ok(Tables {
        nodes: lw.nodes,
        symptom_prog,
        evidence_prog,
        cause_evidence,
        evidence_facts: Csr::from_rows(&evidence_facts)?,
        symptom_facts: Csr::from_rows(&symptom_facts)?,
        producers: Csr::from_rows(&producers)?,
        cause_fixes: Csr::from_rows(&cause_fixes)?,
        int_keys,
        int_anchored: Csr::from_rows(&int_rows)?,
        enum_base,
        enum_anchored: Csr::from_rows(&enum_rows)?,
        anchored_by_fact: Csr::from_rows(&by_fact)?,
        unanchored,
        literals,
        patterns,
        atoms: found,
        fact_atoms,
        literal_atoms: Csr::from_rows(&literal_rows)?,
        pattern_atoms: Csr::from_rows(&pattern_rows)?,
        evidence_text,
    })
}

/// The order of fixes within a cause: effort, risk, rights, then id.
pub(crate) fn fix_order(kb: &KnowledgeBase, a: u32, b: u32) -> std::cmp::Ordering {
    match (kb.fixes.get(a as usize), kb.fixes.get(b as usize)) {
        (Some(x), Some(y)) => {
            (x.effort, x.risk, x.rights, &x.id).cmp(&(y.effort, y.risk, y.rights, &y.id))
        }
        _ => a.cmp(&b),
    }
}

/// Decodes the program at `i` back into a condition; returns it and the
/// index after it. Only called on validated programs; a bad index decodes
/// as `True` rather than panicking.
pub(crate) fn decode(nodes: &[Node], i: usize) -> (Condition, usize) {
    match nodes.get(i) {
        None | Some(Node::True) => (Condition::True, i + 1),
        Some(Node::And { end }) | Some(Node::Or { end }) => {
            let end = *end as usize;
            let mut cs = Vec::new();
            let mut j = i + 1;
            while j < end && j < nodes.len() {
                let (c, next) = decode(nodes, j);
                cs.push(c);
                j = next;
            }
            let c = if matches!(nodes.get(i), Some(Node::And { .. })) {
                Condition::And(cs)
            } else {
                Condition::Or(cs)
            };
            (c, end.max(i + 1))
        }
        Some(Node::Not) => {
            let (c, next) = decode(nodes, i + 1);
            (Condition::Not(Box::new(c)), next)
        }
        Some(Node::Cmp { fact, op, value }) => (
            Condition::Compare {
                fact: FactIdx(*fact),
                op: *op,
                value: value.clone(),
            },
            i + 1,
        ),
        Some(Node::In { fact, values }) => (
            Condition::In {
                fact: FactIdx(*fact),
                values: values.clone(),
            },
            i + 1,
        ),
        Some(Node::Contains { fact, needle, .. }) => (
            Condition::Contains {
                fact: FactIdx(*fact),
                needle: needle.clone(),
            },
            i + 1,
        ),
        Some(Node::Matches { fact, pattern, .. }) => (
            Condition::Matches {
                fact: FactIdx(*fact),
                pattern: pattern.clone(),
            },
            i + 1,
        ),
        Some(Node::Known { fact }) => (
            Condition::Known {
                fact: FactIdx(*fact),
            },
            i + 1,
        ),
    }
}

/// The index after the program that starts at `i`.
pub(crate) fn program_end(nodes: &[Node], mut i: usize) -> usize {
    loop {
        match nodes.get(i) {
            Some(Node::Not) => i += 1,
            Some(Node::And { end }) | Some(Node::Or { end }) => return (*end as usize).max(i + 1),
            _ => return i + 1,
        }
    }
}

impl Tables {
    /// Checks one program stored on its own (child ranges counted from
    /// its start): it fills `nodes` exactly, is well nested and not too
    /// deep, reads facts in range, and its text tests agree with their
    /// atoms.
    pub(crate) fn check_program(&self, nodes: &[Node]) -> Result<(), String> {
        if self.check_prog(nodes, 0, nodes.len(), 0)? != nodes.len() {
            return Err("a condition program has nodes left over".into());
        }
        Ok(())
    }

    fn check_prog(
        &self,
        nodes: &[Node],
        i: usize,
        limit: usize,
        depth: usize,
    ) -> Result<usize, String> {
        if depth > MAX_CONDITION_DEPTH {
            return Err("a condition is nested too deeply".into());
        }
        if i >= limit {
            return Err("a condition program is cut short".into());
        }
        let Some(node) = nodes.get(i) else {
            return Err("a condition program points past the nodes".into());
        };
        match node {
            Node::And { end } | Node::Or { end } => {
                let end = *end as usize;
                if end <= i || end > limit {
                    return Err("a condition's children are out of range".into());
                }
                let mut j = i + 1;
                while j < end {
                    j = self.check_prog(nodes, j, end, depth + 1)?;
                }
                Ok(end)
            }
            Node::Not => self.check_prog(nodes, i + 1, limit, depth + 1),
            Node::Cmp { fact, .. } | Node::In { fact, .. } | Node::Known { fact }
                if *fact as usize >= self.enum_base.len() =>
            {
                Err("a condition reads a fact out of range".into())
            }
            Node::Contains { fact, atom, needle } => {
                self.check_atom(
                    *fact,
                    *atom,
                    TextKind::Literal,
                    &needle.to_ascii_lowercase(),
                )?;
                Ok(i + 1)
            }
            Node::Matches {
                fact,
                atom,
                pattern,
            } => {
                self.check_atom(*fact, *atom, TextKind::Pattern, pattern)?;
                Ok(i + 1)
            }
            _ => Ok(i + 1),
        }
    }

    fn check_atom(&self, fact: u32, atom: u32, kind: TextKind, text: &str) -> Result<(), String> {
        let a = self
            .atoms
            .get(atom as usize)
            .ok_or("a text condition points past the text atoms")?;
        let list = match kind {
            TextKind::Literal => &self.literals,
            TextKind::Pattern => &self.patterns,
        };
        if a.fact != fact
            || a.kind != kind
            || list.get(a.id as usize).map(String::as_str) != Some(text)
        {
            return Err("a text condition disagrees with its text atom".into());
        }
        Ok(())
    }

    /// Checks every index against the model's sizes and rebuilds the
    /// model's conditions from the programs.
    /// Checks the tables against the counts of a model with `facts` and
    /// every index in range.
    pub(crate) fn validate(
        &self,
        facts: &[Fact],
        ns: usize,
        nc: usize,
        nx: usize,
        ne: usize,
    ) -> Result<(), String> {
        let nf = facts.len();
        if self.symptom_prog.len() != ns || self.evidence_prog.len() != ne {
            return Err("the condition tables do not match the model".into());
        }
        if self.cause_evidence.len() != nc + 1
            || self.cause_evidence.first() != Some(&0)
            || self.cause_evidence.last().map(|&n| n as usize) != Some(ne)
            || self.cause_evidence.windows(2).any(|w| w[0] > w[1])
        {
            return Err("the evidence offsets do not match the causes".into());
        }
        self.evidence_facts.validate(ne, nf, "evidence facts")?;
        self.symptom_facts.validate(ns, nf, "symptom facts")?;
        self.producers.validate(ns, nc, "producers")?;
        self.cause_fixes.validate(nc, nx, "fixes of causes")?;
        if self.int_keys.windows(2).any(|w| w[0] >= w[1])
            || self.int_keys.iter().any(|k| k.0 as usize >= nf)
        {
            return Err("the int anchor keys are out of order".into());
        }
        self.int_anchored
            .validate(self.int_keys.len(), ns, "int anchors")?;
        if self.enum_base.len() != nf {
            return Err("the enum tables do not match the facts".into());
        }
        let slots = self.enum_anchored.rows();
        for (b, f) in self.enum_base.iter().zip(facts) {
            match table_slots(&f.ty) {
                Some(n) if *b != NO_TABLE && (*b as usize).saturating_add(n) <= slots => {}
                None if *b == NO_TABLE => {}
                _ => return Err("an enum table is out of range".into()),
            }
        }
        self.enum_anchored.validate(slots, ns, "enum anchors")?;
        self.anchored_by_fact.validate(nf, ns, "anchors by fact")?;
        if self.unanchored.iter().any(|&s| s as usize >= ns) {
            return Err("an unanchored symptom is out of range".into());
        }
        for a in &self.atoms {
            let bound = match a.kind {
                TextKind::Literal => self.literals.len(),
                TextKind::Pattern => self.patterns.len(),
            };
            if a.fact as usize >= nf || a.id as usize >= bound {
                return Err("a text atom is out of range".into());
            }
        }
        if self.fact_atoms.len() != nf + 1
            || self.fact_atoms.first() != Some(&0)
            || self.fact_atoms.last().map(|&l| l as usize) != Some(self.atoms.len())
            || self.fact_atoms.windows(2).any(|w| w[0] > w[1])
        {
            return Err("the text atoms of facts are out of range".into());
        }
        for (f, w) in self.fact_atoms.windows(2).enumerate() {
            let atoms = self.atoms.get(w[0] as usize..w[1] as usize).unwrap_or(&[]);
            if atoms.iter().any(|a| a.fact as usize != f) {
                return Err("the text atoms are not grouped by fact".into());
            }
        }
        self.literal_atoms
            .validate(self.literals.len(), self.atoms.len(), "literal atoms")?;
        self.pattern_atoms
            .validate(self.patterns.len(), self.atoms.len(), "pattern atoms")?;
        Ok(())
    }
}
