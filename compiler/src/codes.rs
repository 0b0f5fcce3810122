//! Every diagnostic code, with its explanation and an example that triggers
//! it. `docs/errors.md` is generated from this table (the rustc error-index
//! model), and a test runs every example to prove it produces exactly its code.

macro_rules! codes {
    ($( $variant:ident = $id:literal, $name:expr, $title:literal,
        explanation: $expl:literal,
        example: [$( ($path:literal, $src:literal) ),* $(,)?] ; )*) => {
        /// A diagnostic code. Errors are `E…`; warnings are `W…` and have a
        /// snake_case name that `@allow(...)` and `kb.yaml` accept.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = $title]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as shown (`E0005`).
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// The warning's snake_case name, or `None` for errors.
            pub fn warning_name(self) -> Option<&'static str> {
                match self { $(Code::$variant => $name,)* }
            }

            /// A one-line title.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// The longer explanation, in Markdown.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $expl,)* }
            }

            /// Files (path, text) of a knowledge base that triggers this code.
            /// A missing `kb.yaml` gets a valid default.
            pub fn example(self) -> &'static [(&'static str, &'static [u8])] {
                match self { $(Code::$variant => &[$(($path, $src)),*],)* }
            }
        }
    };
}

impl Code {
    /// The warning code named `name`.
    pub fn by_warning_name(name: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.warning_name() == Some(name))
    }

    /// Every warning name.
    pub fn warning_names() -> Vec<&'static str> {
        Code::ALL.iter().filter_map(|c| c.warning_name()).collect()
    }

    /// The code whose id is `id` (`E0005`).
    pub fn by_id(id: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.id() == id)
    }
}

