//! `{{#if x}}` and `{{#unless x}}` that, in strict mode, fail on a field the
//! view model does not have (the built-ins treat it as false, so a typo
//! would silently hide a section).

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, JsonTruthy, Output, RenderContext,
    RenderErrorReason, Renderable,
};

/// The helper; `positive` is false for `unless`.
#[derive(Clone, Copy)]
pub struct StrictIf {
    positive: bool,
}

/// `if`.
pub const IF: StrictIf = StrictIf { positive: true };
/// `unless`.
pub const UNLESS: StrictIf = StrictIf { positive: false };

impl HelperDef for StrictIf {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = if self.positive { "if" } else { "unless" };
        let param = h
            .param(0)
            .ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 0))?;
        if r.strict_mode() && param.is_value_missing() {
            return Err(RenderErrorReason::MissingVariable(param.relative_path().cloned()).into());
        }
        let value = param.value().is_truthy(false) == self.positive;
        match if value { h.template() } else { h.inverse() } {
            Some(t) => t.render(r, ctx, rc, out),
            None => Ok(()),
        }
    }
}
