//! `kbc build` and `kbc theme`: the generated guides as readers and portals
//! see them. Snapshots of every page of a small fixture, a hostile fixture
//! in which nothing may execute, a link checker, determinism, atomic output
//! and themes.

use crate::support::{kbc, root, transcript};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/render").join(name)
}

/// Runs `kbc build DIR --out OUT` with extra arguments.
fn build(kb: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    kbc()
        .arg("build")
        .arg(kb)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run kbc build")
}

fn build_ok(kb: &Path, out: &Path, extra: &[&str]) {
    let o = build(kb, out, extra);
    assert!(o.status.success(), "{}", transcript(&o));
}

/// Every file under `dir`: relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let path = e.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("utf-8 output")
}

// ---------------------------------------------------------------- snapshots

#[test]
fn render_small_fixture_snapshots() {
    let out = tempfile::tempdir().expect("tmp");
    build_ok(&fixture("small"), out.path(), &[]);
    let files = tree(out.path());
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    insta::assert_snapshot!("render_small_files", names.join("\n"));
    for (path, bytes) in &files {
        // The stylesheets and scripts are copied from the theme as they are;
        // the artifact is binary (the runtime's golden test covers its format).
        if path.starts_with("artifact/")
            || path.ends_with("kbc.css")
            || path.ends_with("assets/search.js")
            || path.contains("assets/troubleshoot.")
        {
            continue;
        }
        let name = format!("render_small__{}", path.replace(['/', '.'], "_"));
        insta::assert_snapshot!(name, text(bytes));
    }
}

// ------------------------------------------------------------ hostile input

fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';').filter(|e| *e < 12) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let ent = &tail[1..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=end]),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A start tag: its lower-case name and attributes.
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

/// A minimal HTML tokenizer: enough to list every start tag and its
/// attributes, and the raw text of `<script>` elements. Fails on comments
/// (the templates write none, so one in a page came from rule text).
fn scan_html(page: &str, html: &str) -> (Vec<Tag>, Vec<String>) {
    let mut tags = Vec::new();
    let mut scripts = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        let rest = &html[i..];
        if rest.starts_with("!--") {
            panic!("{page}: an HTML comment in generated output at byte {i}");
        }
        if rest.starts_with('!') || rest.starts_with('?') || rest.starts_with('/') {
            continue;
        }
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        assert!(!name.is_empty(), "{page}: a bare `<` in markup at byte {i}");
        i += name_len;
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= b.len() {
                panic!("{page}: unterminated <{name}>");
            }
            if b[i] == b'>' {
                i += 1;
                break;
            }
            if b[i] == b'/' {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && !b"=>/ \t\n".contains(&b[i]) {
                i += 1;
            }
            let an = html[start..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                assert_eq!(b[i], b'"', "{page}: unquoted attribute {an} on <{name}>");
                let end = html[i + 1..].find('"').expect("closing quote") + i + 1;
                value = decode_entities(&html[i + 1..end]);
                i = end + 1;
            }
            attrs.push((an, value));
        }
        if name == "script" {
            let end = html[i..].find("</script>").expect("closed script") + i;
            scripts.push(html[i..end].to_string());
            i = end;
        }
        tags.push(Tag { name, attrs });
    }
    (tags, scripts)
}

const TAGS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "link",
    "script",
    "body",
    "a",
    "header",
    "div",
    "form",
    "label",
    "input",
    "button",
    "main",
    "nav",
    "p",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "span",
    "section",
    "ul",
    "figure",
    "svg",
    "defs",
    "marker",
    "path",
    "rect",
    "text",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "strong",
    "code",
    "pre",
    "dl",
    "dt",
    "dd",
    "article",
    "cite",
    "footer",
    "noscript",
    "urlset",
    "url",
    "loc",
    // The troubleshooter's form.
    "fieldset",
    "legend",
    "textarea",
];

