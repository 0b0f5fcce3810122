//! The syntax tree: what the author wrote, with a span on everything a
//! diagnostic may point at. Names are still strings here; `check` resolves
//! them.

use kbc_runtime::model::{CmpOp, Level, Prior, Rights, Section, Shell, Strength};

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Index of the file in the [`crate::SourceMap`].
    pub file: u32,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span covering both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A value with the span it was written at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

/// An identifier as written.
pub type Ident = Spanned<String>;

/// One parsed `.kb` file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceFile {
    /// The declarations in file order.
    pub items: Vec<Item>,
    /// `(kind keyword, id)` of declarations that failed to parse.
    pub broken: Vec<(String, String)>,
}

/// A top-level declaration with its `@allow(...)` attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Warning names switched off for this declaration.
    pub allow: Vec<Ident>,
    /// The declaration.
    pub kind: ItemKind,
    /// The whole declaration.
    pub span: Span,
}

/// The kinds of declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    /// `fact`
    Fact(FactDecl),
    /// `symptom`
    Symptom(SymptomDecl),
    /// `cause`
    Cause(CauseDecl),
    /// `fix`
    Fix(FixDecl),
    /// `source`
    Source(SourceDecl),
    /// `guide`
    Guide(GuideDecl),
    /// `example`
    Example(ExampleDecl),
}

impl ItemKind {
    /// The declared id.
    pub fn id(&self) -> &Ident {
        match self {
            ItemKind::Fact(d) => &d.id,
            ItemKind::Symptom(d) => &d.id,
            ItemKind::Cause(d) => &d.id,
            ItemKind::Fix(d) => &d.id,
            ItemKind::Source(d) => &d.id,
            ItemKind::Guide(d) => &d.id,
            ItemKind::Example(d) => &d.id,
        }
    }

    /// The keyword that introduces the declaration.
    pub fn keyword(&self) -> &'static str {
        match self {
            ItemKind::Fact(_) => "fact",
            ItemKind::Symptom(_) => "symptom",
            ItemKind::Cause(_) => "cause",
            ItemKind::Fix(_) => "fix",
            ItemKind::Source(_) => "source",
            ItemKind::Guide(_) => "guide",
            ItemKind::Example(_) => "example",
        }
    }
}

/// `fact id: type ask "..." label "..."`
#[derive(Debug, Clone, PartialEq)]
pub struct FactDecl {
    /// The fact's name.
    pub id: Ident,
    /// Its type.
    pub ty: Spanned<TypeExpr>,
    /// `ask` texts (more than one is an error).
    pub ask: Vec<Spanned<String>>,
    /// `label` texts (more than one is an error).
    pub label: Vec<Spanned<String>>,
}

/// A fact type as written.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `string`
    Str,
    /// `text`
    Text,
    /// `enum(a "A", b)`
    Enum(Vec<(Ident, Option<Spanned<String>>)>),
}

/// An attribute that may be given at most once, remembered with its span.
pub type Once<T> = Vec<Spanned<T>>;

/// `symptom id "title" { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct SymptomDecl {
    /// The id.
    pub id: Ident,
    /// The title.
    pub title: Spanned<String>,
    /// `when` conditions.
    pub when: Once<Expr>,
    /// `description` texts.
    pub description: Once<String>,
}

/// `cause id "title" { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct CauseDecl {
    /// The id.
    pub id: Ident,
    /// The title.
    pub title: Spanned<String>,
    /// `produces` lists (several are concatenated).
    pub produces: Vec<Ident>,
    /// `prior` levels.
    pub prior: Once<Prior>,
    /// `description` texts.
    pub description: Once<String>,
    /// Evidence lines from every `evidence` block.
    pub evidence: Vec<EvidenceLine>,
    /// `sources` lists (concatenated).
    pub sources: Vec<Ident>,
}

/// `strong when cond because "..."`
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceLine {
    /// The strength keyword(s).
    pub strength: Spanned<Strength>,
    /// The condition.
    pub condition: Spanned<Expr>,
    /// The plain-words reason.
    pub because: Option<Spanned<String>>,
    /// The whole line.
    pub span: Span,
}

/// `fix id "title" { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct FixDecl {
    /// The id.
    pub id: Ident,
    /// The title.
    pub title: Spanned<String>,
    /// `resolves` lists (concatenated).
    pub resolves: Vec<Ident>,
    /// `effort` levels.
    pub effort: Once<Level>,
    /// `risk` levels.
    pub risk: Once<Level>,
    /// `needs` rights.
    pub needs: Once<Rights>,
    /// `description` texts.
    pub description: Once<String>,
    /// `sources` lists (concatenated).
    pub sources: Vec<Ident>,
    /// Steps in order.
    pub steps: Vec<Spanned<StepExpr>>,
}

