//! The matcher's working form of the condition programs: 16-byte
//! operations over integer keys, and per-cause records, derived from the
//! tables when a matcher is made.
//!
//! The tables keep conditions as they are stored ([`Node`]s holding
//! [`Value`]s, 40 bytes each); ranking evaluates a few hundred of them per
//! observation, scattered over the knowledge base, so their size and the
//! cost of comparing values decide its speed. Here every value is an `i64`
//! key — an `int` itself, a `bool` as 0 or 1, an `enum` value's index, a
//! `string` the number of the constant it equals (−1 for none) — so a
//! comparison is one integer test, and a cause's prior, evidence weights and
//! tie-break rank sit in two small arrays instead of in the model.
//! Operation `i` is node `i`: program starts and `end`s carry over.

use std::collections::HashMap;

use crate::artifact::Core;
use crate::lower::Node;
use crate::model::{CmpOp, Value};

/// Three-valued results: false, unknown, true (`not x` is `T − x`).
pub(crate) const F: u8 = 0;
pub(crate) const U: u8 = 1;
pub(crate) const T: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    True,
    /// Children follow, up to (excluding) operation `a`.
    And,
    Or,
    /// One child follows.
    Not,
    /// `fact <op> key`; the key is `a` (low half) and `b` (high half).
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// An ordering test on a non-integer constant (key as for `Eq`):
    /// false once known.
    KnownFalse,
    /// `fact in pool[a..a + b]` (sorted).
    In,
    /// A `contains`/`matches` test: atom `a`.
    Text,
    Known,
}

const KINDS: [Kind; 14] = [
    Kind::True,
    Kind::And,
    Kind::Or,
    Kind::Not,
    Kind::Eq,
    Kind::Ne,
    Kind::Lt,
    Kind::Le,
    Kind::Gt,
    Kind::Ge,
    Kind::KnownFalse,
    Kind::In,
    Kind::Text,
    Kind::Known,
];

/// Bytes of one operation in the artifact: kind, then fact, `a` and `b` as
/// little-endian `u32`s, then three zero bytes.
const OP_BYTES: usize = 16;

/// One operation: 16 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op {
    kind: Kind,
    fact: u32,
    a: u32,
    b: u32,
}

impl Op {
    fn key(&self) -> i64 {
        ((u64::from(self.b) << 32) | u64::from(self.a)) as i64
    }
}

/// A cause's numbers for ranking.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CauseRec {
    pub prior: i32,
    /// The position of the cause's id in byte order (the last tie-break).
    pub id_rank: u32,
    /// Its evidence: `evidence[first..end]`.
    pub first: u32,
    pub end: u32,
}

/// One evidence line: where its program starts, its decibans (`None` for
/// `rules_out`), the facts it reads as a [`fact_bit`] mask, and its value
/// while none of them is known — then that is its value, exactly, and the
/// program need not run. Most evidence of a candidate reads only facts the
/// observation leaves unknown, so this skips most of the work of ranking.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EvidenceRec {
    pub prog: u32,
    db: i16,
    flags: u8,
    pub unknown: u8,
    pub reads: u64,
}

const RULES_OUT: u8 = 1;
const TESTS_KNOWN: u8 = 2;

impl EvidenceRec {
    /// Its decibans, `None` for `rules_out`.
    pub(crate) fn db(&self) -> Option<i32> {
        (self.flags & RULES_OUT == 0).then_some(i32::from(self.db))
    }

    /// Whether learning a fact can change its value once it is true or
    /// false: only through `is known`. Kleene's logic is otherwise monotone
    /// — a decided condition stays decided as unknowns become known.
    pub(crate) fn can_flip_when_decided(&self) -> bool {
        self.flags & TESTS_KNOWN != 0
    }
}

/// A fact's bit in a fact mask: facts 63 and up share the top bit.
pub(crate) fn fact_bit(f: u32) -> u64 {
    1u64 << f.min(63)
}

