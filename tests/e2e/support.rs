//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `kbc` binary cargo built for these tests.
pub fn kbc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kbc"));
    c.env("NO_COLOR", "1");
    c
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A minimal valid kb.yaml.
pub const KB_YAML: &str = "title: Test KB\nproduct: Test\nversion: 1.0.0\nlanguage: en\n";

/// Writes a knowledge base into a fresh temporary folder: `kb.yaml` (the
/// default unless `yaml` is given) and each `(path, bytes)` file.
pub fn write_kb(yaml: Option<&[u8]>, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("kb.yaml"),
        yaml.unwrap_or(KB_YAML.as_bytes()),
    )
    .expect("write kb.yaml");
    for (path, bytes) in files {
        let p = dir.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, bytes).expect("write file");
    }
    dir
}

/// Runs `kbc` with `args` in `dir` and returns its output.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    kbc().current_dir(dir).args(args).output().expect("run kbc")
}

/// Exit code, stdout and stderr as one string for snapshots.
pub fn transcript(out: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status
            .code()
            .map_or("signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
