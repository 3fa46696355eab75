//! Hydrates the page the server rendered: the same `App` component takes over in the browser.

// Leptos views are deeply nested types; the hydration code needs more room than the default.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