/// The values `a and b` can take, for `a` in set `x` and `b` in set `y`
/// (sets of values as bits `1 << v`): false if either can be, true if both
/// can be, unknown if one can be unknown and the other unknown or true.
fn and_sets(x: u8, y: u8) -> u8 {
    let has = |s: u8, v: u8| s & (1 << v) != 0;
    let mut r = 0;
    if has(x, F) || has(y, F) {
        r |= 1 << F;
    }
    if has(x, T) && has(y, T) {
        r |= 1 << T;
    }
    if (has(x, U) && (has(y, U) || has(y, T))) || (has(y, U) && has(x, T)) {
        r |= 1 << U;
    }
    r
}

/// The values `a or b` can take: `not (not a and not b)`.
fn or_sets(x: u8, y: u8) -> u8 {
    let not = |s: u8| (s & (1 << U)) | (s & 1) << T | (s >> T) & 1;
    not(and_sets(not(x), not(y)))
}

/// Facts that are all unknown.
struct Nothing;

impl Facts for Nothing {
    fn key(&self, _: u32) -> Option<i64> {
        None
    }
    fn known(&self, _: u32) -> bool {
        false
    }
    fn text(&self, _: u32, _: u32) -> u8 {
        U
    }
}

/// The programs and records of one knowledge base.
#[derive(Debug, Clone, Default)]
pub(crate) struct Exec {
    ops: Vec<Op>,
    pool: Vec<i64>,
    /// Numbers of the `string` constants, and the constants by number.
    strings: HashMap<String, i64>,
    string_list: Vec<String>,
    pub causes: Vec<CauseRec>,
    pub evidence: Vec<EvidenceRec>,
}

/// Where the facts' values come from: their keys, and the text atoms hit.
pub(crate) trait Facts {
    /// The key of fact `f`'s value, if it has one.
    fn key(&self, f: u32) -> Option<i64>;
    /// Whether fact `f` is known (a value, or a text segment).
    fn known(&self, f: u32) -> bool;
    /// The three-valued result of text atom `atom` of fact `f`.
    fn text(&self, f: u32, atom: u32) -> u8;
}

impl Exec {
    /// Compiles the stored programs (`nodes`) of a knowledge base whose
    /// core is `core`.
    pub(crate) fn build(core: &Core, nodes: &[Node]) -> Exec {
        let mut e = Exec::default();
        for node in nodes {
            let op = e.op(node);
            e.ops.push(op);
        }
        e.finish(core);
        e
    }

    /// The programs as the artifact stores them: the operations as bytes
    /// (see [`OP_BYTES`]), the `in` value pool, the `string` constants.
    pub(crate) fn stored(&self) -> (Vec<u8>, &[i64], &[String]) {
        let mut raw = Vec::with_capacity(self.ops.len() * OP_BYTES);
        for op in &self.ops {
            raw.push(op.kind as u8);
            raw.extend_from_slice(&op.fact.to_le_bytes());
            raw.extend_from_slice(&op.a.to_le_bytes());
            raw.extend_from_slice(&op.b.to_le_bytes());
            raw.extend_from_slice(&[0; 3]);
        }
        (raw, &self.pool, &self.string_list)
    }

    /// Reads stored programs back, checking every program of the core's
    /// tables: in range, well nested, not too deep, every `in` inside the
    /// pool and every text test on an atom of its fact.
    pub(crate) fn load(
        core: &Core,
        raw: &[u8],
        pool: Vec<i64>,
        strings: Vec<String>,
    ) -> Result<Exec, String> {
        if raw.len() % OP_BYTES != 0 {
            return Err("the condition programs are cut short".into());
        }
        let word = |c: &[u8], at: usize| {
            c.get(at..at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, u32::from_le_bytes)
        };
        let mut ops = Vec::with_capacity(raw.len() / OP_BYTES);
        for c in raw.chunks_exact(OP_BYTES) {
            let kind = c
                .first()
                .and_then(|&k| KINDS.get(k as usize))
                .copied()
                .ok_or("a condition program has an unknown operation")?;
            ops.push(Op {
                kind,
                fact: word(c, 1),
                a: word(c, 5),
                b: word(c, 9),
            });
        }
        let mut e = Exec {
            ops,
            pool,
            strings: HashMap::new(),
            string_list: Vec::new(),
            causes: Vec::new(),
            evidence: Vec::new(),
        };
        for (i, s) in strings.iter().enumerate() {
            e.strings.insert(s.clone(), i as i64);
        }
        e.string_list = strings;
        if e.strings.len() != e.string_list.len() {
            return Err("a string constant is stored twice".into());
        }
        let t = &core.tables;
        for &p in t.symptom_prog.iter().chain(&t.evidence_prog) {
            e.check(p as usize, e.ops.len(), 0, core)?;
        }
        e.finish(core);
        Ok(e)
    }

