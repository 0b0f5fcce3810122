//! `{{{json_ld value}}}`: structured data for a `<script type="application/ld+json">`.

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};

/// Writes the parameter as JSON that cannot close its `<script>` element.
pub fn json_ld(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let p = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("json_ld", 0))?;
    if p.is_value_missing() {
        return Err(RenderErrorReason::MissingVariable(p.relative_path().cloned()).into());
    }
    let json = serde_json::to_string(p.value())
        .map_err(|e| RenderErrorReason::NestedError(Box::new(e)))?;
    out.write(&crate::render::escape::json_script(&json))?;
    Ok(())
}
