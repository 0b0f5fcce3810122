//! Synthetic knowledge bases for benchmarks and tests.
//!
//! [`generate`] writes `.kb` **source text** (not a model), so a benchmark or
//! a property test exercises the parser and the checker exactly as a real
//! knowledge base does. The output is deterministic: the same
//! [`SynthConfig`] always gives the same files, byte for byte, on every
//! platform (a SplitMix64 generator, no external RNG, no hashing order).
//!
//! What a generated knowledge base holds, for `rules` ≈ symptoms + causes +
//! fixes + examples:
//!
//! - 25 to 40 facts (more for bigger bases) of every type: `error_code` and
//!   `extended_code` (`int`, written in hex), booleans, enumerations of 3 to
//!   12 values, a few other integers and strings, and one or two `text`
//!   facts (`message`, `log_line`); every fact has a question;
//! - symptom groups: a symptom keyed by a distinct
//!   `error_code == 0x… and extended_code == 0x…` pair (three in four) or by
//!   a message literal, 5 to 15 causes with priors and 2 to 6 evidence lines
//!   each (`and`/`or`/`not`, `in` lists, comparisons, `contains` literals
//!   and `matches` regexes on the text facts, `is known`, some `rules_out`),
//!   fixes with 2 to 6 steps of every kind, sources on every cause and fix,
//!   a guide for every tenth symptom, and an example for about every other
//!   symptom;
//! - exactly `text_patterns` distinct text patterns (two literals for every
//!   regex) over the `text` facts, clamped to `[text facts, 4 × rules]`;
//! - files of about 250 rules each under `areas/aNNN/` plus `facts.kb`,
//!   `sources.kb` and `kb.yaml`.
//!
//! The result checks clean: no errors and no warnings. Examples only expect
//! what holds under any reasonable ranking (a cause of the observed symptom
//! is ranked, a cause whose `rules_out` fired is ruled out, a cause of an
//! unobserved code is not ranked).
//!
//! ```
//! use kbc_compiler::synth::{self, SynthConfig};
//!
//! let config = SynthConfig { rules: 300, seed: 7, text_patterns: 40 };
//! let kb = synth::generate_kb(&config);
//! assert_eq!(kb.counts.text_patterns, 40);
//! assert!(kb.counts.rules() >= 300);
//!
//! let checked = kbc_compiler::check(&kb.to_input());
//! assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
//! let model = checked.model.unwrap();
//! assert_eq!(model.causes.len(), kb.counts.causes);
//!
//! // Observations for a benchmark: an error code and its extended code (or
//! // a message) that select a symptom, four environment facts, and a
//! // 200-byte message.
//! let observations = synth::observations(&model, 100, 1);
//! assert_eq!(observations.len(), 100);
//! let pairs = observations[0].pairs(&model);
//! assert!(pairs.iter().any(|(name, _)| name == "message"));
//!
//! // Or write it to a folder for `kbc check`:
//! let dir = std::env::temp_dir().join("kbc-synth-doc-example");
//! kb.write_to(&dir).unwrap();
//! let loaded = kbc_compiler::load_dir(&dir).unwrap();
//! assert_eq!(loaded.files.len(), kb.files.len());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use crate::check::{Input, InputFile};
use kbc_runtime::model::{CmpOp, Condition, FactIdx, FactType, KnowledgeBase, Value};
use std::fmt::Write as _;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthConfig {
    /// Target size in rules (symptoms + causes + fixes + examples). The
    /// result is within a few rules of it, never below it.
    pub rules: usize,
    /// The seed: the same config always gives the same text.
    pub seed: u64,
    /// Distinct `contains`/`matches` patterns over the `text` facts,
    /// clamped to at least one per text fact and at most `4 × rules`.
    pub text_patterns: usize,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            rules: 1_000,
            seed: 1,
            text_patterns: 100,
        }
    }
}

/// How many of each declaration a generated knowledge base holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SynthCounts {
    /// `fact` declarations.
    pub facts: usize,
    /// `symptom` declarations.
    pub symptoms: usize,
    /// `cause` declarations.
    pub causes: usize,
    /// `fix` declarations.
    pub fixes: usize,
    /// `example` declarations.
    pub examples: usize,
    /// `source` declarations.
    pub sources: usize,
    /// `guide` declarations.
    pub guides: usize,
    /// Evidence lines over all causes.
    pub evidence_lines: usize,
    /// Distinct text patterns (`contains` literals and `matches` regexes)
    /// over the `text` facts.
    pub text_patterns: usize,
}

impl SynthCounts {
    /// Symptoms + causes + fixes + examples: the size the config asks for.
    pub fn rules(&self) -> usize {
        self.symptoms + self.causes + self.fixes + self.examples
    }
}

/// A generated knowledge base: `kb.yaml` and the `.kb` files as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthKb {
    /// The text of `kb.yaml`.
    pub kb_yaml: String,
    /// `(path, text)` of every `.kb` file, `/`-separated, sorted by path.
    pub files: Vec<(String, String)>,
    /// What it holds.
    pub counts: SynthCounts,
}

impl SynthKb {
    /// The knowledge base as [`crate::check`] takes it.
    pub fn to_input(&self) -> Input {
        Input {
            kb_yaml: Some(self.kb_yaml.as_bytes().to_vec()),
            files: self
                .files
                .iter()
                .map(|(path, text)| InputFile {
                    path: path.clone(),
                    bytes: text.as_bytes().to_vec(),
                })
                .collect(),
        }
    }

    /// Total size of the `.kb` files in bytes.
    pub fn source_bytes(&self) -> usize {
        self.files.iter().map(|(_, t)| t.len()).sum()
    }

    /// Writes `kb.yaml` and every file under `dir`, creating folders as
    /// needed. Existing files with the same names are overwritten; nothing
    /// else in `dir` is touched.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("kb.yaml"), &self.kb_yaml)?;
        for (path, text) in &self.files {
            let full = path.split('/').fold(dir.to_path_buf(), |p, c| p.join(c));
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(full, text)?;
        }
        Ok(())
    }
}

/// Generates a knowledge base as [`Input`], ready for [`crate::check`].
pub fn generate(config: &SynthConfig) -> Input {
    generate_kb(config).to_input()
}

/// Generates a knowledge base as text, with its counts.
pub fn generate_kb(config: &SynthConfig) -> SynthKb {
    Generator::new(config).run()
}

/// Generates a knowledge base and writes it to `dir` (see
/// [`SynthKb::write_to`]).
pub fn write_dir(config: &SynthConfig, dir: &Path) -> std::io::Result<SynthKb> {
    let kb = generate_kb(config);
    kb.write_to(dir)?;
    Ok(kb)
}

// ---------------------------------------------------------------------------
// Observations

/// One synthetic observation: typed fact values, each fact at most once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthObservation {
    /// The observed facts, in fact order.
    pub facts: Vec<(FactIdx, Value)>,
}

impl SynthObservation {
    /// The facts as `name=value` pairs the way a user writes them: integers
    /// of facts whose name ends in `code` in hex (`0x904`), other integers in
    /// decimal, enumeration values by id, text as is.
    pub fn pairs(&self, model: &KnowledgeBase) -> Vec<(String, String)> {
        self.entries(model)
            .into_iter()
            .map(|(name, text, _)| (name, text))
            .collect()
    }

