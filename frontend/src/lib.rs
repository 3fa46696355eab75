//! Hydrates the page the server rendered: the same `App` component takes over in the browser.

// Leptos views are deeply nested types; the hydration code needs more room than the default.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`: a page compiled into its own chunk is fetched before it is hydrated.
    leptos::mount::hydrate_lazy(app::App);
}
