//! Load: a knowledge base folder → [`Input`]. The one place the front end
//! reads the file system: every `.kb` file under the root (walkdir, sorted by
//! path so every run sees the same order) and `kb.yaml`.

use crate::check::{Input, InputFile};
use std::path::{Path, PathBuf};

/// Why a knowledge base folder could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The path does not exist or is not a folder.
    #[error("`{}` is not a knowledge base folder: {reason}", path.display())]
    NotAFolder {
        /// The path given.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file or folder inside could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Largest `.kb` file read; larger files are refused rather than loaded.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads `kb.yaml` and every `.kb` file under `root`.
pub fn load_dir(root: &Path) -> Result<Input, LoadError> {
    let meta = std::fs::metadata(root).map_err(|e| LoadError::NotAFolder {
        path: root.to_path_buf(),
        reason: e.to_string(),
    })?;
    if !meta.is_dir() {
        return Err(LoadError::NotAFolder {
            path: root.to_path_buf(),
            reason: "it is a file".into(),
        });
    }
    let kb_yaml = match std::fs::read(root.join("kb.yaml")) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(LoadError::Read {
                path: root.join("kb.yaml"),
                source: e,
            })
        }
    };
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .follow_links(false)
    {
        let entry = entry.map_err(|e| LoadError::Read {
            path: e
                .path()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| root.to_path_buf()),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("file system loop")),
        })?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "kb") {
            continue;
        }
        let read_err = |source| LoadError::Read {
            path: path.to_path_buf(),
            source,
        };
        let len = entry.metadata().map_err(|e| read_err(e.into()))?.len();
        if len > MAX_FILE_BYTES {
            return Err(read_err(std::io::Error::other(format!(
                "the file is {len} bytes; the limit is {MAX_FILE_BYTES}"
            ))));
        }
        let bytes = std::fs::read(path).map_err(read_err)?;
        let rel = path.strip_prefix(root).unwrap_or(path);
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        files.push(InputFile { path: rel, bytes });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Input { kb_yaml, files })
}