    fn entries<'v>(&'v self, model: &KnowledgeBase) -> Vec<(String, String, &'v Value)> {
        self.facts
            .iter()
            .filter_map(|(f, v)| {
                let fact = model.facts.get(f.index())?;
                let text = match v {
                    Value::Bool(b) => b.to_string(),
                    Value::Int(i) if fact.id.ends_with("code") && *i >= 0 => format!("{i:#x}"),
                    Value::Int(i) => i.to_string(),
                    Value::Str(s) => s.clone(),
                    Value::Enum(e) => match &fact.ty {
                        FactType::Enum(values) => values.get(*e as usize)?.id.clone(),
                        _ => return None,
                    },
                };
                Some((fact.id.clone(), text, v))
            })
            .collect()
    }

    /// The facts as a JSON object (`{"error_code": 2308, "via_vpn": true,
    /// "client_os": "windows10", "message": "..."}`), the shape `kbc
    /// diagnose --facts` reads.
    pub fn to_json(&self, model: &KnowledgeBase) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (name, text, v) in self.entries(model) {
            let json = match v {
                Value::Bool(b) => serde_json::Value::Bool(*b),
                Value::Int(i) => serde_json::Value::from(*i),
                _ => serde_json::Value::String(text),
            };
            map.insert(name, json);
        }
        serde_json::Value::Object(map)
    }
}

/// Length of the message in every observation, in bytes (longer only when
/// the literals it must contain are longer).
pub const OBSERVATION_MESSAGE_BYTES: usize = 200;

/// `n` observations of `model`, deterministic in `seed`. Each picks a
/// symptom and sets the facts its `when` asks for (the error code and
/// extended code, or the message literal), then four other non-text facts
/// at random, and a [`OBSERVATION_MESSAGE_BYTES`]-byte message on the first
/// `text` fact — half of the time with one of the knowledge base's
/// `contains` literals in it, so text evidence fires. Works on any model,
/// not only generated ones.
pub fn observations(model: &KnowledgeBase, n: usize, seed: u64) -> Vec<SynthObservation> {
    let mut rng = Rng::new(seed ^ 0x0b5e_7a71_0000_0000);
    let message_fact = model
        .facts
        .iter()
        .position(|f| f.id == "message" && f.ty == FactType::Text)
        .or_else(|| model.facts.iter().position(|f| f.ty == FactType::Text));
    let mut literals = Vec::new();
    if let Some(m) = message_fact {
        for e in model.causes.iter().flat_map(|c| &c.evidence) {
            collect_needles(&e.condition, m as u32, &mut literals);
        }
    }
    (0..n)
        .map(|_| {
            let mut obs: Vec<Option<Value>> = vec![None; model.facts.len()];
            let mut message_parts: Vec<String> = Vec::new();
            if !model.symptoms.is_empty() {
                let s = &model.symptoms[rng.below(model.symptoms.len())];
                satisfy(&s.condition, message_fact, &mut obs, &mut message_parts);
            }
            // Four environment facts.
            let mut free: Vec<usize> = (0..model.facts.len())
                .filter(|&i| obs[i].is_none() && model.facts[i].ty != FactType::Text)
                .collect();
            for _ in 0..4 {
                if free.is_empty() {
                    break;
                }
                let i = free.swap_remove(rng.below(free.len()));
                obs[i] = random_value(&model.facts[i].ty, &mut rng);
            }
            if let Some(m) = message_fact {
                if !literals.is_empty() && rng.chance(0.5) {
                    message_parts.push(literals[rng.below(literals.len())].clone());
                }
                obs[m] = Some(Value::Str(message(&message_parts, &mut rng)));
            }
            SynthObservation {
                facts: obs
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, v)| Some((FactIdx(i as u32), v?)))
                    .collect(),
            }
        })
        .collect()
}

fn collect_needles(c: &Condition, fact: u32, out: &mut Vec<String>) {
    match c {
        Condition::And(cs) | Condition::Or(cs) => {
            cs.iter().for_each(|c| collect_needles(c, fact, out))
        }
        Condition::Not(_) => {}
        Condition::Contains { fact: f, needle } if f.0 == fact => out.push(needle.clone()),
        _ => {}
    }
}

/// Sets facts so that `c` holds where that is easy (conjunctions of
/// equalities, memberships and literals); other shapes are left alone.
fn satisfy(
    c: &Condition,
    message_fact: Option<usize>,
    obs: &mut [Option<Value>],
    message_parts: &mut Vec<String>,
) {
    match c {
        Condition::And(cs) => cs
            .iter()
            .for_each(|c| satisfy(c, message_fact, obs, message_parts)),
        Condition::Or(cs) => {
            if let Some(first) = cs.first() {
                satisfy(first, message_fact, obs, message_parts);
            }
        }
        Condition::Compare { fact, op, value } => {
            let v = match (op, value) {
                (CmpOp::Eq | CmpOp::Ge | CmpOp::Le, v) => v.clone(),
                (CmpOp::Gt, Value::Int(i)) => Value::Int(i.saturating_add(1)),
                (CmpOp::Lt, Value::Int(i)) => Value::Int(i.saturating_sub(1)),
                _ => return,
            };
            if let Some(slot @ None) = obs.get_mut(fact.index()) {
                *slot = Some(v);
            }
        }
        Condition::In { fact, values } => {
            if let (Some(slot @ None), Some(v)) = (obs.get_mut(fact.index()), values.first()) {
                *slot = Some(v.clone());
            }
        }
        Condition::Contains { fact, needle } => {
            if Some(fact.index()) == message_fact {
                message_parts.push(needle.clone());
            } else if let Some(slot @ None) = obs.get_mut(fact.index()) {
                *slot = Some(Value::Str(needle.clone()));
            }
        }
        Condition::True
        | Condition::Not(_)
        | Condition::Matches { .. }
        | Condition::Known { .. } => {}
    }
}

fn random_value(ty: &FactType, rng: &mut Rng) -> Option<Value> {
    Some(match ty {
        FactType::Bool => Value::Bool(rng.chance(0.5)),
        FactType::Int => Value::Int(rng.below(4096) as i64),
        FactType::Str => Value::Str(format!("{}{}", rng.pick(WORDS), rng.below(100))),
        FactType::Enum(values) if !values.is_empty() => Value::Enum(rng.below(values.len()) as u32),
        FactType::Enum(_) | FactType::Text => return None,
    })
}

fn message(parts: &[String], rng: &mut Rng) -> String {
    let mut m = String::with_capacity(OBSERVATION_MESSAGE_BYTES + 16);
    m.push_str(rng.pick(MESSAGE_OPENINGS));
    for p in parts {
        m.push_str(": ");
        m.push_str(p);
    }
    m.push('.');
    let needed = m.len();
    while m.len() < OBSERVATION_MESSAGE_BYTES {
        m.push(' ');
        m.push_str(rng.pick(WORDS));
    }
    // Only ASCII filler words lie past `needed`: cutting there is safe.
    m.truncate(needed.max(OBSERVATION_MESSAGE_BYTES));
    m
}

// ---------------------------------------------------------------------------
// The generator

/// SplitMix64: tiny, fast, and good enough for test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`; 0 when `n` is 0.
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A random element; `xs` is one of the non-empty word lists below.
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs.get(self.below(xs.len())).copied().unwrap_or("x")
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Bool,
    Int { lo: i64, hi: i64 },
    Enum(Vec<String>),
    Str(Vec<String>),
    Text,
}

#[derive(Debug, Clone)]
struct FactSpec {
    id: String,
    kind: Kind,
    /// `error_code` and `extended_code` are reserved for symptoms and examples.
    code: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Code(u32, u32),
    Message,
}

struct SymptomSpec {
    id: String,
    area: usize,
    key: Key,
    text: String,
}

struct EvLine {
    strength: &'static str,
    condition: String,
    because: Option<String>,
}

struct CauseSpec {
    id: String,
    title: String,
    area: usize,
    produces: Vec<usize>,
    prior: &'static str,
    description: String,
    evidence: Vec<EvLine>,
    sources: Vec<usize>,
    /// `fact = value` that makes this cause's `rules_out` line true.
    rules_out: Option<(usize, String)>,
}

