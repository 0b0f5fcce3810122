//! `kbc lsp` driven like an editor drives it: real JSON-RPC messages with
//! `Content-Length` framing over the binary's stdin and stdout.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::{kbc, write_kb};
use serde_json::{json, Value};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

const FACTS: &str = "fact client_os: enum(windows7 \"Windows 7\", windows11 \"Windows 11\")\n  ask \"Which OS?\"\n\nfact ping_ok: bool\n  ask \"Does ping work?\"\n";
const RULES: &str = "symptom s \"S\" {\n  when ping_ok\n}\n\ncause c \"A cause\" {\n  produces s\n  prior common\n  evidence {\n    strong when client_os == windows7\n  }\n  sources src\n}\n\nfix f \"A fix\" {\n  resolves c\n  effort low  risk low  needs user\n  step \"Do it.\"\n  sources src\n}\n\nsource src \"Src\" {\n  url \"https://example.com\"\n}\n\nexample e \"An example\" {\n  given ping_ok = true, client_os = windows7\n  expect top c\n}\n";

struct Lsp {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications seen while waiting for responses.
    seen: Vec<Value>,
}

impl Lsp {
    fn start(dir: &std::path::Path) -> Lsp {
        let mut child = kbc()
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kbc lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().expect("length");
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("json");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let mut lsp = Lsp {
            child,
            stdin,
            rx,
            next_id: 1,
            seen: Vec::new(),
        };
        let root = url(dir);
        let init = lsp.request(
            "initialize",
            json!({"processId": null, "rootUri": root, "capabilities": {}}),
        );
        assert!(init["result"]["capabilities"]["definitionProvider"] == json!(true));
        lsp.notify("initialized", json!({}));
        lsp
    }

    fn send(&mut self, v: Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers in time")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let v = self.recv();
            if v.get("id") == Some(&json!(id)) {
                return v;
            }
            self.seen.push(v);
        }
    }

    /// The next diagnostics published for `uri` (including ones seen earlier).
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.seen.iter().position(|v| is_diag_for(v, uri)) {
            let v = self.seen.remove(i);
            return v["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
        loop {
            let v = self.recv();
            if is_diag_for(&v, uri) {
                return v["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            self.seen.push(v);
        }
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        let mut params = json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
        if method == "textDocument/references" {
            params["context"] = json!({"includeDeclaration": true});
        }
        self.request(method, params)
    }

    fn finish(mut self) {
        // Ends the session as an editor does: shutdown, exit, close stdin.
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        drop(self.stdin);
        let status = self.child.wait().expect("wait");
        assert!(status.success());
    }
}

fn is_diag_for(v: &Value, uri: &str) -> bool {
    v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri
}

fn url(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

fn kb() -> tempfile::TempDir {
    write_kb(
        None,
        &[
            ("facts.kb", FACTS.as_bytes()),
            ("rules.kb", RULES.as_bytes()),
        ],
    )
}

fn open(lsp: &mut Lsp, uri: &str, text: &str) {
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "kb", "version": 1, "text": text}}),
    );
}

#[test]
fn diagnostics_as_you_type_with_codes_and_help() {
    let dir = kb();
    let mut lsp = Lsp::start(dir.path());
    let rules = url(&dir.path().join("rules.kb"));
    open(&mut lsp, &rules, RULES);
    let broken = RULES.replace("client_os == windows7", "client_os == windows8");
    lsp.change(&rules, 2, &broken);
    let diags = lsp.diagnostics(&rules);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "E0007", "{d}");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"], json!({"line": 8, "character": 29}));
    let message = d["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("`windows8` is not a value of"),
        "{message}"
    );
    assert!(
        message.contains("help: did you mean `windows7`?"),
        "{message}"
    );
    // Fixing it clears the diagnostics.
    lsp.change(&rules, 3, RULES);
    assert_eq!(lsp.diagnostics(&rules), Vec::<Value>::new());
    // A syntax error in the middle of typing, then the rest of the word.
    lsp.change(&rules, 4, &RULES.replace("prior common", "prior com"));
    let diags = lsp.diagnostics(&rules);
    assert!(diags.iter().any(|d| d["code"] == "E0001"), "{diags:?}");
    lsp.finish();
}

