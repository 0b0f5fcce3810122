//! Observations: what is known about one failing system, typed by the
//! knowledge base's facts.
//!
//! Takes raw values (`name=value` strings, JSON values, text segments, log
//! streams), gives typed values and, for text, the segments plus the text
//! atoms they hit (each segment is scanned once, when it is added).
//!
//! Setting a fact that already has a value replaces it: the last value wins
//! (docs/SEMANTICS.md, "Observations"). Text facts accumulate segments.

use std::collections::HashSet;
use std::io::BufRead;

use crate::fuzzy;
use crate::matcher::Matcher;
use crate::model::{FactIdx, FactType, Value};
use crate::scan::Parts;

/// Longest piece of a log line kept as one segment; longer lines are split.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// A log scan keeps at most this many matching segments per call...
pub const MAX_KEPT_SEGMENTS: usize = 1_000;
/// ...and at most this many bytes of them; past either cap a line is kept
/// only if it hits a text condition no kept segment hits yet.
pub const MAX_KEPT_BYTES: usize = 8 << 20;
/// A log scan searches for literals in blocks of whole lines of up to this
/// many bytes at once.
const LOG_BLOCK_BYTES: usize = 16 << 10;

/// The running state of one [`Observation::scan_log`].
#[derive(Default)]
struct LogState {
    sum: LogSummary,
    seen: HashSet<String>,
    kept_bytes: usize,
    hit: Vec<u32>,
    /// The next line is the first.
    first: bool,
}

/// Longest stretch of user input quoted in an error message.
const QUOTE_LEN: usize = 60;

/// Why an observed value was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ObservationError {
    /// No fact has this name.
    #[error("unknown fact `{name}`{}", did_you_mean(suggestion))]
    UnknownFact {
        /// The name given.
        name: String,
        /// The closest fact name, if one is close.
        suggestion: Option<String>,
    },
    /// The value is not one of an enumeration's values.
    #[error("`{value}` is not a value of `{fact}`; expected one of {}{}", expected.join(", "), did_you_mean(suggestion))]
    NotAValue {
        /// The fact.
        fact: String,
        /// The value given.
        value: String,
        /// The allowed values.
        expected: Vec<String>,
        /// The closest allowed value, if one is close.
        suggestion: Option<String>,
    },
    /// The value is not an integer.
    #[error("`{value}` is not an integer, as `{fact}` needs; write it in decimal (`2308`) or hex (`0x904`)")]
    NotAnInteger {
        /// The fact.
        fact: String,
        /// The value given.
        value: String,
    },
    /// The integer does not fit in 64 bits.
    #[error("`{value}` is too large for `{fact}`; integers must fit in 64 bits")]
    IntegerOverflow {
        /// The fact.
        fact: String,
        /// The value given.
        value: String,
    },
    /// The value is not a boolean.
    #[error("`{value}` is not a yes/no value, as `{fact}` needs; expected one of true, false, yes, no, 1, 0")]
    NotABool {
        /// The fact.
        fact: String,
        /// The value given.
        value: String,
    },
    /// A JSON value of the wrong kind.
    #[error("`{fact}` needs {expected}, not a JSON {found}")]
    WrongJsonType {
        /// The fact.
        fact: String,
        /// What the fact takes.
        expected: &'static str,
        /// What was given.
        found: &'static str,
    },
    /// A typed value of another type than the fact's.
    #[error("`{fact}` takes a {expected} value")]
    WrongType {
        /// The fact.
        fact: String,
        /// The fact's type.
        expected: &'static str,
    },
    /// Text was given for a fact that is not `text`.
    #[error("`{fact}` is a {ty} fact, not text; set it to one value instead")]
    NotText {
        /// The fact.
        fact: String,
        /// The fact's type.
        ty: &'static str,
    },
    /// A JSON document that is not an object of facts.
    #[error("facts must be a JSON object of `name: value`, not a JSON {found}")]
    NotAnObject {
        /// What was given.
        found: &'static str,
    },
    /// Reading a log failed.
    #[error("cannot read the log for `{fact}`: {message}")]
    Io {
        /// The fact.
        fact: String,
        /// The reader's message.
        message: String,
    },
}

