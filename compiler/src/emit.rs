//! Emit: a checked model → the compiled artifact's files.
//!
//! Takes a [`KnowledgeBase`] (the output of [`crate::check`]), gives the
//! files `kbc build` writes next to the guides: the artifact the runtime
//! loads (`artifact/kb.kbc`, see `kbc_runtime::Artifact` for the format) and
//! its JSON export for other languages (`artifact/kb.json`). The lowering
//! itself lives in the runtime crate, which owns the format; this stage only
//! names the files and fixes their bytes.
//!
//! **Deterministic:** the same model always gives the same bytes, so the
//! checked-in build output only changes when the knowledge base does.
//!
//! ```
//! use kbc_compiler::{check, emit, Input, InputFile};
//!
//! let input = Input {
//!     kb_yaml: Some(b"title: T\nproduct: P\nversion: 1.0.0\nlanguage: en\n".to_vec()),
//!     files: vec![InputFile {
//!         path: "rules.kb".into(),
//!         bytes: br#"
//!             fact ping_ok: bool ask "Does ping reach the host?"
//!             symptom no_rdp "RDP fails" { when ping_ok }
//!             cause down "The host is down" { produces no_rdp  prior common }
//!         "#.to_vec(),
//!     }],
//! };
//! let model = check(&input).model.unwrap();
//! let files = emit::artifact_files(&model)?;
//! assert_eq!(files[0].0, emit::ARTIFACT_PATH);
//! let matcher = kbc_runtime::Matcher::from_bytes(&files[0].1)?;
//! assert_eq!(matcher.kb().causes[0].id, "down");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use kbc_runtime::model::KnowledgeBase;
use kbc_runtime::{Artifact, BuildError};

/// Where the compiled artifact goes, relative to the output folder.
pub const ARTIFACT_PATH: &str = "artifact/kb.kbc";

/// Where the artifact's JSON export goes, relative to the output folder.
pub const ARTIFACT_JSON_PATH: &str = "artifact/kb.json";

/// Compiles `model` into the artifact and its JSON export:
/// `[(ARTIFACT_PATH, bytes), (ARTIFACT_JSON_PATH, pretty JSON)]`, paths
/// `/`-separated and relative to the output folder.
pub fn artifact_files(model: &KnowledgeBase) -> Result<Vec<(String, Vec<u8>)>, BuildError> {
    let artifact = Artifact::build(model.clone())?;
    let bytes = artifact.to_bytes();
    // Serializing a `serde_json::Value` cannot fail; objects keep sorted
    // keys, so the text is as deterministic as the value.
    let mut json = serde_json::to_vec_pretty(&artifact.to_json()).unwrap_or_default();
    json.push(b'\n');
    Ok(vec![
        (ARTIFACT_PATH.to_string(), bytes),
        (ARTIFACT_JSON_PATH.to_string(), json),
    ])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::synth::{self, SynthConfig};

    fn model(seed: u64) -> KnowledgeBase {
        let input = synth::generate(&SynthConfig {
            rules: 400,
            seed,
            text_patterns: 60,
        });
        crate::check(&input)
            .model
            .expect("synthetic bases check clean")
    }

    #[test]
    fn same_model_gives_identical_bytes() {
        // Two separate checks of the same source: nothing may depend on
        // hashing order, addresses or time.
        let a = artifact_files(&model(3)).unwrap();
        let b = artifact_files(&model(3)).unwrap();
        assert_eq!(a, b);
        let again = artifact_files(&model(3)).unwrap();
        assert_eq!(a, again);
        // And another model gives other bytes.
        let other = artifact_files(&model(4)).unwrap();
        assert_ne!(a[0].1, other[0].1);
    }

    #[test]
    fn the_files_are_the_artifact_and_its_json_export() {
        let m = model(5);
        let files = artifact_files(&m).unwrap();
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, [ARTIFACT_PATH, ARTIFACT_JSON_PATH]);
        let loaded = kbc_runtime::Matcher::from_bytes(&files[0].1).unwrap();
        assert_eq!(loaded.kb(), &m);
        let json: serde_json::Value = serde_json::from_slice(&files[1].1).unwrap();
        assert_eq!(json["format_version"], kbc_runtime::FORMAT_VERSION);
        assert_eq!(
            json["kb"]["causes"].as_array().unwrap().len(),
            m.causes.len()
        );
        assert!(files[1].1.ends_with(b"}\n"));
    }

    #[test]
    fn the_shipped_rules_emit_deterministically() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
        let input = crate::load_dir(&dir).unwrap();
        let a = artifact_files(&crate::check(&input).model.unwrap()).unwrap();
        let b = artifact_files(&crate::check(&input).model.unwrap()).unwrap();
        assert_eq!(a, b);
    }
}
