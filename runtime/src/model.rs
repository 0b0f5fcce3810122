//! The checked knowledge base: every reference resolved to an index, every
//! value typed by its fact.
//!
//! This is the contract between the compiler and everything downstream. The
//! compiler's checker produces it; the artifact carries it; the reference
//! interpreter, the compiled matcher and the documentation renderer all read
//! it. It lives in the runtime crate (not the compiler) so that a program that
//! only diagnoses never links the parser or the template engine.
//!
//! Invariants a checked model upholds (the checker guarantees them, the
//! artifact loader re-validates them, so no index here is ever out of range):
//! - every `*Idx` points into the matching vector of [`KnowledgeBase`];
//! - every [`Value`] in a condition or an example has the type of its fact,
//!   and enumeration values are indexes into that fact's values;
//! - ids are unique within their kind.

use serde::{Deserialize, Serialize};

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in the knowledge base's vector of this kind.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// Position of a [`Fact`] in [`KnowledgeBase::facts`].
    FactIdx
);
index_type!(
    /// Position of a [`Symptom`] in [`KnowledgeBase::symptoms`].
    SymptomIdx
);
index_type!(
    /// Position of a [`Cause`] in [`KnowledgeBase::causes`].
    CauseIdx
);
index_type!(
    /// Position of a [`Fix`] in [`KnowledgeBase::fixes`].
    FixIdx
);
index_type!(
    /// Position of a [`Source`] in [`KnowledgeBase::sources`].
    SourceIdx
);

/// A whole checked knowledge base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct KnowledgeBase {
    /// Metadata from `kb.yaml`.
    pub meta: Meta,
    /// The fact vocabulary, in declaration order.
    pub facts: Vec<Fact>,
    /// What users see.
    pub symptoms: Vec<Symptom>,
    /// What can produce the symptoms.
    pub causes: Vec<Cause>,
    /// What resolves the causes.
    pub fixes: Vec<Fix>,
    /// Reference material behind causes and fixes.
    pub sources: Vec<Source>,
    /// How each symptom's published page is composed.
    pub guides: Vec<Guide>,
    /// The knowledge base's own tests.
    pub examples: Vec<Example>,
}

impl KnowledgeBase {
    /// The text fact that free text goes to: [`message_fact`] of the facts.
    pub fn message_fact(&self) -> Result<FactIdx, Vec<&str>> {
        message_fact(&self.facts)
    }
}

/// The text fact that free text — an error message, the lines of a log —
/// goes to: the text fact called `message`, else the only text fact.
/// When there is none, or several and none is called `message`, `Err`
/// lists the text facts (empty for none), for the caller's message.
///
/// ```
/// use kbc_runtime::model::{message_fact, Fact, FactIdx, FactType};
/// let fact = |id: &str, ty| Fact { id: id.into(), ty, question: None, label: None, loc: Default::default() };
/// let facts = [fact("error_code", FactType::Int), fact("log", FactType::Text)];
/// assert_eq!(message_fact(&facts), Ok(FactIdx(1)));
/// assert_eq!(message_fact(&facts[..1]), Err(vec![]));
/// ```
pub fn message_fact(facts: &[Fact]) -> Result<FactIdx, Vec<&str>> {
    let texts = || {
        facts
            .iter()
            .enumerate()
            .filter(|(_, f)| f.ty == FactType::Text)
    };
    let idx = |i: usize| FactIdx(i as u32);
    if let Some((i, _)) = texts().find(|(_, f)| f.id == "message") {
        return Ok(idx(i));
    }
    let mut all = texts();
    match (all.next(), all.next()) {
        (Some((i, _)), None) => Ok(idx(i)),
        _ => Err(texts().map(|(_, f)| f.id.as_str()).collect()),
    }
}