fn did_you_mean(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    }
}

/// User input as quoted in a message: at most [`QUOTE_LEN`] chars, control
/// characters escaped.
fn quote(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(QUOTE_LEN)
        .flat_map(char::escape_debug)
        .collect();
    if s.chars().nth(QUOTE_LEN).is_some() {
        out.push('…');
    }
    out
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Parses an integer: decimal or `0x` hex, optionally signed.
pub(crate) fn parse_int(raw: &str) -> Result<i64, bool> {
    let s = raw.trim();
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        Some(d) => (16, d),
        None => (10, rest),
    };
    let digits = digits.replace('_', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(false);
    }
    // Parse the magnitude wide, then apply the sign, so i64::MIN parses.
    let mag = u128::from_str_radix(&digits, radix).map_err(|_| true)?;
    let v = if neg { -(mag as i128) } else { mag as i128 };
    if mag > u64::MAX as u128 {
        return Err(true);
    }
    i64::try_from(v).map_err(|_| true)
}

/// How a log scan went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct LogSummary {
    /// Lines read (a line longer than [`MAX_LINE_BYTES`] counts once per piece).
    pub lines: u64,
    /// Lines with invalid UTF-8, replaced with U+FFFD.
    pub replaced_lines: u64,
    /// Lines longer than [`MAX_LINE_BYTES`], split into pieces.
    pub split_lines: u64,
    /// Segments kept in the observation.
    pub kept: u64,
    /// Matching lines not kept: repeats, or past the caps with nothing new.
    pub dropped: u64,
}

/// What is known about one failing system, built against a [`Matcher`]'s
/// knowledge base.
#[derive(Debug, Clone)]
pub struct Observation<'m> {
    pub(crate) m: &'m Matcher,
    pub(crate) values: Vec<Option<Value>>,
    /// Per fact: its value's key for the matcher's programs.
    pub(crate) keys: Vec<Option<i64>>,
    pub(crate) segments: Vec<Vec<String>>,
    /// Facts with a value or a segment, in the order first set.
    pub(crate) known: Vec<u32>,
    /// Bit per text atom: some segment (or the string value) hits it.
    pub(crate) hits: Vec<u64>,
    lits: Vec<u32>,
    pats: Vec<u32>,
    set: Option<regex_automata::PatternSet>,
}

impl<'m> Observation<'m> {
    /// An empty observation: every fact unknown.
    pub fn new(matcher: &'m Matcher) -> Observation<'m> {
        let n = matcher.facts().len();
        Observation {
            m: matcher,
            values: vec![None; n],
            keys: vec![None; n],
            segments: vec![Vec::new(); n],
            known: Vec::new(),
            hits: vec![0; matcher.tables().atoms.len().div_ceil(64)],
            lits: Vec::new(),
            pats: Vec::new(),
            set: None,
        }
    }

    /// The matcher this observation belongs to.
    pub fn matcher(&self) -> &'m Matcher {
        self.m
    }

    fn fact(&self, name: &str) -> Result<FactIdx, ObservationError> {
        self.m
            .fact_index(name)
            .ok_or_else(|| ObservationError::UnknownFact {
                name: quote(name),
                suggestion: fuzzy::closest(name, self.m.facts().iter().map(|f| f.id.as_str()))
                    .map(str::to_string),
            })
    }

