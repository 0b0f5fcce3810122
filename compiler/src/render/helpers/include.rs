//! `{{include "partials/name"}}`: renders another template of the theme in
//! the current scope, like `{{> partials/name}}` but without the copy of the
//! whole current context that handlebars makes for every partial (which
//! made rendering several times slower). Errors inside still name the
//! included template and its line.

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderErrorReason,
    Renderable,
};

/// The helper.
#[derive(Clone, Copy)]
pub struct Include;

impl HelperDef for Include {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = super::str_param(h, "include", 0)?;
        let template = r
            .get_template(name)
            .ok_or_else(|| RenderErrorReason::PartialNotFound(name.to_string()))?;
        let caller = rc.get_current_template_name();
        let result = template.render(r, ctx, rc, out);
        rc.set_current_template_name(caller);
        result
    }
}
