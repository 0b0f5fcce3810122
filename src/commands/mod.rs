//! One module per subcommand.

pub mod ask;
pub mod build;
pub mod check;
pub mod diagnose;
pub mod explain;
pub mod fmt;
pub mod lsp;
pub mod serve;
pub mod test;
pub mod theme;