    /// Sets a fact from its text form: `0x904` or `2308` for ints,
    /// `true/false/yes/no/1/0` for bools, a value id for enums, the text
    /// itself for strings; for a text fact the text is added as a segment.
    pub fn set(&mut self, name: &str, raw: &str) -> Result<(), ObservationError> {
        let f = self.fact(name)?;
        let facts = self.m.facts();
        let Some(fact) = facts.get(f.index()) else {
            return Ok(());
        };
        let v = match &fact.ty {
            FactType::Text => {
                self.push_segment(f, raw.to_string());
                return Ok(());
            }
            FactType::Str => Value::Str(raw.to_string()),
            FactType::Int => Value::Int(parse_int(raw).map_err(|overflow| {
                let (fact, value) = (fact.id.clone(), quote(raw));
                if overflow {
                    ObservationError::IntegerOverflow { fact, value }
                } else {
                    ObservationError::NotAnInteger { fact, value }
                }
            })?),
            FactType::Bool => match raw.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Value::Bool(true),
                "false" | "no" | "0" => Value::Bool(false),
                _ => {
                    return Err(ObservationError::NotABool {
                        fact: fact.id.clone(),
                        value: quote(raw),
                    })
                }
            },
            FactType::Enum(vals) => {
                let t = raw.trim();
                match vals.iter().position(|v| v.id == t) {
                    Some(i) => Value::Enum(i as u32),
                    None => {
                        return Err(ObservationError::NotAValue {
                            fact: fact.id.clone(),
                            value: quote(raw),
                            expected: vals.iter().map(|v| v.id.clone()).collect(),
                            suggestion: fuzzy::closest(t, vals.iter().map(|v| v.id.as_str()))
                                .map(str::to_string),
                        })
                    }
                }
            }
        };
        self.put(f, v);
        Ok(())
    }

    /// Sets a fact from a JSON value: booleans, integers (or strings in any
    /// form [`set`](Self::set) takes), strings, and for text facts a string
    /// or an array of strings (segments). `null` makes the fact unknown.
    pub fn set_json(
        &mut self,
        name: &str,
        value: &serde_json::Value,
    ) -> Result<(), ObservationError> {
        use serde_json::Value as J;
        let f = self.fact(name)?;
        let facts = self.m.facts();
        let Some(fact) = facts.get(f.index()) else {
            return Ok(());
        };
        let wrong = |expected| ObservationError::WrongJsonType {
            fact: fact.id.clone(),
            expected,
            found: json_kind(value),
        };
        match (&fact.ty, value) {
            (_, J::Null) => {
                self.unset_idx(f);
                Ok(())
            }
            (_, J::String(s)) => self.set(name, s),
            (FactType::Bool, J::Bool(b)) => {
                self.put(f, Value::Bool(*b));
                Ok(())
            }
            (FactType::Bool, J::Number(n)) if n.as_u64().is_some_and(|n| n <= 1) => {
                self.put(f, Value::Bool(n.as_u64() == Some(1)));
                Ok(())
            }
            (FactType::Bool, _) => Err(wrong("true or false")),
            (FactType::Int, J::Number(n)) => match n.as_i64() {
                Some(i) => {
                    self.put(f, Value::Int(i));
                    Ok(())
                }
                None if n.is_u64() => Err(ObservationError::IntegerOverflow {
                    fact: fact.id.clone(),
                    value: n.to_string(),
                }),
                None => Err(ObservationError::NotAnInteger {
                    fact: fact.id.clone(),
                    value: n.to_string(),
                }),
            },
            (FactType::Int, _) => Err(wrong("an integer")),
            (FactType::Str, J::Number(_) | J::Bool(_)) => self.set(name, &value.to_string()),
            (FactType::Str, _) => Err(wrong("a string")),
            (FactType::Enum(_), _) => Err(wrong("a value id string")),
            (FactType::Text, J::Array(items)) => {
                for it in items {
                    match it {
                        J::String(s) => self.push_segment(f, s.clone()),
                        _ => return Err(wrong("a string or an array of strings")),
                    }
                }
                Ok(())
            }
            (FactType::Text, _) => Err(wrong("a string or an array of strings")),
        }
    }

    /// Sets every fact of a JSON object `{name: value, ...}`; stops at the
    /// first error.
    pub fn set_json_object(&mut self, facts: &serde_json::Value) -> Result<(), ObservationError> {
        let serde_json::Value::Object(map) = facts else {
            return Err(ObservationError::NotAnObject {
                found: json_kind(facts),
            });
        };
        for (k, v) in map {
            self.set_json(k, v)?;
        }
        Ok(())
    }

    /// Sets a fact to a typed value (as an [`Example`](crate::model::Example)
    /// gives it). A `Str` value for a text fact is added as a segment.
    pub fn set_value(&mut self, fact: FactIdx, value: Value) -> Result<(), ObservationError> {
        let facts = self.m.facts();
        let Some(f) = facts.get(fact.index()) else {
            return Err(ObservationError::UnknownFact {
                name: format!("#{}", fact.0),
                suggestion: None,
            });
        };
        if !crate::validate::value_fits(&f.ty, &value) {
            return Err(ObservationError::WrongType {
                fact: f.id.clone(),
                expected: f.ty.name(),
            });
        }
        match (&f.ty, value) {
            (FactType::Text, Value::Str(s)) => self.push_segment(fact, s),
            (_, v) => self.put(fact, v),
        }
        Ok(())
    }

    /// Adds one segment (a message, or one line of a log) to a text fact.
    pub fn add_text(&mut self, name: &str, segment: &str) -> Result<(), ObservationError> {
        let f = self.text_fact(name)?;
        self.push_segment(f, segment.to_string());
        Ok(())
    }

    /// Makes a fact unknown again (its value or all its segments removed).
    pub fn unset(&mut self, name: &str) -> Result<(), ObservationError> {
        let f = self.fact(name)?;
        self.unset_idx(f);
        Ok(())
    }

    /// The value of a non-text fact, if known.
    pub fn value(&self, fact: FactIdx) -> Option<&Value> {
        self.values.get(fact.index()).and_then(Option::as_ref)
    }

    /// The segments of a text fact.
    pub fn segments(&self, fact: FactIdx) -> &[String] {
        self.segments
            .get(fact.index())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether the fact is known: it has a value, or at least one segment.
    pub fn is_known(&self, fact: FactIdx) -> bool {
        self.value(fact).is_some() || !self.segments(fact).is_empty()
    }

    /// The known facts, in the order they were first set.
    pub fn known_facts(&self) -> impl Iterator<Item = FactIdx> + '_ {
        self.known.iter().map(|&f| FactIdx(f))
    }

    fn text_fact(&self, name: &str) -> Result<FactIdx, ObservationError> {
        let f = self.fact(name)?;
        match self.m.facts().get(f.index()) {
            Some(fact) if fact.ty != FactType::Text => Err(ObservationError::NotText {
                fact: fact.id.clone(),
                ty: fact.ty.name(),
            }),
            _ => Ok(f),
        }
    }

    fn mark_known(&mut self, f: FactIdx) {
        if !self.known.contains(&f.0) {
            self.known.push(f.0);
        }
    }

    fn atom_range(&self, f: FactIdx) -> std::ops::Range<usize> {
        let t = &self.m.tables().fact_atoms;
        let a = t.get(f.index()).copied().unwrap_or(0) as usize;
        let b = t.get(f.index() + 1).copied().unwrap_or(0) as usize;
        a..b.max(a)
    }

    fn clear_hits(&mut self, f: FactIdx) {
        for a in self.atom_range(f) {
            if let Some(w) = self.hits.get_mut(a / 64) {
                *w &= !(1u64 << (a % 64));
            }
        }
    }

    pub(crate) fn hit(&self, atom: usize) -> bool {
        self.hits
            .get(atom / 64)
            .is_some_and(|w| w & (1u64 << (atom % 64)) != 0)
    }

    /// The atoms of fact `f` that `text` hits, into `out` (ascending);
    /// `parts`: what `text` may hold.
    fn atoms_hit(&mut self, f: FactIdx, text: &str, parts: Parts, out: &mut Vec<u32>) {
        out.clear();
        if self.atom_range(f).is_empty() {
            return;
        }
        let t = self.m.tables();
        let scanners = self.m.scanners();
        scanners.scan_parts(text, parts, &mut self.lits, &mut self.pats, &mut self.set);
        for &l in &self.lits {
            out.extend(
                t.literal_atoms
                    .get(l as usize)
                    .iter()
                    .filter(|&&a| t.atoms.get(a as usize).is_some_and(|x| x.fact == f.0)),
            );
        }
        for &p in &self.pats {
            out.extend(
                t.pattern_atoms
                    .get(p as usize)
                    .iter()
                    .filter(|&&a| t.atoms.get(a as usize).is_some_and(|x| x.fact == f.0)),
            );
        }
        out.sort_unstable();
        out.dedup();
    }

    fn set_hits(&mut self, atoms: &[u32]) {
        for &a in atoms {
            let a = a as usize;
            if let Some(w) = self.hits.get_mut(a / 64) {
                *w |= 1u64 << (a % 64);
            }
        }
    }

    fn put(&mut self, f: FactIdx, v: Value) {
        let is_str = matches!(v, Value::Str(_));
        if is_str {
            self.clear_hits(f);
            if let Value::Str(s) = &v {
                let mut hit = Vec::new();
                self.atoms_hit(f, s, Parts::ALL, &mut hit);
                self.set_hits(&hit);
            }
        }
        if let (Some(slot), Some(key)) =
            (self.values.get_mut(f.index()), self.keys.get_mut(f.index()))
        {
            *key = self.m.value_key(&v);
            *slot = Some(v);
            self.mark_known(f);
        }
    }

    fn push_segment(&mut self, f: FactIdx, s: String) {
        let mut hit = Vec::new();
        self.atoms_hit(f, &s, Parts::ALL, &mut hit);
        self.set_hits(&hit);
        if let Some(segs) = self.segments.get_mut(f.index()) {
            segs.push(s);
            self.mark_known(f);
        }
    }

    fn unset_idx(&mut self, f: FactIdx) {
        self.clear_hits(f);
        if let Some(v) = self.values.get_mut(f.index()) {
            *v = None;
        }
        if let Some(k) = self.keys.get_mut(f.index()) {
            *k = None;
        }
        if let Some(s) = self.segments.get_mut(f.index()) {
            s.clear();
        }
        self.known.retain(|&k| k != f.0);
    }

    /// Reads a log line by line in bounded memory and adds to the text fact
    /// `name` only the lines that hit one of its `contains`/`matches`
    /// conditions (distinct lines, capped; see [`MAX_KEPT_SEGMENTS`]), plus
    /// the first line so that the fact is known. Invalid UTF-8 is replaced
    /// with U+FFFD and counted. Every text condition on the fact evaluates
    /// as if every line had been added (lines longer than
    /// [`MAX_LINE_BYTES`] are split, and a match across a split is not seen).
    pub fn scan_log(
        &mut self,
        name: &str,
        mut reader: impl BufRead,
    ) -> Result<LogSummary, ObservationError> {
        let f = self.text_fact(name)?;
        let io = |e: std::io::Error| ObservationError::Io {
            fact: name.to_string(),
            message: e.to_string(),
        };
        let mut st = LogState {
            first: true,
            ..LogState::default()
        };
        if !self.atom_range(f).is_empty() {
            self.m.scanners().for_logs();
        }
        let mut buf: Vec<u8> = Vec::with_capacity(1024);
        let mut carry: Vec<u8> = Vec::new();
        let mut spans = Vec::new();
        let mut continuing = false;
        loop {
            // A block of whole lines of valid UTF-8: one literal search and
            // one pattern search for the block; a line runs only what the
            // block search says it may hold.
            if carry.is_empty() && !continuing {
                let avail = reader.fill_buf().map_err(io)?;
                let window = avail.get(..avail.len().min(LOG_BLOCK_BYTES)).unwrap_or(&[]);
                let block = window
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .and_then(|end| window.get(..=end))
                    .and_then(|b| std::str::from_utf8(b).ok());
                if let Some(block) = block {
                    self.m
                        .scanners()
                        .literal_spans(block.as_bytes(), &mut spans);
                    let patterns = self.m.scanners().patterns_in_block(block);
                    let mut next_span = spans.iter().peekable();
                    let mut at = 0;
                    for raw in block.split_inclusive('\n') {
                        let end = at + raw.len();
                        // Spans that end before this line are behind us.
                        while next_span.peek().is_some_and(|s| s.1 <= at) {
                            next_span.next();
                        }
                        let parts = Parts {
                            literals: next_span.peek().is_some_and(|s| s.0 < end),
                            patterns,
                        };
                        let line = raw.trim_end_matches(['\n', '\r']);
                        self.log_line(f, std::borrow::Cow::Borrowed(line), parts, &mut st);
                        at = end;
                    }
                    let n = block.len();
                    reader.consume(n);
                    continue;
                }
            }
            buf.clear();
            buf.append(&mut carry);
            let room = (MAX_LINE_BYTES.saturating_sub(buf.len())) as u64;
            let n = std::io::Read::take(&mut reader, room)
                .read_until(b'\n', &mut buf)
                .map_err(io)?;
            if n == 0 && buf.is_empty() {
                break;
            }
            let complete = buf.last() == Some(&b'\n') || n == 0;
            if !complete {
                // A piece of a long line: keep an unfinished UTF-8 sequence
                // for the next piece.
                let cut = utf8_cut(&buf);
                carry.extend_from_slice(buf.get(cut..).unwrap_or(&[]));
                buf.truncate(cut);
                if !continuing {
                    st.sum.split_lines += 1;
                }
            }
            continuing = !complete;
            while matches!(buf.last(), Some(b'\n' | b'\r')) && complete {
                buf.pop();
            }
            // Valid UTF-8 (nearly every line) is checked by the fast
            // validator; only a bad line goes through the slower lossy path.
            let line = match std::str::from_utf8(&buf) {
                Ok(s) => std::borrow::Cow::Borrowed(s),
                Err(_) => String::from_utf8_lossy(&buf),
            };
            if matches!(line, std::borrow::Cow::Owned(_)) {
                st.sum.replaced_lines += 1;
            }
            self.log_line(f, line, Parts::ALL, &mut st);
        }
        Ok(st.sum)
    }

    /// Takes one line of a log (see [`scan_log`](Self::scan_log)): keeps it
    /// if it is the first, or hits a text condition and is new, within the
    /// caps. `literals`: whether the line may hold a literal.
    fn log_line(
        &mut self,
        f: FactIdx,
        line: std::borrow::Cow<'_, str>,
        parts: Parts,
        st: &mut LogState,
    ) {
        st.sum.lines += 1;
        let mut hit = std::mem::take(&mut st.hit);
        self.atoms_hit(f, &line, parts, &mut hit);
        st.hit = hit;
        if st.first {
            st.first = false;
            if st.hit.is_empty() {
                st.seen.insert(line.to_string());
                self.push_segment(f, line.into_owned());
                st.sum.kept += 1;
                return;
            }
        }
        if st.hit.is_empty() {
            return;
        }
        if st.seen.contains(line.as_ref()) {
            st.sum.dropped += 1;
            return;
        }
        let under_caps = (st.sum.kept as usize) < MAX_KEPT_SEGMENTS
            && st.kept_bytes.saturating_add(line.len()) <= MAX_KEPT_BYTES;
        let brings_new = st.hit.iter().any(|&a| !self.hit(a as usize));
        if under_caps || brings_new {
            st.kept_bytes = st.kept_bytes.saturating_add(line.len());
            let line = line.into_owned();
            st.seen.insert(line.clone());
            let hit = std::mem::take(&mut st.hit);
            self.set_hits(&hit);
            st.hit = hit;
            if let Some(segs) = self.segments.get_mut(f.index()) {
                segs.push(line);
            }
            self.mark_known(f);
            st.sum.kept += 1;
        } else {
            st.sum.dropped += 1;
        }
    }
}

/// The length of the longest prefix of `b` that does not end inside a UTF-8
/// sequence.
fn utf8_cut(b: &[u8]) -> usize {
    let len = b.len();
    for back in 1..=3.min(len) {
        let i = len - back;
        let byte = b.get(i).copied().unwrap_or(0);
        if byte & 0xC0 == 0x80 {
            continue;
        }
        let need = if byte >= 0xF0 {
            4
        } else if byte >= 0xE0 {
            3
        } else if byte >= 0xC0 {
            2
        } else {
            1
        };
        return if back < need { i } else { len };
    }
    len
}