/// A step as written.
#[derive(Debug, Clone, PartialEq)]
pub enum StepExpr {
    /// `step "..."`
    Prose(String),
    /// `run shell "..."`
    Command(Shell, String),
    /// `registry "path" name = type data`
    Registry {
        /// The key path.
        path: String,
        /// The value name.
        name: String,
        /// The data.
        data: RegistryExpr,
    },
    /// `policy "a > b" setting "s" = "v"`
    Policy {
        /// The tree path as written.
        path: String,
        /// The setting.
        setting: Option<String>,
        /// Its value.
        value: Option<String>,
    },
    /// `ui "a > b"`
    Ui(String),
    /// `reboot "what"?`
    Reboot(Option<String>),
    /// `warning "..."`
    Warning(String),
    /// `link "url" "title"?`
    Link(String, Option<String>),
}

/// Registry data as written; integers are range-checked by `check`.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistryExpr {
    /// `dword N`
    Dword(Spanned<i128>),
    /// `qword N`
    Qword(Spanned<i128>),
    /// `sz "..."`
    Sz(String),
    /// `expand_sz "..."`
    ExpandSz(String),
    /// `multi_sz [...]`
    MultiSz(Vec<String>),
}

/// `source id "title" { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct SourceDecl {
    /// The id.
    pub id: Ident,
    /// The title.
    pub title: Spanned<String>,
    /// `url`s.
    pub url: Once<String>,
    /// `publisher`s.
    pub publisher: Once<String>,
    /// `note`s.
    pub note: Once<String>,
}

/// `guide id "title" for symptom { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct GuideDecl {
    /// The id.
    pub id: Ident,
    /// The title.
    pub title: Spanned<String>,
    /// The symptom.
    pub symptom: Ident,
    /// `intro` texts.
    pub intro: Once<String>,
    /// `meaning` texts.
    pub meaning: Once<String>,
    /// `start_here` texts.
    pub start_here: Once<String>,
    /// `summary` texts.
    pub summary: Once<String>,
    /// `sections` lists (concatenated; section names are checked later).
    pub sections: Vec<Ident>,
    /// `related` symptoms.
    pub related: Vec<Ident>,
}

/// `example id "title" { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleDecl {
    /// The id.
    pub id: Ident,
    /// The title.
    pub title: Spanned<String>,
    /// `given` assignments.
    pub given: Vec<(Ident, Spanned<Literal>)>,
    /// `expect` lines.
    pub expect: Vec<Spanned<ExpectExpr>>,
}

/// An expectation as written.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectExpr {
    /// `expect top c`
    Top(Ident),
    /// `expect order a > b`
    Order(Vec<Ident>),
    /// `expect ranked c`
    Ranked(Ident),
    /// `expect not_ranked c`
    NotRanked(Ident),
    /// `expect ruled_out c`
    RuledOut(Ident),
    /// `expect first_fix f`
    FirstFix(Ident),
    /// `expect question fact` / `expect no_question`
    Question(Option<Ident>),
}

/// A literal value; its type is decided by the fact it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// An integer; kept wide so overflow is a checked error, not a parse failure.
    Int(i128),
    /// `true` / `false`.
    Bool(bool),
    /// A string.
    Str(String),
    /// A bare identifier: an enumeration value.
    Ident(String),
}

impl Literal {
    /// What kind of literal this is, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Literal::Int(_) => "an integer",
            Literal::Bool(_) => "a boolean",
            Literal::Str(_) => "a string",
            Literal::Ident(_) => "a name",
        }
    }
}

/// A condition as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a and b and ...`
    And(Vec<Spanned<Expr>>),
    /// `a or b or ...`
    Or(Vec<Spanned<Expr>>),
    /// `not a`
    Not(Box<Spanned<Expr>>),
    /// A bare fact name (a bool fact is true).
    Bare(Ident),
    /// `fact OP literal`
    Compare(Ident, CmpOp, Spanned<Literal>),
    /// `fact in [..]` / `fact not in [..]` (negated when the bool is true)
    In(Ident, Vec<Spanned<Literal>>, bool),
    /// `fact contains "..."`
    Contains(Ident, Spanned<String>),
    /// `fact matches "..."`; the span is the string's content.
    Matches(Ident, Spanned<String>),
    /// `fact is known` / `fact is unknown` (negated when the bool is true)
    Known(Ident, bool),
}

/// The sections keyword list, resolved by name in `check`.
pub fn section_by_name(name: &str) -> Option<Section> {
    Section::ALL.iter().copied().find(|s| s.keyword() == name)
}