const ATTRS: &[&str] = &[
    "class",
    "id",
    "href",
    "src",
    "rel",
    "lang",
    "dir",
    "charset",
    "name",
    "content",
    "type",
    "value",
    "role",
    "for",
    "action",
    "method",
    "placeholder",
    "autocomplete",
    "spellcheck",
    "xmlns",
    "viewbox",
    "width",
    "height",
    "x",
    "y",
    "rx",
    "text-anchor",
    "d",
    "marker-end",
    "refx",
    "refy",
    "markerwidth",
    "markerheight",
    "orient",
    "scope",
    "rowspan",
    "aria-label",
    "aria-labelledby",
    "aria-hidden",
    "aria-live",
    // The troubleshooter: parts shown by its script, focusable headings.
    "hidden",
    "tabindex",
    "rows",
];

/// Asserts that an HTML page can run nothing from rule text: only the
/// theme's tags and attributes, no event handlers, no `javascript:` URLs,
/// and every script is either external or valid JSON without `<`.
fn assert_inert_html(page: &str, html: &str) {
    let (tags, scripts) = scan_html(page, html);
    for t in &tags {
        assert!(
            TAGS.contains(&t.name.as_str()),
            "{page}: unexpected <{}>",
            t.name
        );
        for (a, v) in &t.attrs {
            assert!(
                ATTRS.contains(&a.as_str()),
                "{page}: unexpected attribute {a} on <{}>",
                t.name
            );
            if a == "href" || a == "src" || a == "action" {
                let v = v.trim().to_ascii_lowercase();
                assert!(
                    v.starts_with("https://")
                        || v.starts_with("http://")
                        || v.starts_with("mailto:")
                        || !v.contains(':'),
                    "{page}: unsafe URL {v:?} on <{}>",
                    t.name
                );
            }
        }
        if t.name == "script" {
            let ok = t
                .attrs
                .iter()
                .any(|(a, v)| a == "type" && v == "application/ld+json")
                || t.attrs
                    .iter()
                    .any(|(a, v)| a == "src" && v.starts_with("assets/"));
            assert!(
                ok,
                "{page}: a script that is neither JSON-LD nor the site's own"
            );
        }
    }
    for s in &scripts {
        if s.trim().is_empty() {
            continue;
        }
        assert!(!s.contains('<'), "{page}: `<` inside a script element");
        serde_json::from_str::<serde_json::Value>(s)
            .unwrap_or_else(|e| panic!("{page}: JSON-LD does not parse: {e}"));
    }
}

/// Asserts that Markdown, rendered by a CommonMark parser, holds no raw
/// HTML, no `javascript:` link and exactly one top-level heading.
fn assert_inert_markdown(page: &str, md: &str) {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag as MdTag};
    let body = md
        .strip_prefix("---\n")
        .and_then(|r| r.split_once("\n---\n"))
        .map(|(_, b)| b)
        .unwrap_or(md);
    let mut h1 = 0;
    for ev in Parser::new_ext(
        body,
        Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES,
    ) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => panic!("{page}: raw HTML in Markdown: {h}"),
            Event::Start(MdTag::Link { dest_url, .. })
            | Event::Start(MdTag::Image { dest_url, .. }) => {
                let d = dest_url.trim().to_ascii_lowercase();
                assert!(
                    d.starts_with("https://")
                        || d.starts_with('#')
                        || d.starts_with("../")
                        || !d.contains(':'),
                    "{page}: unsafe link {d:?}"
                );
            }
            Event::Start(MdTag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => h1 += 1,
            _ => {}
        }
    }
    assert_eq!(h1, 1, "{page}: rule text made a heading");
}