/// Knowledge base metadata, read from `kb.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Meta {
    /// Human title, shown on every page.
    pub title: String,
    /// The product the knowledge base is about.
    pub product: String,
    /// The knowledge base's own version (not the artifact format version).
    pub version: String,
    /// Base URL of the published site, used for canonical links and sitemaps.
    pub base_url: Option<String>,
    /// BCP 47 language tag of the text, such as `en`.
    pub language: String,
}

/// Where a rule was written: file relative to the knowledge base root,
/// 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Location {
    /// Path relative to the knowledge base root, with `/` separators.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// An observation someone can make about the failing system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// Stable identifier, the name portals and scripts send.
    pub id: String,
    /// The type of the fact's values.
    pub ty: FactType,
    /// The question to ask a person when the fact is unknown.
    pub question: Option<String>,
    /// A short noun phrase for the fact in generated text ("the client OS").
    pub label: Option<String>,
    /// Where the fact was declared.
    pub loc: Location,
}

impl Fact {
    /// The label if the author gave one, else the id with `_` as spaces.
    pub fn display_label(&self) -> String {
        match &self.label {
            Some(l) => l.clone(),
            None => self.id.replace('_', " "),
        }
    }
}

/// The type of a fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FactType {
    /// `true` or `false`.
    Bool,
    /// A signed 64-bit integer; written in decimal or `0x` hex.
    Int,
    /// A short exact string (a host name, a version).
    Str,
    /// One of a closed set of values.
    Enum(Vec<EnumValue>),
    /// Free text such as an error message or log lines; only `contains`,
    /// `matches` and `is known` apply to it.
    Text,
}

impl FactType {
    /// The type's name as written in the language.
    pub fn name(&self) -> &'static str {
        match self {
            FactType::Bool => "bool",
            FactType::Int => "int",
            FactType::Str => "string",
            FactType::Enum(_) => "enum",
            FactType::Text => "text",
        }
    }
}

/// One value of an enumeration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumValue {
    /// Identifier, as sent by clients.
    pub id: String,
    /// Human name ("Windows Server 2019").
    pub label: Option<String>,
}

impl EnumValue {
    /// The label if given, else the id.
    pub fn display_label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.id)
    }
}

/// A typed value of a fact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Value {
    /// A `bool` fact's value.
    Bool(bool),
    /// An `int` fact's value.
    Int(i64),
    /// A `string` or `text` fact's value.
    Str(String),
    /// An `enum` fact's value: the index into its [`FactType::Enum`] values.
    Enum(u32),
}

/// A condition over facts. Evaluated with three-valued logic: a comparison
/// on an unknown fact is unknown, and unknown propagates through `and`, `or`
/// and `not` as in Kleene's logic (see docs/SEMANTICS.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// Always true (a symptom with no `when`).
    True,
    /// All must hold.
    And(Vec<Condition>),
    /// At least one must hold.
    Or(Vec<Condition>),
    /// The negation.
    Not(Box<Condition>),
    /// `fact OP value`.
    Compare {
        /// The fact compared.
        fact: FactIdx,
        /// The comparison.
        op: CmpOp,
        /// The value compared against, typed by the fact.
        value: Value,
    },
    /// `fact in [values]`.
    In {
        /// The fact tested.
        fact: FactIdx,
        /// The allowed values, typed by the fact.
        values: Vec<Value>,
    },
    /// `fact contains "needle"`: ASCII case-insensitive substring test.
    Contains {
        /// A `text` or `string` fact.
        fact: FactIdx,
        /// The literal looked for.
        needle: String,
    },
    /// `fact matches "regex"`: an unanchored regular expression search.
    Matches {
        /// A `text` or `string` fact.
        fact: FactIdx,
        /// The pattern, already validated by the checker.
        pattern: String,
    },
    /// `fact is known`.
    Known {
        /// The fact tested.
        fact: FactIdx,
    },
}

