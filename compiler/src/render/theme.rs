//! The theme: handlebars templates, partials and static assets. The default
//! theme is embedded in the binary; `kbc build --theme DIR` replaces any
//! file of it by name, and `kbc theme export DIR` writes it out to start
//! from.
//!
//! A theme file's name is its path relative to the theme folder:
//! `pages/guide.hbs` is the template `pages/guide`, `assets/kbc.css` is
//! copied as it is. `pages/*` are the bodies of the HTML pages, shared by the
//! site and the fragments; `html/layout` and `fragment/layout` wrap a body
//! (`{{{body}}}`); `markdown/*` are the Markdown pages; `partials/*` are
//! pieces the pages include. A file the default theme does not have is an error, so a typo
//! in a file name cannot be silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../templates/", $path)))),*]
    };
}

/// Every file of the default theme: `(relative path, contents)`.
pub const DEFAULT_FILES: &[(&str, &str)] = embed!(
    "assets/kbc.css",
    "assets/search.js",
    "assets/troubleshoot.css",
    "assets/troubleshoot.js",
    "fragment/layout.hbs",
    "html/layout.hbs",
    "html/search.hbs",
    "html/sitemap.hbs",
    "html/troubleshoot.hbs",
    "markdown/env_table.hbs",
    "markdown/fix.hbs",
    "markdown/fix_body.hbs",
    "markdown/guide.hbs",
    "markdown/index.hbs",
    "pages/fix.hbs",
    "pages/guide.hbs",
    "pages/index.hbs",
    "partials/diagram.hbs",
    "partials/env_table.hbs",
    "partials/fix_body.hbs",
    "partials/sources.hbs",
);

/// Why a theme could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ThemeError {
    /// A file in the theme folder that the default theme does not have.
    #[error("`{name}` in the theme folder is not a theme file{}", suggest(.name))]
    UnknownFile {
        /// Its path relative to the theme folder.
        name: String,
    },
    /// A file could not be read or written.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Export would overwrite files.
    #[error("`{}` already has theme files (such as `{first}`); use --force to overwrite them", dir.display())]
    WouldOverwrite {
        /// The export folder.
        dir: PathBuf,
        /// One of the existing files.
        first: String,
    },
}

fn suggest(name: &str) -> String {
    match kbc_runtime::fuzzy::closest(name, DEFAULT_FILES.iter().map(|(p, _)| *p)) {
        Some(p) => format!("; did you mean `{p}`?"),
        None => "; run `kbc theme export DIR` to see the theme's files".to_string(),
    }
}

/// A set of theme files: the defaults with any overrides applied.
#[derive(Debug, Clone)]
pub struct Theme {
    files: BTreeMap<String, String>,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            files: DEFAULT_FILES
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        }
    }
}

impl Theme {
    /// The default theme with every file found under `dir` replacing the
    /// default of the same name.
    pub fn load(dir: &Path) -> Result<Theme, ThemeError> {
        let mut theme = Theme::default();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| ThemeError::Io {
                action: "read",
                path: e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.to_path_buf()),
                source: e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("file system loop")),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(entry.path()).map_err(|source| ThemeError::Io {
                action: "read",
                path: entry.path().to_path_buf(),
                source,
            })?;
            theme = theme.with_file(&name, text)?;
        }
        Ok(theme)
    }

    /// Replaces one file, by its path relative to the theme folder.
    pub fn with_file(mut self, name: &str, text: impl Into<String>) -> Result<Theme, ThemeError> {
        match self.files.get_mut(name) {
            Some(slot) => {
                *slot = text.into();
                Ok(self)
            }
            None => Err(ThemeError::UnknownFile {
                name: name.to_string(),
            }),
        }
    }

    /// The theme's files, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// One file's contents.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// Writes the default theme into `dir`; refuses to overwrite existing
    /// files unless `force`. Returns the files written.
    pub fn export(dir: &Path, force: bool) -> Result<Vec<PathBuf>, ThemeError> {
        if !force {
            if let Some((p, _)) = DEFAULT_FILES.iter().find(|(p, _)| dir.join(p).exists()) {
                return Err(ThemeError::WouldOverwrite {
                    dir: dir.to_path_buf(),
                    first: p.to_string(),
                });
            }
        }
        let mut written = Vec::new();
        for (p, text) in DEFAULT_FILES {
            let path = dir.join(p);
            let io = |source| ThemeError::Io {
                action: "write",
                path: path.clone(),
                source,
            };
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            std::fs::write(&path, text).map_err(io)?;
            written.push(path);
        }
        Ok(written)
    }
}
