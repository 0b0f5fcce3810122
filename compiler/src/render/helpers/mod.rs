//! Template helpers, each in its own module, all registered here.
//!
//! | helper | use | output |
//! |---|---|---|
//! | `if`, `unless` | `{{#if field}}` | like the built-ins, but a missing field is an error |
//! | `include` | `{{include "partials/x"}}` | another template, rendered in the current scope |
//! | `json_ld` | `{{{json_ld page.faq}}}` | the value as JSON safe inside `<script>` |
//! | `fence` | `{{{fence lang code}}}` | a Markdown code block whose fence outlasts the code |
//! | `code_span` | `{{{code_span text}}}` | a Markdown code span |
//! | `mermaid` | `{{{mermaid text}}}` | text safe in a quoted Mermaid label |
//! | `yaml` | `{{{yaml value}}}` | a YAML (JSON) double-quoted scalar |
//!
//! The helpers whose output is markup are used with triple braces: they
//! escape for their own context.

mod code;
mod fence;
mod include;
mod json_ld;
mod mermaid;
mod strict_if;
mod yaml;

use handlebars::Handlebars;

/// Registers every helper on `hb`.
pub fn register(hb: &mut Handlebars<'_>) {
    hb.register_helper("if", Box::new(strict_if::IF));
    hb.register_helper("unless", Box::new(strict_if::UNLESS));
    hb.register_helper("include", Box::new(include::Include));
    hb.register_helper("json_ld", Box::new(json_ld::json_ld));
    hb.register_helper("fence", Box::new(fence::fence));
    hb.register_helper("code_span", Box::new(code::code));
    hb.register_helper("mermaid", Box::new(mermaid::mermaid));
    hb.register_helper("yaml", Box::new(yaml::yaml));
}

/// The string value of parameter `i`, or an error naming the helper.
fn str_param<'a>(
    h: &'a handlebars::Helper<'_>,
    name: &'static str,
    i: usize,
) -> Result<&'a str, handlebars::RenderError> {
    let p = h
        .param(i)
        .ok_or(handlebars::RenderErrorReason::ParamNotFoundForIndex(
            name, i,
        ))?;
    if p.is_value_missing() {
        return Err(
            handlebars::RenderErrorReason::MissingVariable(p.relative_path().cloned()).into(),
        );
    }
    p.value()
        .as_str()
        .ok_or_else(|| handlebars::RenderErrorReason::InvalidParamType("string").into())
}