#[test]
fn render_hostile_text_never_executes() {
    let out = tempfile::tempdir().expect("tmp");
    build_ok(&fixture("hostile"), out.path(), &[]);
    let files = tree(out.path());
    assert!(files.len() > 10);
    for (path, bytes) in &files {
        // The compiled artifact is binary; the runtime's own tests cover it.
        if path.starts_with("artifact/") {
            continue;
        }
        let s = text(bytes);
        if path.ends_with(".html") {
            assert_inert_html(path, &s);
            if path.starts_with("fragment/") {
                let (tags, _) = scan_html(path, &s);
                for (a, v) in tags.iter().flat_map(|t| t.attrs.iter()) {
                    if a == "class" {
                        for c in v.split_whitespace() {
                            assert!(
                                c.starts_with("kbc-"),
                                "{path}: class {c} lacks the kbc- prefix"
                            );
                        }
                    }
                }
                assert!(
                    !s.contains("<html") && !s.contains("<head>") && !s.contains("<body"),
                    "{path}: not a fragment"
                );
            }
        } else if path.ends_with(".md") {
            assert_inert_markdown(path, &s);
            // Front matter is valid YAML with the hostile title intact.
            let fm = s
                .split("\n---\n")
                .next()
                .unwrap_or("")
                .trim_start_matches("---\n");
            let y: serde_json::Value = serde_yaml::from_str(fm).expect("front matter parses");
            assert!(y["title"].is_string(), "{path}: front matter title");
        } else if path.ends_with("search-index.js") {
            assert!(!s.contains('<'), "search index can close a script");
        } else if path.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&s).expect("kb.json parses");
        }
    }
    // The unsafe base URL gave no sitemap and no canonical links.
    assert!(!files.contains_key("html/sitemap.xml"));
    let guide = text(&files["html/guides/hostile_guide.html"]);
    assert!(!guide.contains("rel=\"canonical\""));
    // The hostile text is still shown, escaped, not dropped.
    assert!(
        guide.contains("&lt;script&gt;alert(&#x27;title&#x27;)&lt;&#x2F;script&gt;")
            || guide.contains("&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;")
    );
    assert!(guide.contains("שלום"));
    assert!(guide.contains("🚀"));
}

// ------------------------------------------------------------ link checker

/// Every `id` in an HTML page.
fn ids(html: &str) -> BTreeSet<String> {
    let (tags, _) = scan_html("ids", html);
    tags.iter()
        .flat_map(|t| {
            t.attrs
                .iter()
                .filter(|(a, _)| a == "id")
                .map(|(_, v)| v.clone())
        })
        .collect()
}

/// Checks that every relative `href` and `src` in the HTML pages under
/// `site` names an existing file and, with `#anchor`, an existing id.
fn check_links(site: &Path) -> Vec<String> {
    let files = tree(site);
    let pages: BTreeMap<&str, String> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p.as_str(), text(b)))
        .collect();
    let anchors: BTreeMap<&str, BTreeSet<String>> =
        pages.iter().map(|(p, h)| (*p, ids(h))).collect();
    let mut broken = Vec::new();
    let mut checked = 0;
    for (page, html) in &pages {
        let (tags, _) = scan_html(page, html);
        for (_, url) in tags.iter().flat_map(|t| {
            t.attrs
                .iter()
                .filter(|(a, _)| a == "href" || a == "src" || a == "action")
        }) {
            if url.contains("://") || url.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (file, anchor) = url.split_once('#').unwrap_or((url, ""));
            let target = if file.is_empty() {
                page.to_string()
            } else {
                let mut parts: Vec<&str> = page.split('/').collect();
                parts.pop();
                for seg in file.split('?').next().unwrap_or(file).split('/') {
                    match seg {
                        ".." => {
                            parts.pop();
                        }
                        "." | "" => {}
                        s => parts.push(s),
                    }
                }
                parts.join("/")
            };
            if !files.contains_key(&target) {
                broken.push(format!("{page}: {url} → missing {target}"));
            } else if !anchor.is_empty()
                && !anchors
                    .get(target.as_str())
                    .is_some_and(|ids| ids.contains(anchor))
            {
                broken.push(format!("{page}: {url} → no #{anchor} in {target}"));
            }
        }
    }
    assert!(checked > 0, "no links checked");
    broken
}