struct Generator<'c> {
    config: &'c SynthConfig,
    rng: Rng,
    facts: Vec<FactSpec>,
    /// Indexes of the `text` facts.
    text_facts: Vec<usize>,
    /// Literal patterns and regex patterns, each with the text fact it is on.
    literals: Vec<String>,
    regexes: Vec<String>,
    next_literal: usize,
    next_regex: usize,
    /// How often a generated evidence line gets a text test.
    text_rate: f64,
    /// Each fact's first use is forced so none is unused.
    next_unused_fact: usize,
    /// Facts some condition reads.
    used: Vec<bool>,
    symptoms: Vec<SymptomSpec>,
    causes: Vec<CauseSpec>,
    /// Per area, the rendered fixes, examples and guides.
    fixes: Vec<(usize, String)>,
    examples: Vec<(usize, String)>,
    guides: Vec<(usize, String)>,
    sources: usize,
    next_source: usize,
    counts: SynthCounts,
}

const RULES_PER_AREA: usize = 250;

impl<'c> Generator<'c> {
    fn new(config: &'c SynthConfig) -> Self {
        Generator {
            config,
            rng: Rng::new(config.seed),
            facts: Vec::new(),
            text_facts: Vec::new(),
            literals: Vec::new(),
            regexes: Vec::new(),
            next_literal: 0,
            next_regex: 0,
            text_rate: 0.3,
            next_unused_fact: 0,
            used: Vec::new(),
            symptoms: Vec::new(),
            causes: Vec::new(),
            fixes: Vec::new(),
            examples: Vec::new(),
            guides: Vec::new(),
            sources: 0,
            next_source: 0,
            counts: SynthCounts::default(),
        }
    }

    fn run(mut self) -> SynthKb {
        let rules = self.config.rules.max(3);
        self.make_facts(rules);
        self.make_patterns(rules);
        // At least two causes and fixes cite round-robin, so two sources are all cited.
        self.sources = (rules / 25).max(2);
        // About two evidence lines per rule; aim for 1.3 text tests per pattern.
        let expected_lines = (rules as f64 * 2.0).max(1.0);
        let patterns = (self.literals.len() + self.regexes.len()) as f64;
        self.text_rate = (1.3 * patterns / expected_lines).clamp(0.25, 0.9);

        let mut remaining = rules;
        let mut group = 0usize;
        while remaining > 0 {
            let area = (rules - remaining) / RULES_PER_AREA;
            let used = self.group(group, area, remaining);
            remaining = remaining.saturating_sub(used);
            group += 1;
        }
        self.use_every_pattern();
        self.use_every_fact();
        self.render()
    }

    // ---- facts ----

    fn make_facts(&mut self, rules: usize) {
        let total = (15.0 + 5.0 * (rules as f64).log10())
            .round()
            .clamp(15.0, 40.0) as usize;
        let push = |facts: &mut Vec<FactSpec>, id: &str, kind: Kind, code: bool| {
            facts.push(FactSpec {
                id: id.to_string(),
                kind,
                code,
            })
        };
        push(
            &mut self.facts,
            "error_code",
            Kind::Int { lo: 0, hi: 0xffff },
            true,
        );
        push(
            &mut self.facts,
            "extended_code",
            Kind::Int { lo: 0, hi: 0xff },
            true,
        );
        push(&mut self.facts, "message", Kind::Text, false);
        if total >= 20 {
            push(&mut self.facts, "log_line", Kind::Text, false);
        }
        let rest = total - self.facts.len();
        let ints = (rest / 10).max(1);
        let strings = (rest / 8).max(1);
        let enums = rest * 2 / 5;
        let bools = rest - ints - strings - enums;
        for i in 0..bools {
            let id = BOOL_FACTS
                .get(i)
                .map_or_else(|| format!("flag_{i}"), |s| s.to_string());
            push(&mut self.facts, &id, Kind::Bool, false);
        }
        for i in 0..enums {
            let (id, values): (String, Vec<String>) = match ENUM_FACTS.get(i) {
                Some((id, vs)) => (id.to_string(), vs.iter().map(|v| v.to_string()).collect()),
                None => {
                    let n = self.rng.range(3, 12);
                    (
                        format!("setting_{i}"),
                        (0..n).map(|v| format!("mode_{v}")).collect(),
                    )
                }
            };
            push(&mut self.facts, &id, Kind::Enum(values), false);
        }
        for i in 0..ints {
            let (id, lo, hi) = INT_FACTS.get(i).copied().map_or_else(
                || (format!("counter_{i}"), 0, 1000),
                |(a, b, c)| (a.to_string(), b, c),
            );
            push(&mut self.facts, &id, Kind::Int { lo, hi }, false);
        }
        for i in 0..strings {
            let (id, values) = match STRING_FACTS.get(i) {
                Some((id, vs)) => (id.to_string(), vs.iter().map(|v| v.to_string()).collect()),
                None => (
                    format!("label_{i}"),
                    (0..6).map(|v| format!("value-{v}")).collect(),
                ),
            };
            push(&mut self.facts, &id, Kind::Str(values), false);
        }
        self.text_facts = self
            .facts
            .iter()
            .enumerate()
            .filter(|(_, f)| f.kind == Kind::Text)
            .map(|(i, _)| i)
            .collect();
        self.counts.facts = self.facts.len();
        self.used = vec![false; self.facts.len()];
    }

    // ---- text patterns ----

