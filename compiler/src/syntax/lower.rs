//! pest pairs → our AST. The grammar guarantees the shape of every pair, so
//! the walkers below take children in order; where a child is missing anyway
//! they fall back to an empty value instead of panicking.

use super::ast::*;
use super::Rule;
use crate::codes::Code;
use crate::diagnostics::Diagnostic;
use kbc_runtime::model::{CmpOp, Level, Prior, Rights, Shell, Strength};
use pest::iterators::Pair;

pub(super) struct Lowerer {
    file: u32,
    offset: usize,
    pub(super) diagnostics: Vec<Diagnostic>,
}

type P<'a> = Pair<'a, Rule>;

impl Lowerer {
    pub(super) fn new(file: u32, offset: usize) -> Self {
        Lowerer {
            file,
            offset,
            diagnostics: Vec::new(),
        }
    }

    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        Span {
            file: self.file,
            start: (self.offset + s.start()) as u32,
            end: (self.offset + s.end()) as u32,
        }
    }

    fn ident(&self, p: P) -> Ident {
        Spanned {
            span: self.span(&p),
            node: p.as_str().to_string(),
        }
    }

    /// The first child of rule `r`, lowered as an identifier.
    fn child_ident(&self, p: &P, r: Rule) -> Ident {
        match p.clone().into_inner().find(|c| c.as_rule() == r) {
            Some(c) => self.ident(c),
            None => Spanned {
                node: String::new(),
                span: self.span(p),
            },
        }
    }

    pub(super) fn file(&mut self, p: P) -> SourceFile {
        let mut items = Vec::new();
        for item in p.into_inner().filter(|c| c.as_rule() == Rule::item) {
            if let Some(i) = self.item(item) {
                items.push(i);
            }
        }
        SourceFile {
            items,
            broken: Vec::new(),
        }
    }

    fn item(&mut self, p: P) -> Option<Item> {
        let span = self.span(&p);
        let mut allow = Vec::new();
        let mut kind = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::attribute => {
                    for a in c.into_inner().filter(|a| a.as_rule() == Rule::ident) {
                        allow.push(self.ident(a));
                    }
                }
                Rule::fact => kind = Some(ItemKind::Fact(self.fact(c))),
                Rule::symptom => kind = Some(ItemKind::Symptom(self.symptom(c))),
                Rule::cause => kind = Some(ItemKind::Cause(self.cause(c))),
                Rule::fix => kind = Some(ItemKind::Fix(self.fix(c))),
                Rule::source => kind = Some(ItemKind::Source(self.source(c))),
                Rule::guide => kind = Some(ItemKind::Guide(self.guide(c))),
                Rule::example => kind = Some(ItemKind::Example(self.example(c))),
                _ => {}
            }
        }
        kind.map(|kind| Item { allow, kind, span })
    }

    fn fact(&mut self, p: P) -> FactDecl {
        let id = self.child_ident(&p, Rule::ident);
        let mut ty = Spanned {
            node: TypeExpr::Bool,
            span: id.span,
        };
        let mut ask = Vec::new();
        let mut label = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::fact_type => ty = self.fact_type(c),
                Rule::fact_attr => {
                    for a in c.into_inner() {
                        match a.as_rule() {
                            Rule::ask_attr => ask.extend(self.text_child(a)),
                            Rule::label_attr => label.extend(self.text_child(a)),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        FactDecl { id, ty, ask, label }
    }

    fn fact_type(&mut self, p: P) -> Spanned<TypeExpr> {
        let span = self.span(&p);
        let inner = p.into_inner().next();
        let node = match inner.as_ref().map(|i| i.as_rule()) {
            Some(Rule::ty_int) => TypeExpr::Int,
            Some(Rule::ty_string) => TypeExpr::Str,
            Some(Rule::ty_text) => TypeExpr::Text,
            Some(Rule::ty_enum) => {
                let mut values = Vec::new();
                if let Some(e) = inner {
                    for v in e.into_inner().filter(|v| v.as_rule() == Rule::enum_value) {
                        let mut parts = v.into_inner();
                        let id = parts.next().map(|i| self.ident(i));
                        let label = parts.next().map(|s| self.string(s));
                        if let Some(id) = id {
                            values.push((id, label));
                        }
                    }
                }
                TypeExpr::Enum(values)
            }
            _ => TypeExpr::Bool,
        };
        Spanned { node, span }
    }

    fn symptom(&mut self, p: P) -> SymptomDecl {
        let (id, title) = self.id_title(&p);
        let mut d = SymptomDecl {
            id,
            title,
            when: Vec::new(),
            description: Vec::new(),
        };
        for attr in p.into_inner().filter(|c| c.as_rule() == Rule::symptom_attr) {
            for a in attr.into_inner() {
                match a.as_rule() {
                    Rule::when_attr => {
                        if let Some(c) = a.into_inner().find(|c| c.as_rule() == Rule::condition) {
                            d.when.push(self.condition(c));
                        }
                    }
                    Rule::description => d.description.extend(self.text_child(a)),
                    _ => {}
                }
            }
        }
        d
    }

    fn id_title(&mut self, p: &P) -> (Ident, Spanned<String>) {
        let id = self.child_ident(p, Rule::ident);
        let title = match p.clone().into_inner().find(|c| c.as_rule() == Rule::string) {
            Some(s) => self.string(s),
            None => Spanned {
                node: String::new(),
                span: id.span,
            },
        };
        (id, title)
    }

    fn cause(&mut self, p: P) -> CauseDecl {
        let (id, title) = self.id_title(&p);
        let mut d = CauseDecl {
            id,
            title,
            produces: Vec::new(),
            prior: Vec::new(),
            description: Vec::new(),
            evidence: Vec::new(),
            sources: Vec::new(),
        };
        for attr in p.into_inner().filter(|c| c.as_rule() == Rule::cause_attr) {
            for a in attr.into_inner() {
                match a.as_rule() {
                    Rule::produces => d.produces.extend(self.id_list_child(a)),
                    Rule::sources => d.sources.extend(self.id_list_child(a)),
                    Rule::description => d.description.extend(self.text_child(a)),
                    Rule::prior => {
                        let span = self.span(&a);
                        let level = a
                            .into_inner()
                            .find(|c| c.as_rule() == Rule::prior_level)
                            .and_then(|l| l.into_inner().next())
                            .map(|k| match k.as_rule() {
                                Rule::kw_very_common => Prior::VeryCommon,
                                Rule::kw_uncommon => Prior::Uncommon,
                                Rule::kw_rare => Prior::Rare,
                                _ => Prior::Common,
                            });
                        if let Some(node) = level {
                            d.prior.push(Spanned { node, span });
                        }
                    }
                    Rule::evidence => {
                        for line in a
                            .into_inner()
                            .filter(|c| c.as_rule() == Rule::evidence_line)
                        {
                            d.evidence.push(self.evidence_line(line));
                        }
                    }
                    _ => {}
                }
            }
        }
        d
    }

    fn evidence_line(&mut self, p: P) -> EvidenceLine {
        let span = self.span(&p);
        let mut strength = Spanned {
            node: Strength::Weak,
            span,
        };
        let mut condition = None;
        let mut because = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::strength => {
                    let s_span = self.span(&c);
                    let node = match c.into_inner().next().map(|k| k.as_rule()) {
                        Some(Rule::strong) => Strength::Strong,
                        Some(Rule::moderate) => Strength::Moderate,
                        Some(Rule::against_weak) => Strength::AgainstWeak,
                        Some(Rule::against_strong) => Strength::AgainstStrong,
                        Some(Rule::against) => Strength::AgainstModerate,
                        Some(Rule::rules_out) => Strength::RulesOut,
                        _ => Strength::Weak,
                    };
                    strength = Spanned { node, span: s_span };
                }
                Rule::condition => condition = Some(self.condition(c)),
                Rule::because => because = self.text_child(c),
                _ => {}
            }
        }
        EvidenceLine {
            strength,
            condition: condition.unwrap_or(Spanned {
                node: Expr::And(Vec::new()),
                span,
            }),
            because,
            span,
        }
    }

    fn fix(&mut self, p: P) -> FixDecl {
        let (id, title) = self.id_title(&p);
        let mut d = FixDecl {
            id,
            title,
            resolves: Vec::new(),
            effort: Vec::new(),
            risk: Vec::new(),
            needs: Vec::new(),
            description: Vec::new(),
            sources: Vec::new(),
            steps: Vec::new(),
        };
        for attr in p.into_inner().filter(|c| c.as_rule() == Rule::fix_attr) {
            for a in attr.into_inner() {
                let span = self.span(&a);
                match a.as_rule() {
                    Rule::resolves => d.resolves.extend(self.id_list_child(a)),
                    Rule::sources => d.sources.extend(self.id_list_child(a)),
                    Rule::description => d.description.extend(self.text_child(a)),
                    Rule::effort => d.effort.push(Spanned {
                        node: level_of(a),
                        span,
                    }),
                    Rule::risk => d.risk.push(Spanned {
                        node: level_of(a),
                        span,
                    }),
                    Rule::needs => {
                        let node = match a
                            .into_inner()
                            .find(|c| c.as_rule() == Rule::rights)
                            .and_then(|r| r.into_inner().next())
                            .map(|k| k.as_rule())
                        {
                            Some(Rule::kw_admin) => Rights::Admin,
                            Some(Rule::kw_domain_admin) => Rights::DomainAdmin,
                            _ => Rights::User,
                        };
                        d.needs.push(Spanned { node, span });
                    }
                    Rule::step => {
                        if let Some(s) = a.into_inner().next() {
                            if let Some(node) = self.step(s) {
                                d.steps.push(Spanned { node, span });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        d
    }

    fn step(&mut self, p: P) -> Option<StepExpr> {
        let rule = p.as_rule();
        let mut strings = Vec::new();
        let mut shell = Shell::Cmd;
        let mut reg_name = String::new();
        let mut reg_data = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::string | Rule::text => strings.push(self.text_or_string(c).node),
                Rule::shell => {
                    shell = match c.into_inner().next().map(|k| k.as_rule()) {
                        Some(Rule::kw_powershell) => Shell::Powershell,
                        Some(Rule::kw_shell) => Shell::Shell,
                        _ => Shell::Cmd,
                    }
                }
                Rule::reg_name => {
                    if let Some(n) = c.into_inner().next() {
                        reg_name = match n.as_rule() {
                            Rule::string => self.string(n).node,
                            _ => n.as_str().to_string(),
                        };
                    }
                }
                Rule::reg_data => reg_data = c.into_inner().next().map(|d| self.reg_data(d)),
                _ => {}
            }
        }
        let mut strings = strings.into_iter();
        let mut next = || strings.next().unwrap_or_default();
        Some(match rule {
            Rule::prose_step => StepExpr::Prose(next()),
            Rule::run_step => StepExpr::Command(shell, next()),
            Rule::registry_step => StepExpr::Registry {
                path: next(),
                name: reg_name,
                data: reg_data?,
            },
            Rule::policy_step => {
                let path = next();
                let setting = Some(next()).filter(|s| !s.is_empty());
                let value = Some(next()).filter(|s| !s.is_empty());
                StepExpr::Policy {
                    path,
                    setting,
                    value,
                }
            }
            Rule::ui_step => StepExpr::Ui(next()),
            Rule::reboot_step => StepExpr::Reboot(Some(next()).filter(|s| !s.is_empty())),
            Rule::warning_step => StepExpr::Warning(next()),
            Rule::link_step => {
                let url = next();
                StepExpr::Link(url, Some(next()).filter(|s| !s.is_empty()))
            }
            _ => return None,
        })
    }

    fn reg_data(&mut self, p: P) -> RegistryExpr {
        let rule = p.as_rule();
        let mut ints = Vec::new();
        let mut strings = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::integer => ints.push(self.integer(c)),
                Rule::string => strings.push(self.string(c).node),
                _ => {}
            }
        }
        match rule {
            Rule::reg_dword => RegistryExpr::Dword(ints.into_iter().next().unwrap_or_default()),
            Rule::reg_qword => RegistryExpr::Qword(ints.into_iter().next().unwrap_or_default()),
            Rule::reg_expand_sz => {
                RegistryExpr::ExpandSz(strings.into_iter().next().unwrap_or_default())
            }
            Rule::reg_multi_sz => RegistryExpr::MultiSz(strings),
            _ => RegistryExpr::Sz(strings.into_iter().next().unwrap_or_default()),
        }
    }

    fn source(&mut self, p: P) -> SourceDecl {
        let (id, title) = self.id_title(&p);
        let mut d = SourceDecl {
            id,
            title,
            url: Vec::new(),
            publisher: Vec::new(),
            note: Vec::new(),
        };
        for attr in p.into_inner().filter(|c| c.as_rule() == Rule::source_attr) {
            for a in attr.into_inner() {
                match a.as_rule() {
                    Rule::url_attr => d.url.extend(self.text_child(a)),
                    Rule::publisher_attr => d.publisher.extend(self.text_child(a)),
                    Rule::note_attr => d.note.extend(self.text_child(a)),
                    _ => {}
                }
            }
        }
        d
    }

    fn guide(&mut self, p: P) -> GuideDecl {
        let (id, title) = self.id_title(&p);
        let symptom = p
            .clone()
            .into_inner()
            .filter(|c| c.as_rule() == Rule::ident)
            .nth(1)
            .map(|i| self.ident(i))
            .unwrap_or_else(|| id.clone());
        let mut d = GuideDecl {
            id,
            title,
            symptom,
            intro: Vec::new(),
            meaning: Vec::new(),
            start_here: Vec::new(),
            summary: Vec::new(),
            sections: Vec::new(),
            related: Vec::new(),
        };
        for attr in p.into_inner().filter(|c| c.as_rule() == Rule::guide_attr) {
            for a in attr.into_inner() {
                match a.as_rule() {
                    Rule::intro => d.intro.extend(self.text_child(a)),
                    Rule::meaning => d.meaning.extend(self.text_child(a)),
                    Rule::start_here => d.start_here.extend(self.text_child(a)),
                    Rule::summary => d.summary.extend(self.text_child(a)),
                    Rule::sections => d.sections.extend(self.id_list_child(a)),
                    Rule::related => d.related.extend(self.id_list_child(a)),
                    _ => {}
                }
            }
        }
        d
    }

    fn example(&mut self, p: P) -> ExampleDecl {
        let (id, title) = self.id_title(&p);
        let mut d = ExampleDecl {
            id,
            title,
            given: Vec::new(),
            expect: Vec::new(),
        };
        for attr in p.into_inner().filter(|c| c.as_rule() == Rule::example_attr) {
            for a in attr.into_inner() {
                match a.as_rule() {
                    Rule::given => {
                        for asg in a.into_inner().filter(|c| c.as_rule() == Rule::assignment) {
                            let mut parts = asg.into_inner();
                            let (Some(name), Some(lit)) = (parts.next(), parts.next()) else {
                                continue;
                            };
                            let name = self.ident(name);
                            let lit = self.literal(lit);
                            d.given.push((name, lit));
                        }
                    }
                    Rule::expect => {
                        let span = self.span(&a);
                        if let Some(e) = a
                            .into_inner()
                            .find(|c| c.as_rule() == Rule::expectation)
                            .and_then(|e| e.into_inner().next())
                        {
                            let rule = e.as_rule();
                            let ids: Vec<Ident> = e
                                .into_inner()
                                .filter(|c| c.as_rule() == Rule::ident)
                                .map(|i| self.ident(i))
                                .collect();
                            let first = ids.first().cloned().unwrap_or(Spanned {
                                node: String::new(),
                                span,
                            });
                            let node = match rule {
                                Rule::exp_top => ExpectExpr::Top(first),
                                Rule::exp_order => ExpectExpr::Order(ids),
                                Rule::exp_ranked => ExpectExpr::Ranked(first),
                                Rule::exp_not_ranked => ExpectExpr::NotRanked(first),
                                Rule::exp_ruled_out => ExpectExpr::RuledOut(first),
                                Rule::exp_first_fix => ExpectExpr::FirstFix(first),
                                Rule::exp_question => ExpectExpr::Question(Some(first)),
                                _ => ExpectExpr::Question(None),
                            };
                            d.expect.push(Spanned { node, span });
                        }
                    }
                    _ => {}
                }
            }
        }
        d
    }

    // ---- conditions ----

    fn condition(&mut self, p: P) -> Spanned<Expr> {
        match p.into_inner().next() {
            Some(or) => self.expr(or),
            None => Spanned {
                node: Expr::And(Vec::new()),
                span: Span::default(),
            },
        }
    }

    fn expr(&mut self, p: P) -> Spanned<Expr> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::or_expr | Rule::and_expr => {
                let is_or = p.as_rule() == Rule::or_expr;
                let mut parts: Vec<Spanned<Expr>> = p
                    .into_inner()
                    .filter(|c| !matches!(c.as_rule(), Rule::kw_or | Rule::kw_and))
                    .map(|c| self.expr(c))
                    .collect();
                if parts.len() == 1 {
                    return parts.pop().unwrap_or(Spanned {
                        node: Expr::And(Vec::new()),
                        span,
                    });
                }
                let node = if is_or {
                    Expr::Or(parts)
                } else {
                    Expr::And(parts)
                };
                Spanned { node, span }
            }
            Rule::unary | Rule::primary | Rule::condition => match p.into_inner().next() {
                Some(c) => self.expr(c),
                None => Spanned {
                    node: Expr::And(Vec::new()),
                    span,
                },
            },
            Rule::paren => match p.into_inner().find(|c| c.as_rule() == Rule::condition) {
                Some(c) => {
                    let inner = self.condition(c);
                    Spanned {
                        node: inner.node,
                        span,
                    }
                }
                None => Spanned {
                    node: Expr::And(Vec::new()),
                    span,
                },
            },
            Rule::not_expr => {
                let inner = p
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::unary)
                    .map(|c| self.expr(c))
                    .unwrap_or(Spanned {
                        node: Expr::And(Vec::new()),
                        span,
                    });
                Spanned {
                    node: Expr::Not(Box::new(inner)),
                    span,
                }
            }
            Rule::predicate => self.predicate(p),
            _ => Spanned {
                node: Expr::And(Vec::new()),
                span,
            },
        }
    }

    fn predicate(&mut self, p: P) -> Spanned<Expr> {
        let span = self.span(&p);
        let mut parts = p.into_inner();
        let Some(fact) = parts.next().map(|f| self.ident(f)) else {
            return Spanned {
                node: Expr::And(Vec::new()),
                span,
            };
        };
        let Some(test) = parts.next().and_then(|t| t.into_inner().next()) else {
            return Spanned {
                node: Expr::Bare(fact),
                span,
            };
        };
        let rule = test.as_rule();
        let node = match rule {
            Rule::cmp_test => {
                let mut t = test.into_inner();
                let op = match t.next().map(|o| o.as_str().to_string()).as_deref() {
                    Some("!=") => CmpOp::Ne,
                    Some("<") => CmpOp::Lt,
                    Some("<=") => CmpOp::Le,
                    Some(">") => CmpOp::Gt,
                    Some(">=") => CmpOp::Ge,
                    _ => CmpOp::Eq,
                };
                match t.next() {
                    Some(l) => Expr::Compare(fact, op, self.literal(l)),
                    None => Expr::Bare(fact),
                }
            }
            Rule::in_test | Rule::not_in_test => {
                let values = test
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::list)
                    .map(|l| l.into_inner().map(|v| self.literal(v)).collect())
                    .unwrap_or_default();
                Expr::In(fact, values, rule == Rule::not_in_test)
            }
            Rule::contains_test | Rule::matches_test => {
                let s = test
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::string)
                    .map(|s| self.string(s))
                    .unwrap_or(Spanned {
                        node: String::new(),
                        span,
                    });
                if rule == Rule::contains_test {
                    Expr::Contains(fact, s)
                } else {
                    Expr::Matches(fact, s)
                }
            }
            Rule::known_test => Expr::Known(fact, false),
            Rule::unknown_test => Expr::Known(fact, true),
            _ => Expr::Bare(fact),
        };
        Spanned { node, span }
    }

    // ---- lexical ----

    fn literal(&mut self, p: P) -> Spanned<Literal> {
        let span = self.span(&p);
        let inner = match p.as_rule() {
            Rule::literal => p.into_inner().next(),
            _ => Some(p),
        };
        let node = match inner {
            Some(i) => match i.as_rule() {
                Rule::integer => Literal::Int(self.integer(i).node),
                Rule::boolean => Literal::Bool(i.as_str() == "true"),
                Rule::string => Literal::Str(self.string(i).node),
                _ => Literal::Ident(i.as_str().to_string()),
            },
            None => Literal::Bool(false),
        };
        Spanned { node, span }
    }

    fn integer(&mut self, p: P) -> Spanned<i128> {
        let span = self.span(&p);
        let text = p.as_str();
        let (neg, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text),
        };
        let parsed = match digits
            .strip_prefix("0x")
            .or_else(|| digits.strip_prefix("0X"))
        {
            Some(hex) => i128::from_str_radix(hex, 16),
            None => digits.parse::<i128>(),
        };
        let node = match parsed {
            Ok(v) if neg => -v,
            Ok(v) => v,
            Err(_) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::NumberOutOfRange, "integer literal is too large", span)
                        .label("does not fit in 64 bits"),
                );
                0
            }
        };
        Spanned { node, span }
    }

    /// A `string` pair: unescapes `\"` and `\\`; other backslashes stay.
    fn string(&self, p: P) -> Spanned<String> {
        let span = self.span(&p);
        let raw = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
        Spanned {
            node: unescape(raw),
            span,
        }
    }

    fn text_or_string(&self, p: P) -> Spanned<String> {
        match p.as_rule() {
            Rule::text => match p.into_inner().next() {
                Some(i) => self.text_or_string(i),
                None => Spanned {
                    node: String::new(),
                    span: Span::default(),
                },
            },
            Rule::text_block => {
                let span = self.span(&p);
                let raw = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
                Spanned {
                    node: dedent(raw),
                    span,
                }
            }
            _ => self.string(p),
        }
    }

    fn text_child(&self, p: P) -> Option<Spanned<String>> {
        p.into_inner()
            .find(|c| matches!(c.as_rule(), Rule::text | Rule::string))
            .map(|t| self.text_or_string(t))
    }

    fn id_list_child(&self, p: P) -> Vec<Ident> {
        p.into_inner()
            .find(|c| c.as_rule() == Rule::id_list)
            .map(|l| l.into_inner().map(|i| self.ident(i)).collect())
            .unwrap_or_default()
    }
}

fn level_of(p: P) -> Level {
    match p
        .into_inner()
        .find(|c| c.as_rule() == Rule::level)
        .and_then(|l| l.into_inner().next())
        .map(|k| k.as_rule())
    {
        Some(Rule::kw_medium) => Level::Medium,
        Some(Rule::kw_high) => Level::High,
        _ => Level::Low,
    }
}

/// `\"` → `"`, `\\` → `\`; every other backslash is kept as written.
pub fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('"') => {
                    out.push('"');
                    chars.next();
                }
                Some('\\') => {
                    out.push('\\');
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Removes the first and last line breaks of a text block and the
/// indentation common to its non-blank lines.
pub fn dedent(raw: &str) -> String {
    let raw = raw
        .strip_prefix("\r\n")
        .or_else(|| raw.strip_prefix('\n'))
        .unwrap_or(raw);
    let mut lines: Vec<&str> = raw.lines().collect();
    if lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}