#[test]
fn render_every_internal_link_resolves() {
    for kb in [fixture("small"), root().join("rules")] {
        let out = tempfile::tempdir().expect("tmp");
        build_ok(&kb, out.path(), &["--format", "all"]);
        for format in ["html", "fragment"] {
            let broken = check_links(&out.path().join(format));
            assert!(
                broken.is_empty(),
                "{}: broken links:\n{}",
                kb.display(),
                broken.join("\n")
            );
        }
    }
}

// ------------------------------------------------- determinism and output

#[test]
fn render_two_builds_are_byte_identical() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    build_ok(&root().join("rules"), a.path(), &[]);
    build_ok(&root().join("rules"), b.path(), &[]);
    assert_eq!(tree(a.path()), tree(b.path()));
}

#[test]
fn render_failed_build_leaves_previous_output() {
    let out = tempfile::tempdir().expect("tmp");
    build_ok(&fixture("small"), out.path(), &[]);
    std::fs::write(out.path().join("html/README.portal"), "kept").expect("write");
    let before = tree(out.path());

    // Errors in the rules: nothing written, exit 1, diagnostics printed.
    let broken = crate::support::write_kb(None, &[("a.kb", b"symptom oops \"x\" { when nope }")]);
    let o = build(broken.path(), out.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", transcript(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing was built"));
    assert_eq!(tree(out.path()), before);

    // A template that fails: nothing written either.
    let theme = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(theme.path().join("pages")).expect("mkdir");
    std::fs::write(theme.path().join("pages/fix.hbs"), "{{page.no_such_field}}").expect("write");
    let o = build(
        &fixture("small"),
        out.path(),
        &["--theme", theme.path().to_str().expect("utf-8")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", transcript(&o));
    assert_eq!(tree(out.path()), before);
    let staging = format!(
        ".{}.kbc-tmp-",
        out.path().file_name().expect("name").to_string_lossy()
    );
    let leftovers: Vec<_> = std::fs::read_dir(out.path().parent().expect("parent"))
        .expect("read")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(&staging))
        .collect();
    assert!(leftovers.is_empty(), "staging folder left behind");
}

#[test]
fn render_stale_files_removed_foreign_files_kept() {
    let out = tempfile::tempdir().expect("tmp");
    build_ok(&fixture("small"), out.path(), &[]);
    std::fs::write(out.path().join("markdown/extra.md"), "mine").expect("write");
    // A narrower build removes what the previous one wrote and this one doesn't.
    build_ok(&fixture("small"), out.path(), &["--format", "json"]);
    let files = tree(out.path());
    assert!(files.contains_key("json/kb.json"));
    assert!(!files.contains_key("html/index.html"));
    assert!(
        files.contains_key("markdown/extra.md"),
        "a file kbc did not write was deleted"
    );
    let manifest = text(&files[".kbc-manifest"]);
    assert!(manifest.lines().any(|l| l == "json/kb.json"));
    assert!(!manifest.contains("extra.md"));
}