    /// Checks the program at `i`, ending at or before `limit`; gives the
    /// operation after it.
    fn check(&self, i: usize, limit: usize, depth: usize, core: &Core) -> Result<usize, String> {
        if depth > crate::lower::MAX_CONDITION_DEPTH {
            return Err("a condition is nested too deeply".into());
        }
        let op = self
            .ops
            .get(i)
            .filter(|_| i < limit)
            .ok_or("a condition program is cut short")?;
        let in_facts = (op.fact as usize) < core.facts.len();
        match op.kind {
            Kind::True => Ok(i + 1),
            Kind::And | Kind::Or => {
                let end = op.a as usize;
                if end <= i || end > limit {
                    return Err("a condition's children are out of range".into());
                }
                let mut j = i + 1;
                while j < end {
                    j = self.check(j, end, depth + 1, core)?;
                }
                Ok(end)
            }
            Kind::Not => self.check(i + 1, limit, depth + 1, core),
            Kind::In
                if in_facts && (op.a as usize).saturating_add(op.b as usize) <= self.pool.len() =>
            {
                Ok(i + 1)
            }
            Kind::Text
                if core
                    .tables
                    .atoms
                    .get(op.a as usize)
                    .is_some_and(|a| a.fact == op.fact) =>
            {
                Ok(i + 1)
            }
            Kind::In | Kind::Text => Err("a condition's operand is out of range".into()),
            _ if in_facts => Ok(i + 1),
            _ => Err("a condition reads a fact that does not exist".into()),
        }
    }

    /// Derives the per-cause and per-evidence records.
    fn finish(&mut self, core: &Core) {
        let tables = &core.tables;
        let n = core.cause_prior.len();
        for c in 0..n {
            let first = tables.cause_evidence.get(c).copied().unwrap_or(0);
            let end = tables.cause_evidence.get(c + 1).copied().unwrap_or(first);
            self.causes.push(CauseRec {
                prior: core.cause_prior.get(c).map_or(0, |p| p.decibans()),
                id_rank: core.cause_id_rank.get(c).copied().unwrap_or(u32::MAX),
                first,
                end: end.max(first),
            });
        }
        for (k, strength) in core.evidence_strength.iter().enumerate() {
            let prog = tables.evidence_prog.get(k).copied().unwrap_or(u32::MAX);
            let reads = self.reads(prog);
            let unknown = self.eval(prog, &Nothing);
            let db = strength.decibans();
            let tests_known = self.program(prog).iter().any(|op| op.kind == Kind::Known);
            self.evidence.push(EvidenceRec {
                prog,
                db: db.and_then(|d| i16::try_from(d).ok()).unwrap_or(0),
                flags: if db.is_none() { RULES_OUT } else { 0 }
                    | if tests_known { TESTS_KNOWN } else { 0 },
                unknown,
                reads,
            });
        }
    }

    /// The text test the program at `i` starts with: the root itself, or a
    /// direct conjunct of a root `and` — `(fact, atom)`.
    pub(crate) fn text_anchor(&self, i: u32) -> Option<(u32, u32)> {
        let atom = |op: Option<&Op>| match op {
            Some(op) if op.kind == Kind::Text => Some((op.fact, op.a)),
            _ => None,
        };
        let i = i as usize;
        match self.ops.get(i) {
            Some(op) if op.kind == Kind::And => {
                let end = op.a as usize;
                let mut j = i + 1;
                while j < end {
                    if let Some(a) = atom(self.ops.get(j)) {
                        return Some(a);
                    }
                    j = (j + self.program(j as u32).len()).max(j + 1);
                }
                None
            }
            op => atom(op),
        }
    }

    fn key_of(&mut self, v: &Value) -> i64 {
        match v {
            Value::Str(s) => {
                if let Some(&k) = self.strings.get(s) {
                    return k;
                }
                let k = self.string_list.len() as i64;
                self.strings.insert(s.clone(), k);
                self.string_list.push(s.clone());
                k
            }
            v => self.value_key(v).unwrap_or(-1),
        }
    }