    fn make_patterns(&mut self, rules: usize) {
        let n = self
            .config
            .text_patterns
            .min(rules * 4)
            .max(self.text_facts.len());
        for i in 0..n {
            let word = |k: usize, list: &[&'static str]| list[(i * 7 + k * 13) % list.len()];
            let token = format!("{:x}", 0x1000 + i * 0x3b);
            if i % 3 == 2 {
                let r = match i % 4 {
                    0 => format!(
                        r"(?i){} (failed|was rejected) after [0-9]+ ms \(r{token}\)",
                        word(0, SUBJECTS)
                    ),
                    1 => format!(r"error 0x[0-9a-f]{{4,8}} in {} k{token}", word(1, SUBJECTS)),
                    2 => format!(r"\b{}-{token}\d{{2,4}}\b", word(2, WORDS)),
                    _ => format!(
                        r"{} (timed out|reset|closed) on port \d+ \[{token}\]",
                        word(3, SUBJECTS)
                    ),
                };
                self.regexes.push(r);
            } else {
                let l = format!(
                    "{} {} {} ({token})",
                    word(0, SUBJECTS),
                    word(1, VERBS),
                    word(2, OBJECTS)
                );
                self.literals.push(l);
            }
        }
        self.counts.text_patterns = self.literals.len() + self.regexes.len();
    }

    fn take_literal(&mut self) -> String {
        let i = self.next_literal % self.literals.len().max(1);
        self.next_literal += 1;
        self.literals.get(i).cloned().unwrap_or_default()
    }

    fn text_leaf(&mut self) -> String {
        let fact = if self.text_facts.len() > 1 && self.rng.chance(0.2) {
            self.text_facts[1]
        } else {
            self.text_facts.first().copied().unwrap_or(0)
        };
        let id = self.facts[fact].id.clone();
        self.used[fact] = true;
        let total = self.literals.len() + self.regexes.len();
        let want_regex =
            !self.regexes.is_empty() && self.rng.below(total.max(1)) < self.regexes.len();
        if want_regex {
            let i = self.next_regex % self.regexes.len();
            self.next_regex += 1;
            format!("{id} matches \"{}\"", self.regexes[i])
        } else {
            format!("{id} contains \"{}\"", self.take_literal())
        }
    }

    // ---- conditions ----

    /// A random non-text, non-code fact, preferring facts not used yet.
    fn env_fact(&mut self, avoid: &[usize]) -> Option<usize> {
        while self.next_unused_fact < self.facts.len() {
            let i = self.next_unused_fact;
            self.next_unused_fact += 1;
            if !self.facts[i].code && self.facts[i].kind != Kind::Text && !avoid.contains(&i) {
                return Some(i);
            }
        }
        let candidates: Vec<usize> = (0..self.facts.len())
            .filter(|&i| {
                !self.facts[i].code && self.facts[i].kind != Kind::Text && !avoid.contains(&i)
            })
            .collect();
        if candidates.is_empty() {
            None
        } else {
            Some(candidates[self.rng.below(candidates.len())])
        }
    }

    /// One test on fact `f`. Never unsatisfiable on its own.
    fn leaf(&mut self, f: usize) -> String {
        let fact = self.facts[f].clone();
        let id = &fact.id;
        self.used[f] = true;
        if self.rng.chance(0.04) {
            return if self.rng.chance(0.5) {
                format!("{id} is known")
            } else {
                format!("{id} is unknown")
            };
        }
        match &fact.kind {
            Kind::Bool => match self.rng.below(4) {
                0 | 1 => id.clone(),
                2 => format!("not {id}"),
                _ => format!("{id} == false"),
            },
            Kind::Int { lo, hi } => {
                let span = (hi - lo).max(1) as usize;
                let v = lo + self.rng.below(span) as i64;
                let lit = |v: i64| {
                    if fact.code || v > 255 {
                        format!("{v:#x}")
                    } else {
                        v.to_string()
                    }
                };
                match self.rng.below(6) {
                    0 => format!("{id} == {}", lit(v)),
                    1 => format!("{id} != {}", lit(v)),
                    2 => format!("{id} > {}", lit(v)),
                    3 => format!("{id} <= {}", lit(v)),
                    4 => format!("{id} >= {}", lit(v)),
                    _ => {
                        let a = lo + self.rng.below(span) as i64;
                        let b = lo + self.rng.below(span) as i64;
                        format!("{id} in [{}, {}, {}]", lit(v), lit(a), lit(b))
                    }
                }
            }
            Kind::Enum(values) => {
                let n = values.len();
                let v = &values[self.rng.below(n)];
                match self.rng.below(5) {
                    0 | 1 => format!("{id} == {v}"),
                    2 => format!("{id} != {v}"),
                    3 => {
                        let k = self.rng.range(2, (n - 1).clamp(2, 4));
                        format!("{id} in [{}]", self.some_values(values, k).join(", "))
                    }
                    _ => {
                        // At most n - 2 values excluded, so some value stays.
                        let k = self.rng.range(1, (n - 2).max(1));
                        format!("{id} not in [{}]", self.some_values(values, k).join(", "))
                    }
                }
            }
            Kind::Str(values) => {
                let v = &values[self.rng.below(values.len())];
                match self.rng.below(3) {
                    0 => format!("{id} == \"{v}\""),
                    1 => format!("{id} != \"{v}\""),
                    _ => format!(
                        "{id} in [{}]",
                        self.some_values(values, 2)
                            .iter()
                            .map(|v| format!("\"{v}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
            Kind::Text => self.text_leaf(),
        }
    }

    /// `k` distinct values of `values`, in declaration order.
    fn some_values(&mut self, values: &[String], k: usize) -> Vec<String> {
        let mut idx: Vec<usize> = (0..values.len()).collect();
        let mut chosen = Vec::new();
        for _ in 0..k.min(values.len()) {
            chosen.push(idx.swap_remove(self.rng.below(idx.len())));
        }
        chosen.sort_unstable();
        chosen.into_iter().map(|i| values[i].clone()).collect()
    }

    /// An evidence condition of 1 to 3 tests on distinct facts, so no
    /// conjunction is contradictory.
    fn condition(&mut self) -> String {
        let leaves = match self.rng.below(10) {
            0..=3 => 1,
            4..=7 => 2,
            _ => 3,
        };
        let text = !self.text_facts.is_empty() && self.rng.chance(self.text_rate);
        let mut facts = Vec::new();
        for _ in 0..leaves - usize::from(text) {
            if let Some(f) = self.env_fact(&facts) {
                facts.push(f);
            }
        }
        let mut parts: Vec<String> = facts.iter().map(|&f| self.leaf(f)).collect();
        if text {
            let t = self.text_leaf();
            let at = self.rng.below(parts.len() + 1);
            parts.insert(at, t);
        }
        match parts.as_slice() {
            [] => "message is known".to_string(),
            [a] => a.clone(),
            [a, b] => match self.rng.below(4) {
                0 | 1 => format!("{a} and {b}"),
                2 => format!("{a} or {b}"),
                _ => format!("{a} and not ({b})"),
            },
            [a, b, c, ..] => match self.rng.below(5) {
                0 => format!("{a} and ({b} or {c})"),
                1 => format!("({a} or {b}) and {c}"),
                2 => format!("{a} or {b} or {c}"),
                3 => format!("{a} and {b} and {c}"),
                _ => format!("{a} and not ({b} or {c})"),
            },
        }
    }

    // ---- one symptom group ----

    /// Generates a symptom with its causes, fixes and maybe an example and
    /// a guide, using at most `remaining` rules (at least 3). Returns the
    /// rules used.
    fn group(&mut self, g: usize, area: usize, remaining: usize) -> usize {
        let mut causes = self.rng.range(5, 15);
        let mut fixes = (causes * self.rng.range(7, 10)).div_ceil(10);
        let mut example = self.rng.chance(0.5);
        if 1 + causes + fixes + usize::from(example) > remaining {
            example = false;
            let budget = remaining.max(3) - 1;
            causes = budget.div_ceil(2);
            fixes = budget - causes;
        }
        // Leftovers too small for another group become extra examples.
        let after = remaining.saturating_sub(1 + causes + fixes + usize::from(example));
        let extra_examples = if after < 3 { after } else { 0 };

        let s = self.symptom(g, area);
        let first_cause = self.causes.len();
        for _ in 0..causes {
            self.cause(s, area);
        }
        let group_causes: Vec<usize> = (first_cause..self.causes.len()).collect();
        self.fixes_for(&group_causes, fixes, area);
        let mut examples = 0;
        for _ in 0..usize::from(example) + extra_examples {
            if !self.example(s, &group_causes, area) {
                break;
            }
            examples += 1;
        }
        if g % 10 == 0 {
            self.guide(s, area);
        }
        1 + causes + fixes + examples
    }

    fn symptom(&mut self, g: usize, area: usize) -> usize {
        let index = self.symptoms.len();
        let by_message = !self.literals.is_empty() && g % 4 == 3;
        let (id, key, title, when) = if by_message {
            let lit = self.take_literal();
            self.used[2] = true;
            (
                format!("msg_{index:05}"),
                Key::Message,
                format!("Connection fails with “{lit}”"),
                format!("message contains \"{lit}\""),
            )
        } else {
            // Distinct pairs: the extended code runs through 1..=15 for each
            // error code.
            self.used[0] = true;
            self.used[1] = true;
            let code = 0x400 + (index / 15) as u32;
            let ext = 1 + (index % 15) as u32;
            (
                format!("err_{code:x}_{ext:x}"),
                Key::Code(code, ext),
                format!("Error {code:#x}, extended error {ext:#x}"),
                format!("error_code == {code:#x} and extended_code == {ext:#x}"),
            )
        };
        let mut text = String::new();
        let _ = writeln!(text, "symptom {id} \"{title}\" {{");
        let _ = writeln!(text, "  when {when}");
        if self.rng.chance(0.5) {
            let _ = writeln!(
                text,
                "  description \"\"\"\n    The client {} and then {}.\n    Seen mostly {}.\n  \"\"\"",
                self.rng.pick(VERBS),
                self.rng.pick(OUTCOMES),
                self.rng.pick(MOMENTS)
            );
        } else {
            let _ = writeln!(
                text,
                "  description \"The connection {} {}.\"",
                self.rng.pick(OUTCOMES),
                self.rng.pick(MOMENTS)
            );
        }
        text.push_str("}\n\n");
        self.symptoms.push(SymptomSpec {
            id,
            area,
            key,
            text,
        });
        self.counts.symptoms += 1;
        index
    }

    fn cause(&mut self, symptom: usize, area: usize) {
        let index = self.causes.len();
        let noun = self.rng.pick(CAUSE_NOUNS);
        let adj = self.rng.pick(CAUSE_ADJECTIVES);
        let id = format!("{adj}_{noun}_{index}");
        let title = format!("{} {}", capitalize(adj), noun.replace('_', " "));
        let mut produces = vec![symptom];
        if symptom > 0 && self.rng.chance(0.15) {
            produces.push(symptom - 1);
        }
        let prior = match self.rng.below(20) {
            0 | 1 => "very_common",
            2..=8 => "common",
            9..=15 => "uncommon",
            _ => "rare",
        };
        let lines = self.rng.range(2, 6);
        let mut evidence = Vec::new();
        for _ in 0..lines {
            let strength = match self.rng.below(20) {
                0..=3 => "strong",
                4..=8 => "moderate",
                9..=13 => "weak",
                14 | 15 => "against weak",
                16 | 17 => "against",
                _ => "against strong",
            };
            let condition = self.condition();
            let because = self.rng.chance(0.4).then(|| {
                format!(
                    "{} {} points to {}",
                    self.rng.pick(SUBJECTS),
                    self.rng.pick(OUTCOMES),
                    noun.replace('_', " ")
                )
            });
            evidence.push(EvLine {
                strength,
                condition,
                because,
            });
        }
        let mut rules_out = None;
        if self.rng.chance(0.15) {
            if let Some((f, cond, given)) = self.rules_out_leaf() {
                evidence.push(EvLine {
                    strength: "rules_out",
                    condition: cond,
                    because: Some(format!("{} cannot cause this", self.facts[f].id)),
                });
                rules_out = Some((f, given));
            }
        }
        let description = format!(
            "The {} {} when {}.",
            noun.replace('_', " "),
            self.rng.pick(VERBS),
            self.rng.pick(MOMENTS)
        );
        let sources = self.cite();
        self.counts.evidence_lines += evidence.len();
        self.causes.push(CauseSpec {
            id,
            title,
            area,
            produces,
            prior,
            description,
            evidence,
            sources,
            rules_out,
        });
        self.counts.causes += 1;
    }

    /// A `rules_out` test easy to trigger in an example: `(fact, condition,
    /// the value that makes it true)`.
    fn rules_out_leaf(&mut self) -> Option<(usize, String, String)> {
        let candidates: Vec<usize> = (0..self.facts.len())
            .filter(|&i| matches!(self.facts[i].kind, Kind::Bool | Kind::Enum(_)))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let f = candidates[self.rng.below(candidates.len())];
        let id = self.facts[f].id.clone();
        Some(match &self.facts[f].kind {
            Kind::Enum(values) => {
                let v = values[self.rng.below(values.len())].clone();
                (f, format!("{id} == {v}"), v)
            }
            _ if self.rng.chance(0.5) => (f, id, "true".to_string()),
            _ => (f, format!("not {id}"), "false".to_string()),
        })
    }

    fn cite(&mut self) -> Vec<usize> {
        let first = self.next_source % self.sources;
        self.next_source += 1;
        let mut v = vec![first];
        if self.rng.chance(0.3) {
            let second = self.rng.below(self.sources);
            if second != first {
                v.push(second);
            }
        }
        v
    }

    fn fixes_for(&mut self, causes: &[usize], n: usize, area: usize) {
        for i in 0..n {
            // Every cause is resolved by at least one fix.
            let mut resolves: Vec<usize> = if n >= causes.len() {
                vec![causes[i % causes.len()]]
            } else {
                causes
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| j % n == i)
                    .map(|(_, c)| *c)
                    .collect()
            };
            if self.rng.chance(0.2) {
                let extra = causes[self.rng.below(causes.len())];
                if !resolves.contains(&extra) {
                    resolves.push(extra);
                }
            }
            let index = self.counts.fixes;
            let verb = self.rng.pick(FIX_VERBS);
            let noun = self.rng.pick(CAUSE_NOUNS);
            let mut text = String::new();
            let _ = writeln!(
                text,
                "fix {verb}_{noun}_{index} \"{} the {}\" {{",
                capitalize(verb),
                noun.replace('_', " ")
            );
            let names: Vec<&str> = resolves
                .iter()
                .map(|&c| self.causes[c].id.as_str())
                .collect();
            let _ = writeln!(text, "  resolves {}", names.join(", "));
            let _ = writeln!(
                text,
                "  effort {}  risk {}  needs {}",
                self.rng.pick(LEVELS),
                self.rng.pick(LEVELS),
                self.rng.pick(RIGHTS)
            );
            if self.rng.chance(0.6) {
                let _ = writeln!(
                    text,
                    "  description \"Try this when the {} {}.\"",
                    noun.replace('_', " "),
                    self.rng.pick(VERBS)
                );
            }
            let steps = self.rng.range(2, 6);
            for _ in 0..steps {
                let step = self.step();
                text.push_str(&step);
            }
            let sources = self.cite();
            let _ = writeln!(
                text,
                "  sources {}",
                sources
                    .iter()
                    .map(|s| format!("src_{s:05}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            text.push_str("}\n\n");
            self.fixes.push((area, text));
            self.counts.fixes += 1;
        }
    }

    fn step(&mut self) -> String {
        let r = &mut self.rng;
        match r.below(12) {
            0 | 1 => format!(
                "  step \"Open {} and check that the {} is {}.\"\n",
                r.pick(TOOLS),
                r.pick(OBJECTS),
                r.pick(STATES)
            ),
            2 => format!("  run cmd \"{}\"\n", r.pick(CMD_COMMANDS)),
            3 => format!(
                "  run powershell \"\"\"\n    {}\n    {}\n  \"\"\"\n",
                r.pick(PS_COMMANDS),
                r.pick(PS_COMMANDS)
            ),
            4 => format!("  run shell \"{}\"\n", r.pick(SHELL_COMMANDS)),
            5 => format!(
                "  registry \"{}\" {} = dword {:#x}\n",
                r.pick(REG_KEYS),
                r.pick(REG_NAMES),
                r.below(0x10000)
            ),
            6 => match r.below(3) {
                0 => format!(
                    "  registry \"{}\" \"{} Path\" = expand_sz \"%SystemRoot%\\System32\\{}.dll\"\n",
                    r.pick(REG_KEYS),
                    r.pick(REG_NAMES),
                    r.pick(WORDS)
                ),
                1 => format!(
                    "  registry \"{}\" {} = multi_sz [\"{}\", \"{}\"]\n",
                    r.pick(REG_KEYS),
                    r.pick(REG_NAMES),
                    r.pick(WORDS),
                    r.pick(WORDS)
                ),
                _ => format!(
                    "  registry \"{}\" {} = sz \"{}\"\n",
                    r.pick(REG_KEYS),
                    r.pick(REG_NAMES),
                    r.pick(STATES)
                ),
            },
            7 => format!(
                "  policy \"{}\" setting \"{}\" = \"{}\"\n",
                r.pick(POLICY_PATHS),
                r.pick(POLICY_SETTINGS),
                r.pick(&["Enabled", "Disabled", "Enabled: Force Updated Clients"])
            ),
            8 => format!("  ui \"{}\"\n", r.pick(UI_PATHS)),
            9 => {
                if r.chance(0.5) {
                    "  reboot\n".to_string()
                } else {
                    format!("  reboot \"the {} service\"\n", r.pick(SERVICES))
                }
            }
            10 => format!(
                "  warning \"{}\"\n",
                r.pick(&[
                    "Back up the registry first.",
                    "This disconnects every user on the host.",
                    "Only until the host is patched: this lowers security.",
                ])
            ),
            _ => {
                let n = r.below(100_000);
                format!(
                    "  link \"https://learn.example.com/troubleshoot/{n}\" \"{} reference\"\n",
                    capitalize(r.pick(OBJECTS))
                )
            }
        }
    }

    /// An example for symptom `s`; `false` when none can be written.
    fn example(&mut self, s: usize, causes: &[usize], area: usize) -> bool {
        let Some(ranked) = causes
            .iter()
            .copied()
            .find(|&c| self.causes[c].rules_out.is_none())
        else {
            return false;
        };
        let index = self.counts.examples;
        let sym = &self.symptoms[s];
        let mut given: Vec<String> = Vec::new();
        let mut given_facts: Vec<usize> = Vec::new();
        match sym.key {
            Key::Code(code, ext) => {
                given.push(format!("error_code = {code:#x}"));
                given.push(format!("extended_code = {ext:#x}"));
                given_facts.extend([0, 1]);
            }
            Key::Message => {
                let when = sym.text.lines().nth(1).unwrap_or("");
                let lit = when.split('"').nth(1).unwrap_or("");
                given.push(format!(
                    "message = \"{} {lit} {}\"",
                    self.rng.pick(MESSAGE_OPENINGS),
                    self.rng.pick(WORDS)
                ));
                given_facts.push(2);
            }
        }
        let mut expect = vec![format!("expect ranked {}", self.causes[ranked].id)];
        // A cause of this symptom whose `rules_out` we trigger.
        if let Some((c, (f, v))) = causes
            .iter()
            .filter_map(|&c| Some((c, self.causes[c].rules_out.clone()?)))
            .find(|(_, (f, _))| !given_facts.contains(f))
        {
            given.push(format!("{} = {v}", self.facts[f].id));
            given_facts.push(f);
            expect.push(format!("expect ruled_out {}", self.causes[c].id));
        }
        // A cause that only produces other code-keyed symptoms.
        if let Key::Code(..) = sym.key {
            let other = (0..self.causes.len()).rev().take(64).find(|&c| {
                !causes.contains(&c)
                    && self.causes[c]
                        .produces
                        .iter()
                        .all(|&p| p != s && matches!(self.symptoms[p].key, Key::Code(..)))
            });
            if let Some(c) = other {
                expect.push(format!("expect not_ranked {}", self.causes[c].id));
            }
        }
        let sym_id = self.symptoms[s].id.clone();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "example ex_{index:05} \"A typical case of {sym_id}\" {{"
        );
        let _ = writeln!(text, "  given {}", given.join(",\n        "));
        for e in expect {
            let _ = writeln!(text, "  {e}");
        }
        text.push_str("}\n\n");
        self.examples.push((area, text));
        self.counts.examples += 1;
        true
    }

    fn guide(&mut self, s: usize, area: usize) {
        let sym = &self.symptoms[s];
        let mut text = String::new();
        let _ = writeln!(
            text,
            "guide guide_{} \"Fixing {}\" for {} {{",
            sym.id,
            sym.id.replace('_', " "),
            sym.id
        );
        let _ = writeln!(
            text,
            "  intro \"This page explains {} and what to try, cheapest first.\"",
            sym.id.replace('_', " ")
        );
        let _ = writeln!(text, "  summary \"Start with the most common cause.\"");
        if self.rng.chance(0.5) {
            let _ = writeln!(
                text,
                "  sections intro, culprits, environments, fixes, summary, sources"
            );
        }
        if s > 0 {
            let _ = writeln!(text, "  related {}", self.symptoms[s - 1].id);
        }
        text.push_str("}\n\n");
        self.guides.push((area, text));
        self.counts.guides += 1;
    }

    // ---- coverage ----

    /// Adds evidence lines until every pattern is used at least once.
    fn use_every_pattern(&mut self) {
        let unused_literals = self.literals.len().saturating_sub(self.next_literal);
        let unused_regexes = self.regexes.len().saturating_sub(self.next_regex);
        let mut c = 0usize;
        for k in 0..unused_literals + unused_regexes {
            if self.causes.is_empty() {
                return;
            }
            let is_regex = k >= unused_literals;
            let text_fact = self.text_facts.first().copied().unwrap_or(2);
            let id = self.facts[text_fact].id.clone();
            let condition = if is_regex {
                let r = self.regexes[self.next_regex % self.regexes.len()].clone();
                self.next_regex += 1;
                format!("{id} matches \"{r}\"")
            } else {
                format!("{id} contains \"{}\"", self.take_literal())
            };
            // Spread over the causes.
            let n = self.causes.len();
            let cause = &mut self.causes[c % n];
            c += 7;
            cause.evidence.push(EvLine {
                strength: "weak",
                condition,
                because: None,
            });
            self.counts.evidence_lines += 1;
        }
    }

    /// Adds an evidence line for every fact no condition uses yet.
    fn use_every_fact(&mut self) {
        for f in 0..self.facts.len() {
            if !self.used[f] && !self.causes.is_empty() {
                let leaf = self.leaf(f);
                let c = self.rng.below(self.causes.len());
                self.causes[c].evidence.push(EvLine {
                    strength: "weak",
                    condition: leaf,
                    because: None,
                });
                self.counts.evidence_lines += 1;
            }
        }
    }

    // ---- rendering ----

    fn render(self) -> SynthKb {
        let areas = self.symptoms.iter().map(|s| s.area + 1).max().unwrap_or(0);
        let mut symptoms = vec![String::new(); areas];
        let mut causes = vec![String::new(); areas];
        let mut fixes = vec![String::new(); areas];
        let mut examples = vec![String::new(); areas];
        for s in &self.symptoms {
            symptoms[s.area].push_str(&s.text);
        }
        for (a, g) in &self.guides {
            symptoms[*a].push_str(g);
        }
        for c in &self.causes {
            render_cause(&mut causes[c.area], c, &self.symptoms);
        }
        for (a, f) in &self.fixes {
            fixes[*a].push_str(f);
        }
        for (a, e) in &self.examples {
            examples[*a].push_str(e);
        }

        let mut files = vec![
            ("facts.kb".to_string(), render_facts(&self.facts)),
            ("sources.kb".to_string(), render_sources(self.sources)),
        ];
        for (a, (((s, c), f), e)) in symptoms
            .into_iter()
            .zip(causes)
            .zip(fixes)
            .zip(examples)
            .enumerate()
        {
            for (name, text) in [
                ("symptoms", s),
                ("causes", c),
                ("fixes", f),
                ("examples", e),
            ] {
                if !text.is_empty() {
                    let header =
                        format!("# Area {a}: {name}. Generated by kbc_compiler::synth.\n\n");
                    files.push((format!("areas/a{a:03}/{name}.kb"), header + &text));
                }
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut counts = self.counts;
        counts.sources = self.sources;
        SynthKb {
            kb_yaml: format!(
                "title: Synthetic knowledge base ({} rules, seed {})\nproduct: Example Remote Access\nversion: 1.0.0\nbase_url: https://support.example.com/synthetic/\nlanguage: en\nallow: []\n",
                self.config.rules, self.config.seed
            ),
            files,
            counts,
        }
    }
}

fn render_cause(out: &mut String, c: &CauseSpec, symptoms: &[SymptomSpec]) {
    let produces: Vec<&str> = c
        .produces
        .iter()
        .filter_map(|&s| symptoms.get(s).map(|s| s.id.as_str()))
        .collect();
    let _ = writeln!(out, "cause {} \"{}\" {{", c.id, c.title);
    let _ = writeln!(out, "  produces {}", produces.join(", "));
    let _ = writeln!(out, "  prior {}", c.prior);
    let _ = writeln!(out, "  description \"{}\"", c.description);
    out.push_str("  evidence {\n");
    for e in &c.evidence {
        let _ = writeln!(out, "    {} when {}", e.strength, e.condition);
        if let Some(b) = &e.because {
            let _ = writeln!(out, "      because \"{b}\"");
        }
    }
    out.push_str("  }\n");
    let sources: Vec<String> = c.sources.iter().map(|s| format!("src_{s:05}")).collect();
    let _ = writeln!(out, "  sources {}", sources.join(", "));
    out.push_str("}\n\n");
}

fn render_facts(facts: &[FactSpec]) -> String {
    let mut out = String::from("# The fact vocabulary. Generated by kbc_compiler::synth.\n\n");
    for f in facts {
        let ty = match &f.kind {
            Kind::Bool => "bool".to_string(),
            Kind::Int { .. } => "int".to_string(),
            Kind::Str(_) => "string".to_string(),
            Kind::Text => "text".to_string(),
            Kind::Enum(values) => {
                let vs: Vec<String> = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        if i % 2 == 0 {
                            format!("{v} \"{}\"", capitalize(&v.replace('_', " ")))
                        } else {
                            v.clone()
                        }
                    })
                    .collect();
                format!("enum({})", vs.join(", "))
            }
        };
        let words = f.id.replace('_', " ");
        let _ = writeln!(out, "fact {}: {ty}", f.id);
        let question = match &f.kind {
            Kind::Bool => format!("Is it true that {words}?"),
            Kind::Text => format!("What does the {words} say? Paste it."),
            _ => format!("What is the {words}?"),
        };
        let _ = writeln!(out, "  ask \"{question}\"");
        if f.id.len() % 2 == 0 {
            let _ = writeln!(out, "  label \"the {words}\"");
        }
        out.push('\n');
    }
    out
}

fn render_sources(n: usize) -> String {
    let mut out = String::from("# Reference material. Generated by kbc_compiler::synth.\n\n");
    for i in 0..n {
        let topic = OBJECTS[i % OBJECTS.len()];
        let _ = writeln!(
            out,
            "source src_{i:05} \"Troubleshooting the {topic} ({i})\" {{"
        );
        let _ = writeln!(out, "  url \"https://learn.example.com/articles/{i}\"");
        let _ = writeln!(out, "  publisher \"{}\"", PUBLISHERS[i % PUBLISHERS.len()]);
        if i % 3 == 0 {
            let _ = writeln!(out, "  note \"Explains when the {topic} fails and why.\"");
        }
        out.push_str("}\n\n");
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// Word lists. Every list is non-empty.

const BOOL_FACTS: &[&str] = &[
    "domain_joined",
    "via_vpn",
    "via_gateway",
    "host_is_vm",
    "ping_ok",
    "recent_upgrade",
    "nla_enabled",
    "firewall_on",
    "proxy_configured",
    "tls12_enabled",
    "smartcard_login",
    "multi_monitor",
    "clipboard_redirected",
    "udp_enabled",
    "admin_session",
];

const ENUM_FACTS: &[(&str, &[&str])] = &[
    (
        "client_os",
        &[
            "windows7",
            "windows10",
            "windows11",
            "macos",
            "linux",
            "ios",
            "android",
        ],
    ),
    (
        "host_os",
        &[
            "windows10",
            "windows11",
            "server2012r2",
            "server2016",
            "server2019",
            "server2022",
        ],
    ),
    (
        "client_app",
        &[
            "mstsc",
            "msrdc_store",
            "windows_app",
            "xfreerdp",
            "remmina",
            "other",
        ],
    ),
    ("hypervisor", &["hyperv", "vmware", "azure", "aws", "none"]),
    (
        "fails_when",
        &[
            "immediately",
            "after_credentials",
            "intermittently",
            "under_load",
        ],
    ),
    ("network_type", &["wired", "wifi", "cellular", "satellite"]),
    (
        "auth_method",
        &[
            "password",
            "smartcard",
            "windows_hello",
            "certificate",
            "kerberos",
        ],
    ),
    ("security_layer", &["rdp", "negotiate", "tls"]),
    (
        "region",
        &[
            "us_east",
            "us_west",
            "eu_west",
            "eu_north",
            "asia_east",
            "asia_south",
            "oceania",
            "south_america",
            "africa",
            "middle_east",
            "canada",
            "japan",
        ],
    ),
    (
        "license_mode",
        &["per_user", "per_device", "not_configured"],
    ),
    ("display_mode", &["single", "span", "multi", "remoteapp"]),
    (
        "gateway_auth",
        &["ntlm", "basic", "smartcard", "cookie", "none"],
    ),
];

const INT_FACTS: &[(&str, i64, i64)] = &[
    ("port", 1, 65535),
    ("mtu", 576, 9000),
    ("build_number", 7600, 26100),
    ("session_count", 0, 500),
];

const STRING_FACTS: &[(&str, &[&str])] = &[
    (
        "gateway_host",
        &[
            "gw01.example.com",
            "gw02.example.com",
            "rdg.corp.example",
            "remote.example.org",
        ],
    ),
    (
        "driver_version",
        &[
            "27.20.100.8681",
            "30.0.101.1191",
            "31.0.15.3713",
            "10.18.13.5891",
        ],
    ),
    ("locale", &["en-US", "de-DE", "fr-FR", "ja-JP", "pt-BR"]),
    (
        "certificate_issuer",
        &[
            "CN=corp-ca",
            "CN=host self-signed",
            "CN=Example Issuing CA 2",
        ],
    ),
];

const SUBJECTS: &[&str] = &[
    "CredSSP handshake",
    "TLS negotiation",
    "the RD Gateway",
    "the licensing server",
    "the session broker",
    "Network Level Authentication",
    "the RDP listener",
    "the certificate check",
    "the UDP transport",
    "the Kerberos ticket request",
    "the display driver",
    "the clipboard channel",
];

const VERBS: &[&str] = &[
    "failed",
    "was rejected",
    "timed out",
    "was reset by the peer",
    "returned an unexpected status",
    "stopped responding",
    "was refused",
    "could not be completed",
];

const OBJECTS: &[&str] = &[
    "certificate store",
    "security package",
    "listener configuration",
    "gateway policy",
    "license token",
    "session host",
    "network adapter",
    "encryption settings",
    "user profile",
    "group policy cache",
];

const OUTCOMES: &[&str] = &[
    "drops after a few seconds",
    "never reaches the logon screen",
    "shows a generic error",
    "fails after the credentials prompt",
    "freezes on a black screen",
    "retries and then gives up",
];

const MOMENTS: &[&str] = &[
    "right after entering credentials",
    "during the TLS handshake",
    "under load",
    "after a Windows update",
    "only over VPN",
    "at the start of a shift",
];

const WORDS: &[&str] = &[
    "alpha", "bravo", "cache", "delta", "echo", "frame", "gamma", "hotel", "index", "kilo", "lima",
    "metric", "node", "oscar", "packet", "quota", "romeo", "sierra", "token", "uniform", "victor",
    "whiskey", "xray", "yankee", "zulu",
];

const MESSAGE_OPENINGS: &[&str] = &[
    "Remote Desktop can't connect to the remote computer",
    "An internal error has occurred",
    "The connection was denied",
    "Your computer can't connect to the remote computer",
    "Event 1006 logged by TerminalServices",
];

const CAUSE_ADJECTIVES: &[&str] = &[
    "stale",
    "missing",
    "corrupt",
    "mismatched",
    "expired",
    "blocked",
    "overloaded",
    "misconfigured",
    "outdated",
    "duplicate",
    "disabled",
    "unstable",
];

const CAUSE_NOUNS: &[&str] = &[
    "certificate",
    "credssp_update",
    "gateway_setting",
    "listener",
    "firewall_rule",
    "license",
    "dns_record",
    "security_layer",
    "user_profile",
    "display_driver",
    "vpn_tunnel",
    "mtu_setting",
    "kerberos_ticket",
    "group_policy",
];

const FIX_VERBS: &[&str] = &[
    "renew",
    "reinstall",
    "reset",
    "update",
    "enable",
    "disable",
    "reconfigure",
    "restart",
    "replace",
    "repair",
];

const LEVELS: &[&str] = &["low", "medium", "high"];
const RIGHTS: &[&str] = &["user", "admin", "domain_admin"];

const TOOLS: &[&str] = &[
    "System Properties",
    "Event Viewer",
    "the Services console",
    "Server Manager",
    "the Remote Desktop client",
    "Windows Defender Firewall",
];

const STATES: &[&str] = &["enabled", "disabled", "current", "reachable", "trusted"];

const CMD_COMMANDS: &[&str] = &[
    "netstat -an | find \\\"3389\\\"",
    "sc query TermService",
    "gpupdate /force",
    "certutil -store \\\"Remote Desktop\\\"",
    "ipconfig /flushdns",
];

const PS_COMMANDS: &[&str] = &[
    "Get-Service TermService | Restart-Service -Force",
    "Test-NetConnection -ComputerName host -Port 3389",
    "Get-HotFix | Sort-Object InstalledOn",
    "Get-ChildItem Cert:\\LocalMachine\\Remote` Desktop",
];

const SHELL_COMMANDS: &[&str] = &[
    "xfreerdp /v:host /sec:tls",
    "xfreerdp /v:host /sec:nla /cert:ignore",
    "ping -c 4 host",
    "nc -vz host 3389",
];

const REG_KEYS: &[&str] = &[
    r"HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server",
    r"HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp",
    r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\CredSSP\Parameters",
    r"HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services",
    r"HKCU\Software\Microsoft\Terminal Server Client",
];

const REG_NAMES: &[&str] = &[
    "SecurityLayer",
    "UserAuthentication",
    "AllowEncryptionOracle",
    "MaxOutstandingConnections",
    "fDenyTSConnections",
    "RDGClientTransport",
];

const POLICY_PATHS: &[&str] = &[
    "Computer Configuration > Administrative Templates > System > Credentials Delegation",
    "Computer Configuration > Administrative Templates > Windows Components > Remote Desktop Services > Remote Desktop Session Host > Security",
    "Computer Configuration > Administrative Templates > Windows Components > Remote Desktop Services > Remote Desktop Connection Client",
];

const POLICY_SETTINGS: &[&str] = &[
    "Encryption Oracle Remediation",
    "Require use of specific security layer for remote (RDP) connections",
    "Turn Off UDP On Client",
    "Require user authentication for remote connections by using Network Level Authentication",
];

const UI_PATHS: &[&str] = &[
    "certlm.msc > Remote Desktop > Certificates",
    "Settings > System > Remote Desktop",
    "services.msc > Remote Desktop Services",
    "mstsc > Show Options > Advanced > Settings",
];

const SERVICES: &[&str] = &[
    "Remote Desktop Services (TermService)",
    "Remote Desktop Gateway",
    "Remote Desktop Licensing",
];

const PUBLISHERS: &[&str] = &["Microsoft", "Example Corp", "FreeRDP project"];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn counts_of(rules: usize, text_patterns: usize) -> (SynthKb, crate::Checked) {
        let kb = generate_kb(&SynthConfig {
            rules,
            seed: 3,
            text_patterns,
        });
        let checked = crate::check(&kb.to_input());
        (kb, checked)
    }

    #[test]
    fn generated_bases_check_clean_at_every_small_size() {
        for rules in [1, 3, 10, 57, 100, 400] {
            let (kb, checked) = counts_of(rules, 30);
            let rendered =
                crate::diagnostics::render_text(&checked.diagnostics, &checked.sources, false);
            assert!(checked.diagnostics.is_empty(), "{rules} rules:\n{rendered}");
            assert!(
                kb.counts.rules() >= rules.max(3),
                "{rules}: {:?}",
                kb.counts
            );
            assert!(
                kb.counts.rules() <= rules.max(3) + 2,
                "{rules}: {:?}",
                kb.counts
            );
        }
    }

    #[test]
    fn same_seed_same_text_other_seed_other_text() {
        let c = SynthConfig {
            rules: 200,
            seed: 9,
            text_patterns: 20,
        };
        assert_eq!(generate_kb(&c), generate_kb(&c));
        let other = generate_kb(&SynthConfig { seed: 10, ..c });
        assert_ne!(generate_kb(&c).files, other.files);
    }

    #[test]
    fn the_model_matches_the_counts() {
        let (kb, checked) = counts_of(1_000, 200);
        let model = checked.model.unwrap();
        assert_eq!(model.facts.len(), kb.counts.facts);
        assert_eq!(model.symptoms.len(), kb.counts.symptoms);
        assert_eq!(model.causes.len(), kb.counts.causes);
        assert_eq!(model.fixes.len(), kb.counts.fixes);
        assert_eq!(model.examples.len(), kb.counts.examples);
        assert_eq!(model.sources.len(), kb.counts.sources);
        assert_eq!(model.guides.len(), kb.counts.guides);
        let lines: usize = model.causes.iter().map(|c| c.evidence.len()).sum();
        assert_eq!(lines, kb.counts.evidence_lines);
        // Exactly the requested number of distinct text patterns.
        let mut patterns = std::collections::BTreeSet::new();
        let mut walk = |c: &Condition| {
            fn go(c: &Condition, out: &mut std::collections::BTreeSet<String>) {
                match c {
                    Condition::And(cs) | Condition::Or(cs) => cs.iter().for_each(|c| go(c, out)),
                    Condition::Not(c) => go(c, out),
                    Condition::Contains { needle, .. } => {
                        out.insert(needle.clone());
                    }
                    Condition::Matches { pattern, .. } => {
                        out.insert(pattern.clone());
                    }
                    _ => {}
                }
            }
            go(c, &mut patterns)
        };
        model.symptoms.iter().for_each(|s| walk(&s.condition));
        model
            .causes
            .iter()
            .flat_map(|c| &c.evidence)
            .for_each(|e| walk(&e.condition));
        assert_eq!(patterns.len(), 200);
        assert_eq!(kb.counts.text_patterns, 200);
        // Every type of fact is there.
        for ty in ["bool", "int", "string", "enum", "text"] {
            assert!(model.facts.iter().any(|f| f.ty.name() == ty), "{ty}");
        }
    }

    #[test]
    fn observations_select_a_symptom_and_have_a_200_byte_message() {
        let (_, checked) = counts_of(500, 50);
        let model = checked.model.unwrap();
        let obs = observations(&model, 50, 4);
        assert_eq!(obs, observations(&model, 50, 4));
        for o in &obs {
            let pairs = o.pairs(&model);
            let message = pairs.iter().find(|(n, _)| n == "message").unwrap();
            assert!(message.1.len() >= OBSERVATION_MESSAGE_BYTES, "{message:?}");
            // The symptom's own facts plus four environment facts plus the message.
            assert!(pairs.len() >= 5, "{pairs:?}");
            let json = o.to_json(&model);
            assert_eq!(json.as_object().unwrap().len(), pairs.len());
        }
        assert!(obs.iter().any(|o| o
            .pairs(&model)
            .iter()
            .any(|(n, v)| n == "error_code" && v.starts_with("0x"))));
    }

    #[test]
    fn write_to_round_trips_through_load_dir() {
        let kb = generate_kb(&SynthConfig {
            rules: 600,
            seed: 5,
            text_patterns: 10,
        });
        let dir = std::env::temp_dir().join(format!("kbc-synth-test-{}", std::process::id()));
        kb.write_to(&dir).unwrap();
        let input = crate::load_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let mine = kb.to_input();
        assert_eq!(input.kb_yaml, mine.kb_yaml);
        assert_eq!(
            input
                .files
                .iter()
                .map(|f| (&f.path, &f.bytes))
                .collect::<Vec<_>>(),
            mine.files
                .iter()
                .map(|f| (&f.path, &f.bytes))
                .collect::<Vec<_>>()
        );
        assert!(kb.files.iter().any(|(p, _)| p.starts_with("areas/a002/")));
    }
}
