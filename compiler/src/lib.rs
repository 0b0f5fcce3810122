//! The kbc compiler: `.kb` rules in, a checked model, a compiled artifact and
//! published guides out.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! load (folder → bytes) → parse (text → AST) → check (AST → model + diagnostics)
//!      → lower/emit (model → artifact, in kbc-runtime)   and   render (model → pages)
//! ```
//!
//! ```
//! use kbc_compiler::{check, Input, InputFile};
//!
//! let input = Input {
//!     kb_yaml: Some(b"title: T\nproduct: P\nversion: 1.0.0\nlanguage: en\n".to_vec()),
//!     files: vec![InputFile {
//!         path: "rules.kb".into(),
//!         bytes: br#"
//!             fact ping_ok: bool ask "Does ping reach the host?"
//!             symptom no_rdp "RDP fails" { when ping_ok }
//!         "#.to_vec(),
//!     }],
//! };
//! let checked = check(&input);
//! assert!(!checked.has_errors());
//! let model = checked.model.unwrap();
//! assert_eq!(model.facts[0].id, "ping_ok");
//! ```
#![deny(missing_docs)]

mod check;
pub mod codes;
pub mod diagnostics;
pub mod emit;
pub mod format;
mod load;
pub mod output;
pub mod render;
pub mod syntax;
pub mod synth;

pub use check::{
    check, check_parsed, check_parsed_cached, CheckCache, Checked, Input, InputFile, KbYaml,
    ParsedFile,
};
pub use codes::Code;
pub use diagnostics::{Diagnostic, Severity, SourceMap};
pub use load::{load_dir, LoadError, MAX_FILE_BYTES};
