//! Render: checked model → published pages, in memory.
//!
//! ```text
//! KnowledgeBase → view::build (typed view model, once) → handlebars templates
//!   → markdown/ html/ fragment/ pages, and json/kb.json (serde)
//! ```
//!
//! Takes a [`KnowledgeBase`] and a [`Theme`]; gives a sorted list of
//! [`OutputFile`]s (path relative to the output folder, bytes). It does no
//! I/O: writing the files atomically is `output`'s job. Rendering is
//! deterministic: the same model gives byte-identical files.
//!
//! Escaping is chosen per format by the registry's escape function: HTML for
//! `html/` and `fragment/`, Markdown for `markdown/`; structured data goes
//! through the `json_ld` helper, which is safe inside `<script>`. Templates
//! run in strict mode: a field the view model lacks is an error naming the
//! template and line.

mod diagram;
mod escape;
mod helpers;
mod json;
mod text;
mod theme;
mod view;
mod words;

pub use json::SCHEMA_VERSION as JSON_SCHEMA_VERSION;
pub use theme::{Theme, ThemeError, DEFAULT_FILES};
pub use view::{build as build_view, Site};

use handlebars::Handlebars;
use kbc_runtime::model::KnowledgeBase;
use serde::Serialize;

/// An output format: one folder under the output folder each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Markdown with YAML front matter, for static-site generators.
    Markdown,
    /// A standalone static HTML site with search.
    Html,
    /// HTML fragments (no `<html>`/`<head>`), classes prefixed `kbc-`.
    Fragment,
    /// The whole knowledge base as one JSON document.
    Json,
}

impl Format {
    /// Every format, in output order.
    pub const ALL: [Format; 4] = [
        Format::Markdown,
        Format::Html,
        Format::Fragment,
        Format::Json,
    ];

    /// The format's folder under the output folder.
    pub fn dir(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Fragment => "fragment",
            Format::Json => "json",
        }
    }
}

/// One rendered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated path relative to the output folder (`html/index.html`).
    pub path: String,
    /// The contents.
    pub bytes: Vec<u8>,
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A template could not be parsed or rendered.
    #[error("template `{template}`{}: {message}", at(*.line, *.column))]
    Template {
        /// The template's name (its theme path without `.hbs`).
        template: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// What went wrong.
        message: String,
    },
    /// The JSON document could not be serialised.
    #[error("cannot write the JSON document: {0}")]
    Json(String),
    /// A bug in kbc rather than in the theme or the rules.
    #[error("internal error: {0}")]
    Internal(String),
}

fn at(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" line {l}, column {c}"),
        (Some(l), None) => format!(" line {l}"),
        _ => String::new(),
    }
}

impl RenderError {
    fn from_render(e: handlebars::RenderError, fallback: &str) -> Self {
        let message = match e.reason() {
            handlebars::RenderErrorReason::MissingVariable(Some(path)) => {
                format!("the view model has no field `{path}`")
            }
            handlebars::RenderErrorReason::TemplateError(t) => t.reason().to_string(),
            other => other.to_string(),
        };
        RenderError::Template {
            template: e
                .template_name
                .clone()
                .unwrap_or_else(|| fallback.to_string()),
            line: e.line_no,
            column: e.column_no,
            message,
        }
    }