    /// The key of a value (`string`s not among the constants are −1).
    pub(crate) fn value_key(&self, v: &Value) -> Option<i64> {
        Some(match v {
            Value::Int(i) => *i,
            Value::Bool(b) => i64::from(*b),
            Value::Enum(i) => i64::from(*i),
            Value::Str(s) => self.string_key(s),
        })
    }

    /// The key of a `string` value: its constant's number, or −1.
    pub(crate) fn string_key(&self, s: &str) -> i64 {
        self.strings.get(s).copied().unwrap_or(-1)
    }

    fn op(&mut self, node: &Node) -> Op {
        let op = |kind, fact, a, b| Op { kind, fact, a, b };
        match node {
            Node::True => op(Kind::True, 0, 0, 0),
            Node::And { end } => op(Kind::And, 0, *end, 0),
            Node::Or { end } => op(Kind::Or, 0, *end, 0),
            Node::Not => op(Kind::Not, 0, 0, 0),
            Node::Cmp {
                fact,
                op: cmp,
                value,
            } => {
                let ordered = !matches!(cmp, CmpOp::Eq | CmpOp::Ne);
                let key = self.key_of(value) as u64;
                let kind = match cmp {
                    _ if ordered && !matches!(value, Value::Int(_)) => Kind::KnownFalse,
                    CmpOp::Eq => Kind::Eq,
                    CmpOp::Ne => Kind::Ne,
                    CmpOp::Lt => Kind::Lt,
                    CmpOp::Le => Kind::Le,
                    CmpOp::Gt => Kind::Gt,
                    CmpOp::Ge => Kind::Ge,
                };
                op(kind, *fact, key as u32, (key >> 32) as u32)
            }
            Node::In { fact, values } => {
                let mut keys: Vec<i64> = values.iter().map(|v| self.key_of(v)).collect();
                keys.sort_unstable();
                keys.dedup();
                let at = self.pool.len() as u32;
                self.pool.extend_from_slice(&keys);
                op(Kind::In, *fact, at, keys.len() as u32)
            }
            Node::Contains { fact, atom, .. } | Node::Matches { fact, atom, .. } => {
                op(Kind::Text, *fact, *atom, 0)
            }
            Node::Known { fact } => op(Kind::Known, *fact, 0, 0),
        }
    }

    /// The operations of the program at `i`: up to an operator's `end`,
    /// or after the operand of a run of `not`s.
    fn program(&self, i: u32) -> &[Op] {
        let start = i as usize;
        let mut end = start;
        let mut j = start;
        while let Some(op) = self.ops.get(j) {
            match op.kind {
                Kind::Not => j += 1,
                Kind::And | Kind::Or => {
                    end = (op.a as usize).max(j + 1);
                    break;
                }
                _ => {
                    end = j + 1;
                    break;
                }
            }
        }
        self.ops.get(start..end).unwrap_or(&[])
    }

    /// The mask of the facts the program at `i` reads.
    fn reads(&self, i: u32) -> u64 {
        self.program(i)
            .iter()
            .filter(|op| !matches!(op.kind, Kind::True | Kind::And | Kind::Or | Kind::Not))
            .fold(0, |m, op| m | fact_bit(op.fact))
    }

    /// Calls `each(fact, key, ordered)` for every constant the program at
    /// `i` compares a fact with (`ordered` for `<`, `<=`, `>`, `>=`).
    pub(crate) fn constants(&self, i: u32, mut each: impl FnMut(u32, i64, bool)) {
        for op in self.program(i) {
            match op.kind {
                Kind::Eq | Kind::Ne => each(op.fact, op.key(), false),
                Kind::Lt | Kind::Le | Kind::Gt | Kind::Ge | Kind::KnownFalse => {
                    each(op.fact, op.key(), true)
                }
                Kind::In => {
                    let a = op.a as usize;
                    for &k in self.pool.get(a..a + op.b as usize).unwrap_or(&[]) {
                        each(op.fact, k, false);
                    }
                }
                _ => {}
            }
        }
    }