impl Condition {
    /// Calls `f` with every fact the condition reads, in order, repeats included.
    pub fn visit_facts(&self, f: &mut impl FnMut(FactIdx)) {
        match self {
            Condition::True => {}
            Condition::And(cs) | Condition::Or(cs) => cs.iter().for_each(|c| c.visit_facts(f)),
            Condition::Not(c) => c.visit_facts(f),
            Condition::Compare { fact, .. }
            | Condition::In { fact, .. }
            | Condition::Contains { fact, .. }
            | Condition::Matches { fact, .. }
            | Condition::Known { fact } => f(*fact),
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// What a user sees: an error code, a message, a moment it happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Symptom {
    /// Stable identifier.
    pub id: String,
    /// Human title.
    pub title: String,
    /// When the symptom counts as observed.
    pub condition: Condition,
    /// What the symptom means, in prose.
    pub description: Option<String>,
    /// Where the symptom was declared.
    pub loc: Location,
}

/// How common a cause is before any evidence is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Prior {
    /// About half of the cases (0 dB).
    VeryCommon,
    /// About a quarter of the cases (−5 dB).
    Common,
    /// About one case in ten (−10 dB).
    Uncommon,
    /// About one case in thirty (−15 dB).
    Rare,
}

impl Prior {
    /// The prior log-odds in decibans (10 · log10 of the odds).
    pub fn decibans(self) -> i32 {
        match self {
            Prior::VeryCommon => 0,
            Prior::Common => -5,
            Prior::Uncommon => -10,
            Prior::Rare => -15,
        }
    }

    /// The keyword used in the language.
    pub fn keyword(self) -> &'static str {
        match self {
            Prior::VeryCommon => "very_common",
            Prior::Common => "common",
            Prior::Uncommon => "uncommon",
            Prior::Rare => "rare",
        }
    }
}

/// What can produce one or more symptoms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    /// Stable identifier.
    pub id: String,
    /// Human title.
    pub title: String,
    /// The symptoms this cause can produce.
    pub produces: Vec<SymptomIdx>,
    /// How common the cause is.
    pub prior: Prior,
    /// What goes wrong, in prose.
    pub description: Option<String>,
    /// The evidence for and against the cause.
    pub evidence: Vec<Evidence>,
    /// Reference material.
    pub sources: Vec<SourceIdx>,
    /// Where the cause was declared.
    pub loc: Location,
}

/// One piece of evidence: when its condition holds, the cause's score moves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// How much and which way the score moves.
    pub strength: Strength,
    /// When the evidence applies.
    pub condition: Condition,
    /// The author's plain-words reason ("your client is domain-joined");
    /// when absent the runtime words the condition itself.
    pub because: Option<String>,
    /// Where the evidence line was written.
    pub loc: Location,
}

/// How strongly a piece of evidence speaks for or against a cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Strength {
    /// Likelihood ratio 10 (+10 dB).
    Strong,
    /// Likelihood ratio 4 (+6 dB).
    Moderate,
    /// Likelihood ratio 2 (+3 dB).
    Weak,
    /// Likelihood ratio 1/2 (−3 dB).
    AgainstWeak,
    /// Likelihood ratio 1/4 (−6 dB).
    AgainstModerate,
    /// Likelihood ratio 1/10 (−10 dB).
    AgainstStrong,
    /// The cause is impossible: it leaves the ranking and is listed as ruled out.
    RulesOut,
}

impl Strength {
    /// The score change in decibans, or `None` for [`Strength::RulesOut`].
    pub fn decibans(self) -> Option<i32> {
        match self {
            Strength::Strong => Some(10),
            Strength::Moderate => Some(6),
            Strength::Weak => Some(3),
            Strength::AgainstWeak => Some(-3),
            Strength::AgainstModerate => Some(-6),
            Strength::AgainstStrong => Some(-10),
            Strength::RulesOut => None,
        }
    }

