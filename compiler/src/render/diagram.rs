//! The symptom → causes → fixes diagram, laid out once: three columns of
//! boxes with wrapped titles and curved edges. HTML draws it as inline SVG
//! from these coordinates; Markdown writes the same nodes and edges as a
//! Mermaid flowchart.

use super::text::wrap;
use serde::Serialize;

/// Width of a node box, in SVG user units.
const NODE_W: u32 = 250;
/// Horizontal gap between columns.
const GAP_X: u32 = 70;
/// Vertical gap between boxes in a column.
const GAP_Y: u32 = 14;
/// Height of one line of text.
const LINE_H: u32 = 17;
/// Padding inside a box.
const PAD: u32 = 10;
/// Characters per line that fit in a box at the stylesheet's font size.
const CHARS: usize = 32;
/// Height of the column headings.
const HEAD: u32 = 28;
/// Lines of a title shown before it is cut with an ellipsis.
const MAX_LINES: usize = 3;

/// A laid-out diagram.
#[derive(Debug, Clone, Serialize)]
pub struct Diagram {
    /// Total width.
    pub width: u32,
    /// Total height.
    pub height: u32,
    /// The boxes: the symptom, then the causes, then the fixes.
    pub nodes: Vec<Node>,
    /// The arrows.
    pub edges: Vec<Edge>,
    /// Column headings.
    pub headings: Vec<Line>,
}

/// One box.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Short key, unique in the diagram (`s`, `c1`, `f2`): Mermaid's node id.
    pub key: String,
    /// `symptom`, `cause` or `fix`.
    pub kind: &'static str,
    /// In-page link target (`#cause-<id>`).
    pub href: String,
    /// The full title, shown as a tooltip and in Mermaid.
    pub title: String,
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// The wrapped title, each line with its baseline position.
    pub lines: Vec<Line>,
}

/// One line of text in a box.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Horizontal centre.
    pub x: u32,
    /// Baseline.
    pub y: u32,
    /// The text.
    pub text: String,
}

/// An arrow between two boxes.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// Key of the node it starts at.
    pub from: String,
    /// Key of the node it ends at.
    pub to: String,
    /// SVG path data.
    pub path: String,
}

/// What to draw: the symptom, its causes and fixes, and which cause each fix
/// resolves (indexes into `causes`).
pub struct Input<'a> {
    /// The symptom's title.
    pub symptom: &'a str,
    /// `(id, title)` of each cause, in page order.
    pub causes: Vec<(&'a str, &'a str)>,
    /// `(id, title, causes it resolves)` of each fix, in page order.
    pub fixes: Vec<(&'a str, &'a str, Vec<usize>)>,
}

fn column(
    items: impl Iterator<Item = (String, &'static str, String, String)>,
    x: u32,
) -> (Vec<Node>, u32) {
    let mut y = 0;
    let mut nodes = Vec::new();
    for (key, kind, href, title) in items {
        let lines = wrap(&title, CHARS, MAX_LINES);
        let n = lines.len().max(1) as u32;
        let h = n * LINE_H + 2 * PAD;
        let lines = lines
            .into_iter()
            .enumerate()
            .map(|(i, text)| Line {
                x: x + NODE_W / 2,
                y: y + PAD + (i as u32 + 1) * LINE_H - 4,
                text,
            })
            .collect();
        nodes.push(Node {
            key,
            kind,
            href,
            title,
            x,
            y,
            w: NODE_W,
            h,
            lines,
        });
        y += h + GAP_Y;
    }
    (nodes, y.saturating_sub(GAP_Y))
}

fn shift(nodes: &mut [Node], dy: u32) {
    for n in nodes {
        n.y += dy;
        for l in &mut n.lines {
            l.y += dy;
        }
    }
}

fn edge(a: &Node, b: &Node) -> Edge {
    let (x1, y1) = (a.x + a.w, a.y + a.h / 2);
    let (x2, y2) = (b.x, b.y + b.h / 2);
    let mid = (x1 + x2) / 2;
    Edge {
        from: a.key.clone(),
        to: b.key.clone(),
        path: format!("M{x1} {y1} C{mid} {y1} {mid} {y2} {x2} {y2}"),
    }
}

/// Lays out the diagram.
pub fn layout(input: &Input) -> Diagram {
    let (mut symptom, sh) = column(
        std::iter::once((
            "s".to_string(),
            "symptom",
            "#top".to_string(),
            input.symptom.to_string(),
        )),
        0,
    );
    let (mut causes, ch) = column(
        input.causes.iter().enumerate().map(|(i, (id, title))| {
            (
                format!("c{}", i + 1),
                "cause",
                format!("#cause-{id}"),
                title.to_string(),
            )
        }),
        NODE_W + GAP_X,
    );
    let (mut fixes, fh) = column(
        input.fixes.iter().enumerate().map(|(i, (id, title, _))| {
            (
                format!("f{}", i + 1),
                "fix",
                format!("#fix-{id}"),
                title.to_string(),
            )
        }),
        2 * (NODE_W + GAP_X),
    );
    let height = sh.max(ch).max(fh);
    shift(&mut symptom, HEAD + (height - sh) / 2);
    shift(&mut causes, HEAD + (height - ch) / 2);
    shift(&mut fixes, HEAD + (height - fh) / 2);

    let mut edges = Vec::new();
    if let Some(s) = symptom.first() {
        edges.extend(causes.iter().map(|c| edge(s, c)));
    }
    for (fix, (_, _, resolves)) in fixes.iter().zip(&input.fixes) {
        for &ci in resolves {
            if let Some(c) = causes.get(ci) {
                edges.push(edge(c, fix));
            }
        }
    }
    let columns = if input.fixes.is_empty() { 2 } else { 3 };
    let width = columns * NODE_W + (columns - 1) * GAP_X;
    let headings = ["Problem", "Causes, most common first", "Fixes"]
        .iter()
        .take(columns as usize)
        .enumerate()
        .map(|(i, t)| Line {
            x: i as u32 * (NODE_W + GAP_X) + NODE_W / 2,
            y: LINE_H,
            text: t.to_string(),
        })
        .collect();
    let mut nodes = symptom;
    nodes.extend(causes);
    nodes.extend(fixes);
    // A margin of 2 on every side for the boxes' strokes.
    Diagram {
        width: width + 4,
        height: height + HEAD + 4,
        nodes,
        edges,
        headings,
    }
}