    fn from_template(e: handlebars::TemplateError, name: &str) -> Self {
        let (line, column) = match e.pos() {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        RenderError::Template {
            template: e.name().cloned().unwrap_or_else(|| name.to_string()),
            line,
            column,
            message: e.reason().to_string(),
        }
    }
}

/// Templates compiled once, ready to render any number of knowledge bases.
pub struct Renderer {
    html: Handlebars<'static>,
    markdown: Handlebars<'static>,
    css: String,
    search_js: String,
    /// The troubleshooter's script and stylesheet (`assets/troubleshoot.*`).
    troubleshoot: [(&'static str, String); 2],
}

/// What every page template sees: `kb`, `root` (the path from the page to
/// the format's root folder, `""` or `"../"`), the page's `title` and
/// `description`, `canonical` (with a base URL) and `page`, the page's view.
/// A layout sees the same with `body`, the rendered page, instead of `page`.
#[derive(Serialize)]
struct Ctx<'a, P: Serialize> {
    kb: &'a view::KbView,
    root: &'a str,
    title: &'a str,
    description: &'a str,
    canonical: Option<&'a str>,
    page: &'a P,
}

#[derive(Serialize)]
struct LayoutCtx<'a> {
    kb: &'a view::KbView,
    root: &'a str,
    title: &'a str,
    description: &'a str,
    canonical: Option<&'a str>,
    body: &'a str,
}

/// A page's view: it has a title and a one-line description.
trait Page: Serialize {
    fn title(&self) -> &str;
    fn description(&self) -> &str;
}

impl Page for view::IndexView {
    fn title(&self) -> &str {
        &self.title
    }
    fn description(&self) -> &str {
        &self.description
    }
}

impl Page for view::GuideView {
    fn title(&self) -> &str {
        &self.title
    }
    fn description(&self) -> &str {
        &self.description
    }
}

impl Page for view::FixView {
    fn title(&self) -> &str {
        &self.title
    }
    fn description(&self) -> &str {
        &self.description_line
    }
}

#[derive(Serialize)]
struct SearchPage {
    title: &'static str,
    description: &'static str,
}

impl Page for SearchPage {
    fn title(&self) -> &str {
        self.title
    }
    fn description(&self) -> &str {
        self.description
    }
}

#[derive(Serialize)]
struct Sitemap<'a> {
    kb: &'a view::KbView,
    urls: Vec<String>,
}

/// Where a page body goes: a format's folder and the layout around it.
#[derive(Clone, Copy)]
struct Target {
    /// The format's folder (`html`).
    dir: &'static str,
    /// The layout wrapped around each body, if any (`html/layout`).
    layout: Option<&'static str>,
    /// Whether pages get canonical links (the HTML site only).
    canonical: bool,
}

/// Pages being rendered: each body once, wrapped in each target's layout
/// (the site and the fragments share their bodies).
struct Pages<'a> {
    hb: &'a Handlebars<'static>,
    site: &'a Site,
    /// Where the page templates are: `pages` (HTML bodies) or `markdown`.
    templates: &'static str,
    targets: Vec<Target>,
    tidy: fn(&str) -> String,
}

fn render_err(e: handlebars::RenderError, template: &str) -> RenderError {
    RenderError::from_render(e, template)
}

impl Pages<'_> {
    /// Renders `template` with `page` and writes it to `<dir>/<path>` of
    /// every target, inside the target's layout.
    ///
    /// The body and the layout are two renders rather than partials: a
    /// handlebars partial copies its whole context, which for every page
    /// would be the whole page.
    fn page<P: Page>(
        &self,
        template: &str,
        path: String,
        page: &P,
        out: &mut Vec<OutputFile>,
    ) -> Result<(), RenderError> {
        let root = "../".repeat(path.matches('/').count());
        let ctx = Ctx {
            kb: &self.site.kb,
            root: &root,
            title: page.title(),
            description: page.description(),
            canonical: None,
            page,
        };
        let body = self
            .hb
            .render(template, &ctx)
            .map_err(|e| render_err(e, template))?;
        for t in &self.targets {
            let canonical = match (&self.site.kb.base_url, t.canonical) {
                (Some(b), true) => Some(format!("{b}{path}")),
                _ => None,
            };
            let s = match t.layout {
                Some(layout) => self
                    .hb
                    .render(
                        layout,
                        &LayoutCtx {
                            kb: &self.site.kb,
                            root: &root,
                            title: page.title(),
                            description: page.description(),
                            canonical: canonical.as_deref(),
                            body: &body,
                        },
                    )
                    .map_err(|e| render_err(e, layout))?,
                None => body.clone(),
            };
            out.push(OutputFile {
                path: format!("{}/{path}", t.dir),
                bytes: (self.tidy)(&s).into_bytes(),
            });
        }
        Ok(())
    }

    /// The index, a page per guide and a page per fix.
    fn all(&self, ext: &str, out: &mut Vec<OutputFile>) -> Result<(), RenderError> {
        let site = self.site;
        let t = self.templates;
        self.page(
            &format!("{t}/index"),
            format!("index.{ext}"),
            &site.index,
            out,
        )?;
        self.many(
            &format!("{t}/guide"),
            &site.guides,
            |g| format!("guides/{}.{ext}", g.id),
            out,
        )?;
        self.many(
            &format!("{t}/fix"),
            &site.fixes,
            |f| format!("fixes/{}.{ext}", f.id),
            out,
        )
    }

    /// Renders one page per item, split over the machine's cores. Results
    /// are joined in item order and sorted later, so the output does not
    /// depend on the number of threads; the first error in item order wins.
    fn many<P: Page + Sync>(
        &self,
        template: &str,
        items: &[P],
        path: impl Fn(&P) -> String + Sync,
        out: &mut Vec<OutputFile>,
    ) -> Result<(), RenderError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if threads <= 1 || items.len() < 32 {
            for item in items {
                self.page(template, path(item), item, out)?;
            }
            return Ok(());
        }
        let chunk = items.len().div_ceil(threads);
        let results: Vec<Result<Vec<OutputFile>, RenderError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = items
                .chunks(chunk)
                .map(|part| {
                    let path = &path;
                    scope.spawn(move || {
                        let mut v = Vec::with_capacity(part.len() * self.targets.len());
                        for item in part {
                            self.page(template, path(item), item, &mut v)?;
                        }
                        Ok(v)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(RenderError::Internal("a rendering thread failed".into()))
                    })
                })
                .collect()
        });
        for r in results {
            out.extend(r?);
        }
        Ok(())
    }
}