    /// The keyword(s) used in the language.
    pub fn keyword(self) -> &'static str {
        match self {
            Strength::Strong => "strong",
            Strength::Moderate => "moderate",
            Strength::Weak => "weak",
            Strength::AgainstWeak => "against weak",
            Strength::AgainstModerate => "against",
            Strength::AgainstStrong => "against strong",
            Strength::RulesOut => "rules_out",
        }
    }
}

/// A three-step scale for effort and risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// Little.
    Low,
    /// Some.
    Medium,
    /// Much.
    High,
}

impl Level {
    /// The keyword used in the language.
    pub fn keyword(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// The rights a fix needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rights {
    /// Any user can do it.
    User,
    /// A local administrator.
    Admin,
    /// A domain administrator (group policy, domain-wide changes).
    DomainAdmin,
}

impl Rights {
    /// The keyword used in the language.
    pub fn keyword(self) -> &'static str {
        match self {
            Rights::User => "user",
            Rights::Admin => "admin",
            Rights::DomainAdmin => "domain_admin",
        }
    }
}

/// Something to do that resolves one or more causes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// Stable identifier.
    pub id: String,
    /// Human title.
    pub title: String,
    /// The causes this fix resolves.
    pub resolves: Vec<CauseIdx>,
    /// How much work it is.
    pub effort: Level,
    /// How likely it is to make things worse.
    pub risk: Level,
    /// Who can do it.
    pub rights: Rights,
    /// What the fix does and when to choose it, in prose.
    pub description: Option<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Reference material.
    pub sources: Vec<SourceIdx>,
    /// Where the fix was declared.
    pub loc: Location,
}

/// One step of a fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// Prose instructions.
    Prose {
        /// The text.
        text: String,
    },
    /// A command to run.
    Command {
        /// The shell it runs in.
        shell: Shell,
        /// The command text, possibly several lines.
        code: String,
    },
    /// A registry value to set.
    Registry {
        /// The key, such as `HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server`.
        path: String,
        /// The value name.
        name: String,
        /// The value's data.
        data: RegistryData,
    },
    /// A group-policy setting, reached through the editor's tree.
    Policy {
        /// The tree path from the root node to the folder that holds the setting.
        path: Vec<String>,
        /// The setting's name, if one is named.
        setting: Option<String>,
        /// What to set it to ("Enabled", "Disabled", "Enabled: SSL").
        value: Option<String>,
    },
    /// A path through a user interface ("certlm.msc > Remote Desktop > Certificates").
    Ui {
        /// The path, one element per level.
        path: Vec<String>,
    },
    /// Restart a machine or service.
    Reboot {
        /// What to restart, if not the whole machine.
        what: Option<String>,
    },
    /// A caution to read before going on.
    Warning {
        /// The text.
        text: String,
    },
    /// A link to follow.
    Link {
        /// The address.
        url: String,
        /// The link text.
        title: String,
    },
}

/// The shell a command runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shell {
    /// Windows `cmd.exe`.
    Cmd,
    /// Windows PowerShell.
    Powershell,
    /// A POSIX shell.
    Shell,
}

impl Shell {
    /// The keyword used in the language.
    pub fn keyword(self) -> &'static str {
        match self {
            Shell::Cmd => "cmd",
            Shell::Powershell => "powershell",
            Shell::Shell => "shell",
        }
    }
}

/// The data of a registry value, with its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum RegistryData {
    /// `REG_DWORD`.
    Dword(u32),
    /// `REG_QWORD`.
    Qword(u64),
    /// `REG_SZ`.
    Sz(String),
    /// `REG_EXPAND_SZ`.
    ExpandSz(String),
    /// `REG_MULTI_SZ`.
    MultiSz(Vec<String>),
}

