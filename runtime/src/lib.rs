//! The kbc runtime: load a compiled knowledge base and diagnose observations.
#![deny(missing_docs)]

pub mod model;
