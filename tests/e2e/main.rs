//! End-to-end tests: the real `kbc` binary on real files. One test binary
//! for the whole package; each area is a module. See tests/README.md.

mod ask;
mod check_cli;
mod diagnose;
mod docs;
mod fmt;
mod kbtest;
mod lsp;
mod render;
mod serve;
mod support;
mod ui;