#[test]
fn definition_references_and_rename_across_files() {
    let dir = kb();
    let mut lsp = Lsp::start(dir.path());
    let rules = url(&dir.path().join("rules.kb"));
    let facts = url(&dir.path().join("facts.kb"));
    // `ping_ok` in `when ping_ok` (line 1) is declared in facts.kb line 3.
    let def = lsp.at("textDocument/definition", &rules, 1, 8);
    assert_eq!(def["result"]["uri"], facts.as_str(), "{def}");
    assert_eq!(
        def["result"]["range"]["start"],
        json!({"line": 3, "character": 5})
    );
    let refs = lsp.at("textDocument/references", &facts, 3, 6);
    let refs = refs["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(refs.len(), 3, "{refs:?}"); // declaration, when, given
                                           // Rename the cause `c` everywhere.
    let r = lsp.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": rules}, "position": {"line": 4, "character": 6}, "newName": "cert_problem"}),
    );
    let edits = r["result"]["changes"][rules.as_str()]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edits.len(), 3, "{r}"); // declaration, resolves, expect top
    assert!(edits.iter().all(|e| e["newText"] == "cert_problem"));
    // Invalid names and collisions are refused.
    for (name, why) in [
        ("Bad-Name", "not a lowercase snake_case id"),
        ("and", "reserved"),
    ] {
        let r = lsp.request(
            "textDocument/rename",
            json!({"textDocument": {"uri": rules}, "position": {"line": 4, "character": 6}, "newName": name}),
        );
        assert!(
            r["error"]["message"].as_str().unwrap_or("").contains(why),
            "{r}"
        );
    }
    let r = lsp.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": facts}, "position": {"line": 3, "character": 6}, "newName": "client_os"}),
    );
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("a fact named `client_os` already exists"),
        "{r}"
    );
    lsp.finish();
}

#[test]
fn completion_offers_what_fits_the_place() {
    let dir = kb();
    let mut lsp = Lsp::start(dir.path());
    let rules = url(&dir.path().join("rules.kb"));
    let labels = |v: &Value| -> Vec<String> {
        v["result"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| i["label"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    // After `produces`: symptoms.
    let r = lsp.at("textDocument/completion", &rules, 5, 11);
    assert_eq!(labels(&r), ["s"]);
    // At the start of a line inside a fix: fix attributes and steps.
    let r = lsp.at("textDocument/completion", &rules, 16, 2);
    let l = labels(&r);
    assert!(
        l.contains(&"resolves".to_string()) && l.contains(&"registry".to_string()),
        "{l:?}"
    );
    // After `expect top`: causes.
    let r = lsp.at("textDocument/completion", &rules, 26, 13);
    assert_eq!(labels(&r), ["c"]);
    // After `client_os ==`, while the line is half typed: its values.
    let text = RULES.replace("client_os == windows7", "client_os == ");
    open(&mut lsp, &rules, &text);
    let r = lsp.at("textDocument/completion", &rules, 8, 29);
    assert_eq!(labels(&r), ["windows7", "windows11"], "{r}");
    // Inside `in [`: the values too.
    let text = RULES.replace("client_os == windows7", "client_os in [windows7, ");
    open(&mut lsp, &rules, &text);
    let r = lsp.at("textDocument/completion", &rules, 8, 40);
    assert_eq!(labels(&r), ["windows7", "windows11"], "{r}");
    lsp.finish();
}

#[test]
fn hover_symbols_and_formatting() {
    let dir = kb();
    let mut lsp = Lsp::start(dir.path());
    let rules = url(&dir.path().join("rules.kb"));
    let facts = url(&dir.path().join("facts.kb"));
    let h = lsp.at("textDocument/hover", &rules, 4, 6);
    let text = h["result"]["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.starts_with("**cause** `c`: A cause"), "{text}");
    assert!(text.contains("Prior: `common`"), "{text}");
    assert!(text.contains("- `e`: An example"), "{text}");
    let h = lsp.at("textDocument/hover", &facts, 0, 6);
    let text = h["result"]["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("- `windows7`: Windows 7"), "{text}");
    assert!(text.contains("Asks: Which OS?"), "{text}");
    let s = lsp.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": rules}}),
    );
    let names: Vec<&str> = s["result"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["s", "c", "f", "src", "e"]);
    open(&mut lsp, &rules, "fact   x : bool ask \"X?\"\n");
    let f = lsp.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": rules}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(
        f["result"][0]["newText"], "fact x: bool\n  ask \"X?\"\n",
        "{f}"
    );
    lsp.finish();
}

#[test]
fn never_crashes_on_half_typed_files() {
    let dir = kb();
    let mut lsp = Lsp::start(dir.path());
    let rules = url(&dir.path().join("rules.kb"));
    open(&mut lsp, &rules, "");
    // Type the file one chunk at a time, asking for everything as we go.
    let chars: Vec<char> = RULES.chars().collect();
    for (version, end) in (1..chars.len()).step_by(7).enumerate() {
        let prefix: String = chars[..end].iter().collect();
        lsp.change(&rules, version as i64 + 2, &prefix);
        let line = prefix.lines().count().saturating_sub(1) as u32;
        let col = prefix.lines().last().map_or(0, |l| l.chars().count()) as u32;
        for method in [
            "textDocument/completion",
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/references",
        ] {
            let r = lsp.at(method, &rules, line, col);
            assert!(r.get("error").is_none(), "{method} at {end}: {r}");
        }
    }
    lsp.change(&rules, 9999, "fact \u{1F600} \"\"\" ((((( [[[ \u{0} ");
    let r = lsp.at("textDocument/completion", &rules, 0, 3);
    assert!(r.get("error").is_none(), "{r}");
    lsp.finish();
}