#[test]
fn render_check_flag_lists_differences() {
    let out = tempfile::tempdir().expect("tmp");
    build_ok(&fixture("small"), out.path(), &[]);
    let o = build(&fixture("small"), out.path(), &["--check"]);
    assert!(o.status.success(), "{}", transcript(&o));
    std::fs::write(out.path().join("html/index.html"), "edited").expect("write");
    std::fs::remove_file(out.path().join("json/kb.json")).expect("rm");
    let o = build(&fixture("small"), out.path(), &["--check"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("changed: html/index.html"), "{err}");
    assert!(err.contains("missing: json/kb.json"), "{err}");
    assert_eq!(
        text(&std::fs::read(out.path().join("html/index.html")).expect("read")),
        "edited"
    );
}

// ------------------------------------------------------------------ themes

#[test]
fn render_theme_export_and_override() {
    let theme = tempfile::tempdir().expect("tmp");
    let dir = theme.path().join("t");
    let o = kbc()
        .args(["theme", "export"])
        .arg(&dir)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", transcript(&o));
    assert!(dir.join("pages/guide.hbs").exists());
    assert!(dir.join("markdown/fix_body.hbs").exists());
    assert!(dir.join("assets/kbc.css").exists());
    // Exporting again refuses to overwrite.
    let o = kbc()
        .args(["theme", "export"])
        .arg(&dir)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2), "{}", transcript(&o));

    // Replace the layout and the stylesheet; everything else stays default.
    let override_dir = theme.path().join("mine");
    std::fs::create_dir_all(override_dir.join("html")).expect("mkdir");
    std::fs::create_dir_all(override_dir.join("assets")).expect("mkdir");
    std::fs::write(
        override_dir.join("html/layout.hbs"),
        "<!DOCTYPE html>\n<title>{{title}}</title>\n{{{body}}}\n<footer class=\"kbc-custom\">{{kb.title}} {{kb.version}}</footer>\n",
    )
    .expect("write");
    std::fs::write(override_dir.join("assets/kbc.css"), "/* custom */\n").expect("write");
    let out = tempfile::tempdir().expect("tmp");
    build_ok(
        &fixture("small"),
        out.path(),
        &["--theme", override_dir.to_str().expect("utf-8")],
    );
    let index = text(&std::fs::read(out.path().join("html/index.html")).expect("read"));
    assert!(index.contains("<footer class=\"kbc-custom\">Printer troubleshooting 2.1.0</footer>"));
    assert!(
        index.contains("By error code"),
        "the default index partial is still used"
    );
    let css = text(&std::fs::read(out.path().join("html/assets/kbc.css")).expect("read"));
    assert_eq!(css, "/* custom */\n");
}

#[test]
fn render_theme_errors_name_template_and_line() {
    let theme = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(theme.path().join("partials")).expect("mkdir");
    std::fs::write(
        theme.path().join("partials/fix_body.hbs"),
        "<ul>\n<li>{{effort}}</li>\n<li>{{efort}}</li>\n</ul>\n",
    )
    .expect("write");
    let out = tempfile::tempdir().expect("tmp");
    let o = build(
        &fixture("small"),
        out.path(),
        &["--theme", theme.path().to_str().expect("utf-8")],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("template `partials/fix_body` line 3") && err.contains("`efort`"),
        "{err}"
    );
    assert!(tree(out.path()).is_empty(), "nothing may be written");

    // A condition on a missing field is an error too, not a hidden section.
    std::fs::write(
        theme.path().join("partials/fix_body.hbs"),
        "{{#if rebooot}}restart{{/if}}\n",
    )
    .expect("write");
    let o = build(
        &fixture("small"),
        out.path(),
        &["--theme", theme.path().to_str().expect("utf-8")],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("partials/fix_body") && err.contains("rebooot"),
        "{err}"
    );

    // A syntax error in a template.
    std::fs::write(
        theme.path().join("partials/fix_body.hbs"),
        "ok\n{{#if effort}}\n",
    )
    .expect("write");
    let o = build(
        &fixture("small"),
        out.path(),
        &["--theme", theme.path().to_str().expect("utf-8")],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("partials/fix_body"));

    // A file the theme does not have.
    std::fs::remove_file(theme.path().join("partials/fix_body.hbs")).expect("rm");
    std::fs::write(theme.path().join("partials/fix_bdy.hbs"), "x").expect("write");
    let o = build(
        &fixture("small"),
        out.path(),
        &["--theme", theme.path().to_str().expect("utf-8")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", transcript(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("did you mean `partials/fix_body.hbs`"),
        "{}",
        transcript(&o)
    );
}
