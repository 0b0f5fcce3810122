//! `explain(id)`: what a symptom, cause, fix, fact or source id is.

use serde::Serialize;

use crate::model::{KnowledgeBase, Location, SourceIdx};

/// The kind of thing an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A symptom.
    Symptom,
    /// A cause.
    Cause,
    /// A fix.
    Fix,
    /// A fact.
    Fact,
    /// A source.
    Source,
}

/// A source behind a cause or fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    /// The source's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where to read it.
    pub url: Option<String>,
}

/// What an id is and how it relates to the rest of the knowledge base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// What kind of thing it is.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Its title (for a fact, its label).
    pub title: String,
    /// Its description (for a fact, its question).
    pub description: Option<String>,
    /// Related ids by relation name: `produces`, `produced_by`, `fixed_by`,
    /// `resolves`, `read_by`, `values`.
    pub relations: Vec<(String, Vec<String>)>,
    /// Its sources.
    pub sources: Vec<SourceRef>,
    /// Where it was declared.
    pub location: Location,
}

fn sources(kb: &KnowledgeBase, ids: &[SourceIdx]) -> Vec<SourceRef> {
    ids.iter()
        .filter_map(|s| kb.sources.get(s.index()))
        .map(|s| SourceRef {
            id: s.id.clone(),
            title: s.title.clone(),
            url: s.url.clone(),
        })
        .collect()
}

/// Explains an id, looked up among symptoms, causes, fixes, facts and
/// sources, in that order.
pub(crate) fn explain(kb: &KnowledgeBase, id: &str) -> Option<Explanation> {
    if let Some((si, s)) = kb.symptoms.iter().enumerate().find(|(_, s)| s.id == id) {
        let by: Vec<String> = kb
            .causes
            .iter()
            .filter(|c| c.produces.iter().any(|p| p.index() == si))
            .map(|c| c.id.clone())
            .collect();
        return Some(Explanation {
            kind: Kind::Symptom,
            id: s.id.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            relations: vec![("produced_by".into(), by)],
            sources: Vec::new(),
            location: s.loc.clone(),
        });
    }
    if let Some((ci, c)) = kb.causes.iter().enumerate().find(|(_, c)| c.id == id) {
        let produces = c
            .produces
            .iter()
            .filter_map(|s| kb.symptoms.get(s.index()).map(|s| s.id.clone()))
            .collect();
        let fixed_by = kb
            .fixes
            .iter()
            .filter(|f| f.resolves.iter().any(|r| r.index() == ci))
            .map(|f| f.id.clone())
            .collect();
        return Some(Explanation {
            kind: Kind::Cause,
            id: c.id.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            relations: vec![("produces".into(), produces), ("fixed_by".into(), fixed_by)],
            sources: sources(kb, &c.sources),
            location: c.loc.clone(),
        });
    }
    if let Some(f) = kb.fixes.iter().find(|f| f.id == id) {
        let resolves = f
            .resolves
            .iter()
            .filter_map(|c| kb.causes.get(c.index()).map(|c| c.id.clone()))
            .collect();
        return Some(Explanation {
            kind: Kind::Fix,
            id: f.id.clone(),
            title: f.title.clone(),
            description: f.description.clone(),
            relations: vec![("resolves".into(), resolves)],
            sources: sources(kb, &f.sources),
            location: f.loc.clone(),
        });
    }
    if let Some((fi, f)) = kb.facts.iter().enumerate().find(|(_, f)| f.id == id) {
        let mut read_by = Vec::new();
        let reads = |c: &crate::model::Condition| {
            let mut r = false;
            c.visit_facts(&mut |x| r |= x.index() == fi);
            r
        };
        for s in &kb.symptoms {
            if reads(&s.condition) {
                read_by.push(s.id.clone());
            }
        }
        for c in &kb.causes {
            if c.evidence.iter().any(|e| reads(&e.condition)) {
                read_by.push(c.id.clone());
            }
        }
        let mut relations = vec![("read_by".into(), read_by)];
        if let crate::model::FactType::Enum(vs) = &f.ty {
            relations.push(("values".into(), vs.iter().map(|v| v.id.clone()).collect()));
        }
        return Some(Explanation {
            kind: Kind::Fact,
            id: f.id.clone(),
            title: f.display_label(),
            description: f.question.clone(),
            relations,
            sources: Vec::new(),
            location: f.loc.clone(),
        });
    }
    kb.sources.iter().find(|s| s.id == id).map(|s| Explanation {
        kind: Kind::Source,
        id: s.id.clone(),
        title: s.title.clone(),
        description: s.note.clone(),
        relations: vec![("url".into(), s.url.iter().cloned().collect())],
        sources: Vec::new(),
        location: s.loc.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::model::*;
    use crate::testkit::*;

    #[test]
    fn explains_every_kind_of_id() {
        let m = Kb::default()
            .fact("os", enm(&["win", "mac"]))
            .symptom("s", eq(0, Value::Enum(0)))
            .cause(
                "c",
                Prior::Common,
                &[0],
                vec![ev(Strength::Strong, eq(0, Value::Enum(1)))],
            )
            .fix("f", &[0], Level::Low, Level::Low, Rights::User)
            .matcher();
        let s = m.explain("s").unwrap();
        assert_eq!(
            (s.kind, s.relations.clone()),
            (
                Kind::Symptom,
                vec![("produced_by".into(), vec!["c".into()])]
            )
        );
        let c = m.explain("c").unwrap();
        assert_eq!(c.relations[1], ("fixed_by".into(), vec!["f".into()]));
        assert_eq!(
            m.explain("f").unwrap().relations[0],
            ("resolves".into(), vec!["c".into()])
        );
        let f = m.explain("os").unwrap();
        assert_eq!(f.kind, Kind::Fact);
        assert_eq!(f.relations[0].1, ["s", "c"]);
        assert_eq!(f.relations[1].1, ["win", "mac"]);
        assert!(m.explain("nope").is_none());
    }
}