codes! {
    Syntax = "E0001", None, "syntax error",
        explanation: "The text does not follow the grammar of the rule language. The message says what was expected at that point; `docs/LANGUAGE.md` shows every construct. Parsing resumes at the next declaration that starts in column 1, so one run reports one syntax error per broken declaration.",
        example: [("rules.kb", b"fact ping_ok: bool\n  ask \"Does ping reach the host?\"\n\nsymptom no_ping \"No ping\" {\n  when ping_ok = false\n}\n")];
    InvalidUtf8 = "E0002", None, "file is not valid UTF-8",
        explanation: "Rule files must be UTF-8. The error names the first byte that is not; re-save the file as UTF-8 (without a byte-order mark is best).",
        example: [("rules.kb", b"fact ok: bool ask \"caf\xe9?\"\n")];
    TooDeep = "E0003", None, "nesting too deep",
        explanation: "Brackets, parentheses and `not` may nest at most 64 levels together (`not not a` is two levels). No real rule needs more; deeper input is refused before parsing so hostile files cannot exhaust the stack. Split the condition into simpler evidence lines.",
        example: [("rules.kb", b"fact a: bool ask \"A?\"\nsymptom s \"S\" { when ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))) }\n")];
    DuplicateId = "E0004", None, "an id is declared twice",
        explanation: "Each fact, symptom, cause, fix, source, guide and example id must be unique within its kind, across every file of the knowledge base: ids become anchors, URLs and API values. Rename one of the two declarations.",
        example: [("a.kb", b"fact ping_ok: bool ask \"Does ping reach the host?\"\n"), ("b.kb", b"fact ping_ok: bool ask \"Ping works?\"\nsymptom s \"S\" { when ping_ok }\n")];
    UndefinedReference = "E0005", None, "reference to an undefined id",
        explanation: "A name refers to a fact, symptom, cause, fix, source or warning that is not declared anywhere in the knowledge base. The help line suggests the closest declared name.",
        example: [("rules.kb", b"fact ping_ok: bool ask \"Does ping reach the host?\"\nsymptom s \"S\" { when pingok }\n")];
    TypeMismatch = "E0006", None, "a value does not have the fact's type",
        explanation: "Every value compared with a fact, listed with `in` or given in an example must have the fact's type: `true`/`false` for `bool`, an integer (`2308` or `0x904`) for `int`, a string for `string` and `text`, and one of the declared names for an `enum`.",
        example: [("rules.kb", b"fact error_code: int ask \"Which code?\"\nsymptom s \"S\" { when error_code == \"0x904\" }\n")];
    UnknownEnumValue = "E0007", None, "a value is not one of the enumeration's values",
        explanation: "An enumeration fact only takes the values listed in its declaration. The help line suggests the closest one; add the value to the declaration if it is really new.",
        example: [("rules.kb", b"fact os: enum(windows10, windows11) ask \"Which OS?\"\nsymptom s \"S\" { when os == windows12 }\n")];
    InvalidRegex = "E0008", None, "invalid regular expression",
        explanation: "The pattern after `matches` must be a valid Rust regular expression (https://docs.rs/regex). The label points at the part of the pattern that is wrong.",
        example: [("rules.kb", b"fact message: text ask \"What does the message say?\"\nsymptom s \"S\" { when message matches \"error (0x[0-9a-f]+\" }\n")];
    OperatorNotAllowed = "E0009", None, "the test does not apply to the fact's type",
        explanation: "`<`, `<=`, `>` and `>=` apply to `int` facts; `contains` and `matches` to `text` and `string` facts; a `text` fact can only be tested with `contains`, `matches` and `is known`; a fact on its own (`domain_joined`) must be a `bool`.",
        example: [("rules.kb", b"fact error_code: int ask \"Which code?\"\nsymptom s \"S\" { when error_code contains \"904\" }\n")];
    BadKbYaml = "E0010", None, "kb.yaml is missing or invalid",
        explanation: "`kb.yaml` at the root of the knowledge base holds its metadata: `title`, `product`, `version`, `language` (required), `base_url` and `allow` (optional). The error points at the line and column of the problem. A `kb.yaml` over 64 KiB or nested more than 32 levels deep is refused unread.",
        example: [("kb.yaml", b"title: Remote Desktop\nproduct: Remote Desktop\nversion: 1.0\nlanguage: en\ncolour: blue\n"), ("rules.kb", b"")];
    MissingAttribute = "E0011", None, "a required attribute is missing",
        explanation: "Some attributes are required: a cause needs `produces` and `prior`; a fix needs `resolves`, `effort`, `risk` and `needs`; an example needs at least one `expect`.",
        example: [("rules.kb", b"symptom s \"S\" {}\ncause c \"C\" { produces s }\n")];
    DuplicateAttribute = "E0012", None, "an attribute is given twice",
        explanation: "Attributes that hold one value (`prior`, `effort`, `risk`, `needs`, `description`, `ask`, `label`, `when`, `url`, ...) may be given once per declaration. Keep one.",
        example: [("rules.kb", b"symptom s \"S\" {}\ncause c \"C\" { produces s prior common prior rare }\n")];
    DuplicateFact = "E0013", None, "a fact is given twice in an example",
        explanation: "An example's `given` assigns each fact at most once; an observation cannot have two values for one fact.",
        example: [("rules.kb", b"fact ping_ok: bool ask \"Ping works?\"\nsymptom s \"S\" { when ping_ok }\ncause c \"C\" { produces s prior common }\nexample e \"E\" { given ping_ok = true, ping_ok = false expect top c }\n")];
    InvalidId = "E0014", None, "an id is not lowercase snake_case",
        explanation: "Declared ids must match `[a-z_][a-z0-9_]*`: they become URL slugs and anchors, which must be stable and case-insensitive-safe.",
        example: [("rules.kb", b"fact PingOK: bool ask \"Ping works?\"\n")];
    NumberOutOfRange = "E0015", None, "a number is out of range",
        explanation: "`int` facts hold signed 64-bit integers; registry `dword` data is 0 to 4294967295 and `qword` 0 to 2^64-1.",
        example: [("rules.kb", b"fact code: int ask \"Code?\"\nsymptom s \"S\" { when code == 0x1ffffffffffffffff }\n")];
    DuplicateEnumValue = "E0016", None, "an enumeration value is declared twice",
        explanation: "Each value of an `enum` fact must be unique.",
        example: [("rules.kb", b"fact os: enum(mac, win, mac) ask \"OS?\"\n")];
    Io = "E0017", None, "a file or folder cannot be read",
        explanation: "The knowledge base folder or one of its files could not be read (it does not exist, or permissions forbid it).",
        example: [];
    ContradictoryExpectation = "E0018", None, "an example's expectations contradict each other",
        explanation: "An example expects a cause both ranked and not ranked (or ruled out), or expects two different top causes. No diagnosis can satisfy it.",
        example: [("rules.kb", b"symptom s \"S\" {}\ncause c \"C\" { produces s prior common }\nexample e \"E\" { expect top c expect not_ranked c }\n")];
    UnusedFact = "W0001", Some("unused_fact"), "a fact is never used in a condition",
        explanation: "No symptom `when` and no evidence reads this fact, so giving it changes nothing. Use it as evidence or remove it. Facts in the public vocabulary that are kept for compatibility can be allowed with `@allow(unused_fact)`.",
        example: [("rules.kb", b"fact ping_ok: bool ask \"Ping works?\"\n")];
    UnfixedCause = "W0002", Some("unfixed_cause"), "no fix resolves this cause",
        explanation: "A diagnosis that ranks this cause first has nothing to offer the user. Add a fix with `resolves <cause>`.",
        example: [("rules.kb", b"symptom s \"S\" {}\ncause c \"C\" { produces s prior common sources ref }\nsource ref \"Ref\" { url \"https://example.com\" }\n")];
    UnreachableSymptom = "W0003", Some("unreachable_symptom"), "no cause produces this symptom",
        explanation: "A symptom that no cause `produces` yields an empty diagnosis. Add `produces <symptom>` to its causes.",
        example: [("rules.kb", b"symptom s \"S\" {}\n")];
    UnreachableFix = "W0004", Some("unreachable_fix"), "this fix can never be suggested",
        explanation: "Every cause this fix resolves produces only symptoms whose `when` can never be true, so no diagnosis ever reaches the fix.",
        example: [("rules.kb", b"fact os: enum(mac, win) ask \"OS?\"\nsymptom s \"S\" { when os == mac and os == win }\ncause c \"C\" { produces s prior common }\nfix f \"F\" { resolves c effort low risk low needs user step \"Restart.\" }\n")];
    Unsatisfiable = "W0005", Some("unsatisfiable_condition"), "this condition can never be true",
        explanation: "The condition requires a fact to have two values at once (`os == a and os == b`), a value outside a range it also excludes, or a fact to be both known and unknown. The evidence never fires and the symptom is never observed. The labels point at the parts that conflict.",
        example: [("rules.kb", b"fact os: enum(mac, win) ask \"OS?\"\nsymptom s \"S\" { when os == mac and os == win }\n")];
    Unsourced = "W0006", Some("unsourced"), "a cause or fix cites no source",
        explanation: "Every cause and fix should say where its advice comes from: the guide renders the sources as references, and unsourced advice is how the seed guides went wrong. Add `sources <id>` with a `source` declaration.",
        example: [("rules.kb", b"symptom s \"S\" {}\ncause c \"C\" { produces s prior common }\nfix f \"F\" { resolves c effort low risk low needs user step \"Do it.\" }\n")];
    MissingQuestion = "W0007", Some("missing_question"), "a fact has no question",
        explanation: "Without `ask \"...\"` the runtime cannot ask for this fact when it would best separate the leading causes.",
        example: [("rules.kb", b"fact ping_ok: bool\nsymptom s \"S\" { when ping_ok }\n")];
    UnusedSource = "W0008", Some("unused_source"), "a source is never cited",
        explanation: "No cause or fix lists this source in `sources`.",
        example: [("rules.kb", b"source ref \"Ref\" { url \"https://example.com\" }\n")];
    EmptyFix = "W0009", Some("empty_fix"), "a fix has no steps",
        explanation: "A fix without steps tells the user nothing to do. Add steps (`step`, `run`, `registry`, `policy`, `ui`, `reboot`, `warning`, `link`).",
        example: [("rules.kb", b"symptom s \"S\" {}\ncause c \"C\" { produces s prior common }\nfix f \"F\" { resolves c effort low risk low needs user }\n")];
    UnknownWarning = "W0010", Some("unknown_warning"), "an `allow` names no known warning",
        explanation: "`@allow(...)` and `allow:` in kb.yaml take warning names such as `unused_fact`; see this reference for the list.",
        example: [("rules.kb", b"@allow(unused_facts)\nfact ping_ok: bool ask \"Ping works?\"\n")];
}