impl RegistryData {
    /// The Windows type name, such as `REG_DWORD`.
    pub fn type_name(&self) -> &'static str {
        match self {
            RegistryData::Dword(_) => "REG_DWORD",
            RegistryData::Qword(_) => "REG_QWORD",
            RegistryData::Sz(_) => "REG_SZ",
            RegistryData::ExpandSz(_) => "REG_EXPAND_SZ",
            RegistryData::MultiSz(_) => "REG_MULTI_SZ",
        }
    }

    /// The data as `reg add /d` takes it.
    pub fn data_text(&self) -> String {
        match self {
            RegistryData::Dword(v) => v.to_string(),
            RegistryData::Qword(v) => v.to_string(),
            RegistryData::Sz(s) | RegistryData::ExpandSz(s) => s.clone(),
            RegistryData::MultiSz(v) => v.join("\\0"),
        }
    }
}

/// Reference material behind a cause or fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Stable identifier.
    pub id: String,
    /// The document's title.
    pub title: String,
    /// Where to read it.
    pub url: Option<String>,
    /// Who published it.
    pub publisher: Option<String>,
    /// What in it matters here.
    pub note: Option<String>,
    /// Where the source was declared.
    pub loc: Location,
}

/// A section of a symptom's published page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// The opening paragraph.
    Intro,
    /// What the code means.
    Meaning,
    /// A short "start here" summary.
    StartHere,
    /// The causes, most common first.
    Culprits,
    /// The environment-to-most-likely-fix table, derived from evidence.
    Environments,
    /// Every fix as numbered steps.
    Fixes,
    /// The closing summary.
    Summary,
    /// The reference material.
    Sources,
    /// Links to related symptoms.
    Related,
}

impl Section {
    /// Every section, in the default order of a page.
    pub const ALL: [Section; 9] = [
        Section::StartHere,
        Section::Intro,
        Section::Meaning,
        Section::Culprits,
        Section::Environments,
        Section::Fixes,
        Section::Summary,
        Section::Related,
        Section::Sources,
    ];

    /// The keyword used in the language.
    pub fn keyword(self) -> &'static str {
        match self {
            Section::Intro => "intro",
            Section::Meaning => "meaning",
            Section::StartHere => "start_here",
            Section::Culprits => "culprits",
            Section::Environments => "environments",
            Section::Fixes => "fixes",
            Section::Summary => "summary",
            Section::Sources => "sources",
            Section::Related => "related",
        }
    }
}

/// How a symptom's published page is composed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guide {
    /// Stable identifier: the page's URL slug.
    pub id: String,
    /// The page title.
    pub title: String,
    /// The symptom the page is about.
    pub symptom: SymptomIdx,
    /// The opening paragraph.
    pub intro: Option<String>,
    /// What the code means.
    pub meaning: Option<String>,
    /// The "start here" summary.
    pub start_here: Option<String>,
    /// The closing summary.
    pub summary: Option<String>,
    /// The sections in page order.
    pub sections: Vec<Section>,
    /// Related symptoms to link to.
    pub related: Vec<SymptomIdx>,
    /// Where the guide was declared.
    pub loc: Location,
}

/// A knowledge base test: facts in, expected diagnosis out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Stable identifier.
    pub id: String,
    /// What situation the example describes.
    pub title: String,
    /// The observed facts.
    pub given: Vec<(FactIdx, Value)>,
    /// What the diagnosis must show.
    pub expect: Vec<Expectation>,
    /// Where the example was declared.
    pub loc: Location,
}

/// One expectation of an [`Example`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Expectation {
    /// This cause is ranked first.
    Top(CauseIdx),
    /// These causes appear in this relative order (others may be between).
    Order(Vec<CauseIdx>),
    /// This cause is among the ranked candidates.
    Ranked(CauseIdx),
    /// This cause is not among the ranked candidates (ruled out or not a candidate).
    NotRanked(CauseIdx),
    /// This cause is listed as ruled out.
    RuledOut(CauseIdx),
    /// This fix is the first one to try.
    FirstFix(FixIdx),
    /// The next question asks for this fact; `None` means no question is left.
    Question(Option<FactIdx>),
}