    /// The `string` constant numbered `key`.
    pub(crate) fn string(&self, key: i64) -> Option<&str> {
        usize::try_from(key)
            .ok()
            .and_then(|k| self.string_list.get(k))
            .map(String::as_str)
    }

    /// The value of an evidence line, given the mask of the known facts.
    pub(crate) fn evidence_value(&self, e: &EvidenceRec, known: u64, facts: &impl Facts) -> u8 {
        if e.reads & known == 0 {
            e.unknown
        } else {
            self.eval(e.prog, facts)
        }
    }

    /// Whether the program at `i` can be true once fact `f` is known,
    /// whatever its value and the other facts as they are. An
    /// over-approximation (each test of `f` taken as free to be true or
    /// false on its own), so `false` is certain.
    pub(crate) fn can_become_true(&self, i: u32, f: u32, facts: &impl Facts) -> bool {
        self.possible_at(i as usize, f, facts).0 & (1 << T) != 0
    }

    /// The set of values (bit `1 << v`) the program at `i` can take as `f`
    /// becomes known, and the operation after it.
    fn possible_at(&self, i: usize, f: u32, facts: &impl Facts) -> (u8, usize) {
        let Some(op) = self.ops.get(i) else {
            return (1 << U, i + 1);
        };
        let next = i + 1;
        let set = match op.kind {
            Kind::And | Kind::Or => {
                let end = op.a as usize;
                let and = op.kind == Kind::And;
                let mut acc: u8 = if and { 1 << T } else { 1 << F };
                let mut j = next;
                while j < end {
                    let (x, after) = self.possible_at(j, f, facts);
                    acc = if and {
                        and_sets(acc, x)
                    } else {
                        or_sets(acc, x)
                    };
                    j = after.max(j + 1);
                }
                return (acc, end.max(next));
            }
            Kind::Not => {
                let (x, after) = self.possible_at(next, f, facts);
                // Bits F and T swap; U stays.
                let flipped = (x & (1 << U)) | (x & 1) << T | (x >> T) & 1;
                return (flipped, after);
            }
            Kind::True => 1 << T,
            _ if op.fact == f => match op.kind {
                Kind::KnownFalse => 1 << F,
                Kind::Known => 1 << T,
                _ => (1 << F) | (1 << T),
            },
            _ => 1 << self.eval_at(i, facts).0,
        };
        (set, next)
    }

    /// Evaluates the program starting at operation `i`.
    pub(crate) fn eval(&self, i: u32, facts: &impl Facts) -> u8 {
        self.eval_at(i as usize, facts).0
    }

