//! Hover (issue 5): a cause's or fix's title, prior and the examples that
//! name it; a fact's type, values and question. Driven through
//! [`Server::request`] with the JSON an editor sends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kbc_lsp::Server;
use serde_json::json;

const KB_YAML: &str = "title: T\nproduct: P\nversion: 1.0.0\nlanguage: en\n";
const RULES: &str = "\
fact client_os: enum(windows7 \"Windows 7\", windows11)
  ask \"Which OS?\"

symptom s \"S\" {
  when client_os == windows7
}

cause c \"A cause\" {
  produces s
  prior rare
}

fix f \"A fix\" {
  resolves c
  effort low  risk low  needs user
  step \"Do it.\"
}

example e \"An example\" {
  given client_os = windows7
  expect top c
  expect first_fix f
}
";

fn hover(server: &mut Server, uri: &lsp_types::Url, line: u32, character: u32) -> String {
    let r = server.request(lsp_server::Request::new(
        1.into(),
        "textDocument/hover".into(),
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    ));
    let value = r.result.unwrap();
    value["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn hover_shows_title_prior_examples_and_fact_details() {
    let dir = std::env::temp_dir().join(format!("kbc-lsp-hover-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kb.yaml"), KB_YAML).unwrap();
    std::fs::write(dir.join("rules.kb"), RULES).unwrap();
    let uri = lsp_types::Url::from_file_path(dir.join("rules.kb")).unwrap();
    let mut server = Server::new(Some(dir.clone()));

    // The cause, hovered where it is used (in `resolves c`).
    let cause = hover(&mut server, &uri, 13, 11);
    assert!(cause.starts_with("**cause** `c`: A cause"), "{cause}");
    assert!(cause.contains("Prior: `rare` (-15 dB"), "{cause}");
    assert!(cause.contains("- `e`: An example"), "{cause}");

    let fix = hover(&mut server, &uri, 12, 5);
    assert!(fix.starts_with("**fix** `f`: A fix"), "{fix}");
    assert!(fix.contains("effort `low`"), "{fix}");
    assert!(fix.contains("- `e`: An example"), "{fix}");

    let fact = hover(&mut server, &uri, 0, 7);
    assert!(fact.starts_with("**fact** `client_os`"), "{fact}");
    assert!(fact.contains("- `windows7`: Windows 7"), "{fact}");
    assert!(fact.contains("- `windows11`"), "{fact}");
    assert!(fact.contains("Asks: Which OS?"), "{fact}");
    let _ = std::fs::remove_dir_all(&dir);
}
