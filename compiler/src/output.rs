//! Output: rendered files → an output folder, atomically and without
//! touching what the build did not write.
//!
//! Takes the [`OutputFile`]s of a render (already complete, in memory) and an
//! output folder; gives the folder updated so that:
//!
//! - every file is first written into a staging folder next to the target
//!   (`.<name>.kbc-tmp-<pid>`, on the same file system), then each is
//!   renamed into place. Nothing in the output folder changes until every
//!   page has rendered and been staged, so a failed render or a failed
//!   write leaves the previous output as it was;
//! - a file whose bytes are unchanged is not rewritten (its timestamp stays);
//! - a manifest, `.kbc-manifest`, lists every file the build wrote. Only
//!   files listed in the previous manifest and not written this time are
//!   removed: a file someone else put in the folder is never deleted;
//! - the output is deterministic: the manifest is sorted, and nothing
//!   depends on time or the order of the file system.
//!
//! [`check`] compares an output folder with a render without writing, for CI.

use crate::render::OutputFile;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

/// The manifest's file name, in the output folder.
pub const MANIFEST: &str = ".kbc-manifest";

const MANIFEST_HEADER: &str =
    "# Files written by `kbc build`. Only these are removed when they go stale.\n";

/// Why the output could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A file system operation failed.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A rendered path would leave the output folder.
    #[error("refusing to write `{path}`: it is not a plain relative path")]
    BadPath {
        /// The offending path.
        path: String,
    },
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> OutputError + 'a {
    move |source| OutputError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// What a write changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or whose contents changed.
    pub written: Vec<String>,
    /// Files left as they were (same bytes).
    pub unchanged: usize,
    /// Stale files of an earlier build that were removed.
    pub removed: Vec<String>,
}

/// One difference between an output folder and a fresh render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The render has the file; the folder does not.
    Missing(String),
    /// Both have the file with different contents.
    Changed(String),
    /// The folder's manifest lists a file the render no longer writes.
    Stale(String),
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::Missing(p) => write!(f, "missing: {p}"),
            Difference::Changed(p) => write!(f, "changed: {p}"),
            Difference::Stale(p) => write!(f, "stale:   {p}"),
        }
    }
}

/// Checks that `path` is relative, `/`-separated and has no `..`.
fn safe_rel(path: &str) -> Result<PathBuf, OutputError> {
    let p = Path::new(path);
    let ok = !path.is_empty()
        && !path.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(p.to_path_buf())
    } else {
        Err(OutputError::BadPath {
            path: path.to_string(),
        })
    }
}