/// Renders the error reference, `docs/errors.md`.
pub fn error_index_markdown() -> String {
    let mut out = String::from(
        "# Error and warning reference\n\n\
         <!-- Generated by `kbc explain --all` from compiler/src/codes.rs. Do not edit. -->\n\n\
         Every diagnostic `kbc check` prints has a code. Errors (`E…`) stop the build; \
         warnings (`W…`) do not, unless `--deny-warnings` is given, and each can be \
         switched off by name for a whole knowledge base (`allow: [name]` in `kb.yaml`) \
         or for one declaration (`@allow(name)` before it).\n\n",
    );
    for code in Code::ALL {
        out.push_str(&format!(
            "- [{}](#{}) — {}",
            code.id(),
            code.id().to_lowercase(),
            code.title()
        ));
        if let Some(n) = code.warning_name() {
            out.push_str(&format!(" (`{n}`)"));
        }
        out.push('\n');
    }
    for code in Code::ALL {
        out.push_str(&format!("\n## {}\n\n", code.id()));
        match code.warning_name() {
            Some(n) => out.push_str(&format!("Warning `{n}`: {}.\n\n", code.title())),
            None => out.push_str(&format!("Error: {}.\n\n", code.title())),
        }
        out.push_str(code.explanation());
        out.push_str("\n\n");
        if code.example().is_empty() {
            out.push_str("This error comes from the file system, so it has no source example.\n");
        }
        for (path, src) in code.example() {
            let src = String::from_utf8_lossy(src);
            let lang = if path.ends_with(".yaml") {
                "yaml"
            } else {
                "kb"
            };
            out.push_str(&format!("`{path}`:\n\n```{lang}\n{src}```\n\n"));
        }
    }
    out
}