fn asset(out: &mut Vec<OutputFile>, path: String, text: &str) {
    out.push(OutputFile {
        path,
        bytes: text.as_bytes().to_vec(),
    });
}

fn registry(escape: fn(&str) -> String) -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.set_prevent_indent(true);
    hb.register_escape_fn(escape);
    helpers::register(&mut hb);
    hb
}

impl Renderer {
    /// Compiles the theme's templates.
    pub fn new(theme: &Theme) -> Result<Renderer, RenderError> {
        let mut html = registry(escape::html);
        let mut markdown = registry(escape::markdown);
        for (path, text) in theme.files() {
            let Some(name) = path.strip_suffix(".hbs") else {
                continue;
            };
            let hb = if name.starts_with("markdown/") {
                &mut markdown
            } else {
                &mut html
            };
            hb.register_template_string(name, text)
                .map_err(|e| RenderError::from_template(e, name))?;
        }
        Ok(Renderer {
            html,
            markdown,
            css: theme.get("assets/kbc.css").unwrap_or_default().to_string(),
            search_js: theme
                .get("assets/search.js")
                .unwrap_or_default()
                .to_string(),
            troubleshoot: ["assets/troubleshoot.js", "assets/troubleshoot.css"]
                .map(|p| (p, theme.get(p).unwrap_or_default().to_string())),
        })
    }

    /// Renders `formats` of the knowledge base; files sorted by path.
    pub fn render(
        &self,
        kb: &KnowledgeBase,
        formats: &[Format],
    ) -> Result<Vec<OutputFile>, RenderError> {
        let site = view::build(kb);
        self.render_site(kb, &site, formats)
    }