/// The file list of the previous build, from its manifest (empty if none).
pub fn read_manifest(out: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(out.join(MANIFEST))
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .filter(|l| safe_rel(l).is_ok())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn manifest_text(files: &[OutputFile]) -> String {
    let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut s = String::from(MANIFEST_HEADER);
    for p in paths {
        s.push_str(p);
        s.push('\n');
    }
    s
}

/// Compares `out` with `files` without writing anything.
pub fn check(out: &Path, files: &[OutputFile]) -> Vec<Difference> {
    let mut diffs = Vec::new();
    let mut all: Vec<OutputFile> = files.to_vec();
    all.push(OutputFile {
        path: MANIFEST.to_string(),
        bytes: manifest_text(files).into_bytes(),
    });
    for f in &all {
        match std::fs::read(out.join(&f.path)) {
            Ok(b) if b == f.bytes => {}
            Ok(_) => diffs.push(Difference::Changed(f.path.clone())),
            Err(_) => diffs.push(Difference::Missing(f.path.clone())),
        }
    }
    let new: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for old in read_manifest(out) {
        if !new.contains(old.as_str()) && out.join(&old).exists() {
            diffs.push(Difference::Stale(old));
        }
    }
    diffs.sort_by(|a, b| key(a).cmp(key(b)));
    diffs
}

fn key(d: &Difference) -> &str {
    match d {
        Difference::Missing(p) | Difference::Changed(p) | Difference::Stale(p) => p,
    }
}

/// A staging folder removed when dropped (after success it is empty).
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `files` into `out` as described in the module documentation.
pub fn write(out: &Path, files: &[OutputFile]) -> Result<WriteReport, OutputError> {
    let rels: Vec<PathBuf> = files
        .iter()
        .map(|f| safe_rel(&f.path))
        .collect::<Result<_, _>>()?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io("create", &parent))?;
    let staging = Staging(parent.join(format!(".{name}.kbc-tmp-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&staging.0);
    std::fs::create_dir_all(&staging.0).map_err(io("create", &staging.0))?;

    // 1. Stage every changed file. Any failure here leaves `out` untouched.
    let mut report = WriteReport::default();
    let mut staged: Vec<&Path> = Vec::new();
    for (f, rel) in files.iter().zip(&rels) {
        if std::fs::read(out.join(rel)).is_ok_and(|b| b == f.bytes) {
            report.unchanged += 1;
            continue;
        }
        let tmp = staging.0.join(rel);
        if let Some(dir) = tmp.parent() {
            std::fs::create_dir_all(dir).map_err(io("create", dir))?;
        }
        let mut file = std::fs::File::create(&tmp).map_err(io("write", &tmp))?;
        file.write_all(&f.bytes).map_err(io("write", &tmp))?;
        file.sync_all().map_err(io("write", &tmp))?;
        staged.push(rel);
        report.written.push(f.path.clone());
    }
    let manifest = manifest_text(files);
    let manifest_changed =
        std::fs::read_to_string(out.join(MANIFEST)).map_or(true, |old| old != manifest);
    if manifest_changed {
        let tmp = staging.0.join(MANIFEST);
        std::fs::write(&tmp, &manifest).map_err(io("write", &tmp))?;
    }

    // 2. Move the staged files into place, each with an atomic rename.
    std::fs::create_dir_all(out).map_err(io("create", out))?;
    let previous = read_manifest(out);
    for rel in staged {
        let dest = out.join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(io("create", dir))?;
        }
        std::fs::rename(staging.0.join(rel), &dest).map_err(io("replace", &dest))?;
    }

    // 3. Remove the files of the previous build that this one did not write.
    let new: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for old in previous {
        if new.contains(old.as_str()) {
            continue;
        }
        let path = out.join(&old);
        if path.is_file() {
            std::fs::remove_file(&path).map_err(io("remove", &path))?;
            report.removed.push(old.clone());
            remove_empty_parents(out, &path);
        }
    }

    // 4. The manifest last: until here the old one still lists every file
    //    an interrupted build may have left.
    if manifest_changed {
        let dest = out.join(MANIFEST);
        std::fs::rename(staging.0.join(MANIFEST), &dest).map_err(io("replace", &dest))?;
    }
    Ok(report)
}

/// Removes the now-empty folders between `file` and `root`.
fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn paths_must_stay_inside() {
        assert!(safe_rel("html/index.html").is_ok());
        assert!(safe_rel("../x").is_err());
        assert!(safe_rel("/etc/passwd").is_err());
        assert!(safe_rel("a/./b").is_ok());
        assert!(safe_rel("").is_err());
    }

    #[test]
    fn stale_files_go_foreign_files_stay() {
        let dir = std::env::temp_dir().join(format!("kbc-output-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.join("docs");
        let r = write(&out, &[file("a/one.md", "1"), file("a/two.md", "2")]).unwrap();
        assert_eq!(r.written.len(), 2);
        std::fs::write(out.join("a/mine.txt"), "not kbc's").unwrap();
        let r = write(&out, &[file("a/one.md", "1")]).unwrap();
        assert_eq!(r.unchanged, 1);
        assert_eq!(r.removed, vec!["a/two.md".to_string()]);
        assert!(out.join("a/mine.txt").exists());
        assert!(check(&out, &[file("a/one.md", "1")]).is_empty());
        assert_eq!(
            check(&out, &[file("a/one.md", "x"), file("b.md", "")]),
            vec![
                Difference::Changed(".kbc-manifest".into()),
                Difference::Changed("a/one.md".into()),
                Difference::Missing("b.md".into())
            ]
        );
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("docs")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
