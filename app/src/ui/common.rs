//! Small pieces shared by the pages.

use crate::api::ApiError;
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Chargement…"</p> }
}

/// An error from the server, in its French words, announced to screen readers.
#[component]
pub fn ErrorNotice(#[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            view! {
                <p class="notice notice-error" role="alert">
                    {error.to_string()}
                </p>
            }
        })
    }
}

/// The message of an error when it belongs to `field`, for display under that input.
pub fn field_error(error: Option<ApiError>, field: &str) -> Option<String> {
    error
        .filter(|e| e.field() == Some(field))
        .map(|e| e.to_string())
}

/// An error not tied to a field (or to another field than those of the form).
pub fn general_error(error: Option<ApiError>, fields: &[&str]) -> Option<ApiError> {
    error.filter(|e| e.field().is_none_or(|f| !fields.contains(&f)))
}

/// Renders a data-loading result: the view on success, the error otherwise.
pub fn on_loaded<T, V: IntoView + 'static>(
    result: Result<T, ApiError>,
    view: impl FnOnce(T) -> V,
) -> AnyView {
    match result {
        Ok(value) => view(value).into_any(),
        Err(error) => view! {
            <p class="notice notice-error" role="alert">{error.to_string()}</p>
        }
        .into_any(),
    }
}
