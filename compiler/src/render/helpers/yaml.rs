//! `{{{yaml value}}}`: a YAML scalar for front matter. JSON strings are YAML
//! double-quoted scalars, so serde_json's escaping is exactly right.

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};

/// Writes the parameter as a JSON (and so YAML flow) value.
pub fn yaml(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let p = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("yaml", 0))?;
    if p.is_value_missing() {
        return Err(RenderErrorReason::MissingVariable(p.relative_path().cloned()).into());
    }
    let json = serde_json::to_string(p.value())
        .map_err(|e| RenderErrorReason::NestedError(Box::new(e)))?;
    out.write(&json)?;
    Ok(())
}