    /// Renders `formats` from an already built view.
    pub fn render_site(
        &self,
        kb: &KnowledgeBase,
        site: &Site,
        formats: &[Format],
    ) -> Result<Vec<OutputFile>, RenderError> {
        let mut out = Vec::new();
        let has = |f| formats.contains(&f);
        if has(Format::Markdown) {
            Pages {
                hb: &self.markdown,
                site,
                templates: "markdown",
                targets: vec![Target {
                    dir: "markdown",
                    layout: None,
                    canonical: false,
                }],
                tidy: tidy_markdown,
            }
            .all("md", &mut out)?;
        }
        let mut targets = Vec::new();
        if has(Format::Html) {
            targets.push(Target {
                dir: "html",
                layout: Some("html/layout"),
                canonical: true,
            });
        }
        if has(Format::Fragment) {
            targets.push(Target {
                dir: "fragment",
                layout: Some("fragment/layout"),
                canonical: false,
            });
            asset(&mut out, "fragment/assets/kbc.css".into(), &self.css);
        }
        if !targets.is_empty() {
            Pages {
                hb: &self.html,
                site,
                templates: "pages",
                targets,
                tidy: tidy_html,
            }
            .all("html", &mut out)?;
        }
        if has(Format::Html) {
            self.html_extras(site, &mut out)?;
        }
        if has(Format::Json) {
            let doc = json::render(kb, site).map_err(|e| RenderError::Json(e.to_string()))?;
            asset(&mut out, "json/kb.json".into(), &doc);
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// The HTML site's search page, assets, search index and sitemap.
    fn html_extras(&self, site: &Site, out: &mut Vec<OutputFile>) -> Result<(), RenderError> {
        let search = SearchPage {
            title: "Search",
            description: "Search the troubleshooting guides and fixes.",
        };
        Pages {
            hb: &self.html,
            site,
            templates: "html",
            targets: vec![Target {
                dir: "html",
                layout: Some("html/layout"),
                canonical: false,
            }],
            tidy: tidy_html,
        }
        .page("html/search", "search.html".into(), &search, out)?;
        // The troubleshooter: a static page whose script asks `kbc serve`'s
        // API (the page says so when opened without it).
        let troubleshoot = SearchPage {
            title: "Troubleshooter",
            description: "Pick the error you see, answer a few questions, and get the likely causes and the fixes to try in order.",
        };
        Pages {
            hb: &self.html,
            site,
            templates: "html",
            targets: vec![Target {
                dir: "html",
                layout: Some("html/layout"),
                canonical: false,
            }],
            tidy: tidy_html,
        }
        .page(
            "html/troubleshoot",
            "troubleshoot.html".into(),
            &troubleshoot,
            out,
        )?;
        for (path, text) in &self.troubleshoot {
            asset(out, format!("html/{path}"), text);
        }
        asset(out, "html/assets/kbc.css".into(), &self.css);
        asset(out, "html/assets/search.js".into(), &self.search_js);
        let index = serde_json::to_string(&view::search_index(site))
            .map_err(|e| RenderError::Json(e.to_string()))?;
        asset(
            out,
            "html/assets/search-index.js".into(),
            &format!(
                "// Generated by kbc: the search index of this site.\nwindow.kbcSearchIndex = {};\n",
                escape::json_script(&index)
            ),
        );
        if let Some(base) = &site.kb.base_url {
            let urls = view::page_paths(site)
                .into_iter()
                .map(|p| format!("{base}{p}"))
                .collect();
            let s = self
                .html
                .render("html/sitemap", &Sitemap { kb: &site.kb, urls })
                .map_err(|e| render_err(e, "html/sitemap"))?;
            asset(out, "html/sitemap.xml".into(), &tidy_html(&s));
        }
        Ok(())
    }
}

/// Renders `formats` with `theme`: the whole pipeline after checking.
pub fn render(
    kb: &KnowledgeBase,
    formats: &[Format],
    theme: &Theme,
) -> Result<Vec<OutputFile>, RenderError> {
    Renderer::new(theme)?.render(kb, formats)
}

/// Drops whitespace-only lines outside `<pre>` (templates are indented for
/// reading; pages need not be) and ends the file with one newline.
fn tidy_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_pre = false;
    for line in s.lines() {
        if in_pre || !line.trim().is_empty() {
            out.push_str(if in_pre { line } else { line.trim_end() });
            out.push('\n');
        }
        // User text is escaped, so `<pre` and `</pre>` only come from templates.
        let opens = line.matches("<pre").count();
        let closes = line.matches("</pre>").count();
        if opens > closes {
            in_pre = true;
        } else if closes > opens {
            in_pre = false;
        }
    }
    out
}

/// Collapses runs of blank lines outside code fences, trims trailing spaces
/// outside them, and ends the file with one newline.
fn tidy_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut fence: Option<usize> = None;
    let mut blank = true;
    for line in s.lines() {
        let ticks = line.len() - line.trim_start_matches('`').len();
        match fence {
            Some(n) => {
                out.push_str(line);
                out.push('\n');
                if ticks >= n && line.trim_start_matches('`').trim().is_empty() {
                    fence = None;
                }
                blank = false;
            }
            None => {
                let line = line.trim_end();
                if line.is_empty() {
                    if !blank {
                        out.push('\n');
                    }
                    blank = true;
                    continue;
                }
                if ticks >= 3 {
                    fence = Some(ticks);
                }
                out.push_str(line);
                out.push('\n');
                blank = false;
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