    /// The program at `i`: its value and the operation after it.
    fn eval_at(&self, i: usize, facts: &impl Facts) -> (u8, usize) {
        let Some(op) = self.ops.get(i) else {
            return (U, i + 1);
        };
        let next = i + 1;
        let r = match op.kind {
            Kind::True => T,
            Kind::And | Kind::Or => {
                let end = op.a as usize;
                let and = op.kind == Kind::And;
                let (stop, mut acc) = if and { (F, T) } else { (T, F) };
                let mut j = next;
                while j < end {
                    let (x, after) = self.eval_at(j, facts);
                    acc = if and { acc.min(x) } else { acc.max(x) };
                    if acc == stop {
                        break;
                    }
                    j = after.max(j + 1);
                }
                return (acc, end.max(next));
            }
            Kind::Not => {
                let (x, after) = self.eval_at(next, facts);
                return (T - x, after);
            }
            Kind::Eq | Kind::Ne | Kind::Lt | Kind::Le | Kind::Gt | Kind::Ge => {
                match facts.key(op.fact) {
                    None => U,
                    Some(x) => {
                        let c = op.key();
                        let holds = match op.kind {
                            Kind::Eq => x == c,
                            Kind::Ne => x != c,
                            Kind::Lt => x < c,
                            Kind::Le => x <= c,
                            Kind::Gt => x > c,
                            _ => x >= c,
                        };
                        if holds {
                            T
                        } else {
                            F
                        }
                    }
                }
            }
            Kind::KnownFalse => {
                if facts.key(op.fact).is_some() {
                    F
                } else {
                    U
                }
            }
            Kind::In => match facts.key(op.fact) {
                None => U,
                Some(x) => {
                    let a = op.a as usize;
                    let set = self.pool.get(a..a + op.b as usize).unwrap_or(&[]);
                    let found = if set.len() <= 8 {
                        set.contains(&x)
                    } else {
                        set.binary_search(&x).is_ok()
                    };
                    if found {
                        T
                    } else {
                        F
                    }
                }
            },
            Kind::Text => facts.text(op.fact, op.a),
            Kind::Known => {
                if facts.known(op.fact) {
                    T
                } else {
                    F
                }
            }
        };
        (r, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fact 0 unknown, fact 1 known as 5.
    struct OneKnown;

    impl Facts for OneKnown {
        fn key(&self, f: u32) -> Option<i64> {
            (f == 1).then_some(5)
        }
        fn known(&self, f: u32) -> bool {
            f == 1
        }
        fn text(&self, _: u32, _: u32) -> u8 {
            U
        }
    }

    fn program(nodes: &[Node]) -> Exec {
        let mut e = Exec::default();
        for n in nodes {
            let op = e.op(n);
            e.ops.push(op);
        }
        e
    }

    fn eq(fact: u32, v: i64) -> Node {
        Node::Cmp {
            fact,
            op: CmpOp::Eq,
            value: Value::Int(v),
        }
    }

    #[test]
    fn set_operators_agree_with_the_value_operators() {
        for x in 1u8..8 {
            for y in 1u8..8 {
                let (mut and, mut or) = (0u8, 0u8);
                for a in [F, U, T].into_iter().filter(|a| x & (1 << a) != 0) {
                    for b in [F, U, T].into_iter().filter(|b| y & (1 << b) != 0) {
                        and |= 1 << a.min(b);
                        or |= 1 << a.max(b);
                    }
                }
                assert_eq!(and_sets(x, y), and, "{x:03b} and {y:03b}");
                assert_eq!(or_sets(x, y), or, "{x:03b} or {y:03b}");
            }
        }
    }

    #[test]
    fn a_conjunct_on_another_unknown_fact_keeps_it_from_becoming_true() {
        // f0 == 1 and f2 == 1: f2 stays unknown, so never true.
        let e = program(&[Node::And { end: 3 }, eq(0, 1), eq(2, 1)]);
        assert!(!e.can_become_true(0, 0, &OneKnown));
        // f0 == 1 and f1 == 5: true when f0 is 1.
        let e = program(&[Node::And { end: 3 }, eq(0, 1), eq(1, 5)]);
        assert!(e.can_become_true(0, 0, &OneKnown));
        // f0 == 1 and f1 == 4: false already.
        let e = program(&[Node::And { end: 3 }, eq(0, 1), eq(1, 4)]);
        assert!(!e.can_become_true(0, 0, &OneKnown));
        // not (f0 == 1 or f2 == 1): f0 false leaves `not f2 == 1`, unknown.
        let e = program(&[Node::Not, Node::Or { end: 4 }, eq(0, 1), eq(2, 1)]);
        assert!(!e.can_become_true(0, 0, &OneKnown));
        // f0 is known: true once known.
        let e = program(&[Node::Known { fact: 0 }]);
        assert!(e.can_become_true(0, 0, &OneKnown));
    }

    #[test]
    fn an_operation_and_an_evidence_record_are_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Op>(), 16);
        assert_eq!(std::mem::size_of::<EvidenceRec>(), 16);
    }

    #[test]
    fn keys_split_and_join_for_any_int() {
        let mut e = Exec::default();
        for v in [0, -1, 1, i64::MIN, i64::MAX, 0x904, -(1 << 40)] {
            let op = e.op(&Node::Cmp {
                fact: 0,
                op: CmpOp::Eq,
                value: Value::Int(v),
            });
            assert_eq!(op.key(), v);
        }
    }

    #[test]
    fn strings_are_numbered_and_others_are_minus_one() {
        let mut e = Exec::default();
        let a = e.key_of(&Value::Str("a".into()));
        let b = e.key_of(&Value::Str("b".into()));
        assert_ne!(a, b);
        assert_eq!(e.value_key(&Value::Str("a".into())), Some(a));
        assert_eq!(e.value_key(&Value::Str("zzz".into())), Some(-1));
    }
}
