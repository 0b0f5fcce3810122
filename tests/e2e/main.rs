//! End-to-end tests: the real `kbc` binary on real files. One test binary
//! for the whole package; each area is a module. See tests/README.md.

mod check_cli;
mod docs;
mod render;
mod support;
mod ui;
