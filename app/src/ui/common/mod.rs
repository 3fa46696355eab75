//! Pieces every page uses: the labelled field with its hint and error, error notices in the
//! page's language, the page heading that takes the focus, the step indicator.

use crate::api::ApiError;
use crate::i18n::*;
use leptos::html;
use leptos::prelude::*;

/// The page's translations (the i18n context).
pub type I18n = leptos_i18n::I18nContext<Locale>;

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status">{t!(i18n, common.loading)}</p> }
}

/// An error from the server, in the page's language. Generic errors have their text here;
/// bad input and conflicts carry the server's explanation.
/// The page's language, as the model names it (reactive: read it inside a closure).
pub fn page_lang(i18n: I18n) -> model::Lang {
    match i18n.get_locale() {
        Locale::en => model::Lang::En,
        Locale::fr => model::Lang::Fr,
    }
}

pub fn error_text(i18n: I18n, error: &ApiError) -> String {
    match error {
        ApiError::Unauthenticated => t_string!(i18n, errors.unauthenticated).to_string(),
        ApiError::Forbidden => t_string!(i18n, errors.forbidden).to_string(),
        ApiError::FreshScaRequired => t_string!(i18n, errors.fresh_sca_required).to_string(),
        ApiError::NotFound => t_string!(i18n, errors.not_found).to_string(),
        ApiError::Invalid { message, .. } | ApiError::Conflict(message) => message.clone(),
        ApiError::LoginFailed => t_string!(i18n, errors.login_failed).to_string(),
        ApiError::FirstLoginUnfinished => {
            t_string!(i18n, errors.first_login_unfinished).to_string()
        }
        ApiError::TooManyAttempts => t_string!(i18n, errors.too_many_attempts).to_string(),
        ApiError::ScaFailed { remaining: 0 } => t_string!(i18n, errors.sca_failed).to_string(),
        ApiError::ScaFailed { remaining: 1 } => t_string!(i18n, errors.sca_failed_last).to_string(),
        ApiError::ScaFailed { remaining } => fill(
            t_string!(i18n, errors.sca_failed_remaining),
            &[("remaining", &remaining.to_string())],
        ),
        ApiError::Blocked => t_string!(i18n, errors.blocked).to_string(),
        ApiError::OperationExpired => t_string!(i18n, errors.operation_expired).to_string(),
        ApiError::LastAdministrator { advisor } => fill(
            t_string!(i18n, errors.last_administrator),
            &[("advisor", advisor)],
        ),
        ApiError::Internal => t_string!(i18n, errors.internal).to_string(),
        ApiError::Transport => t_string!(i18n, errors.transport).to_string(),
    }
}

/// Fills a text's `{name}` placeholders (texts used as attributes or strings: `t!` fills
/// `{{ name }}` in views).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// The last answer of an action, when it is an error.
pub fn action_error<I, O>(action: Action<I, Result<O, ApiError>>) -> Signal<Option<ApiError>>
where
    I: Send + Sync + 'static,
    O: Send + Sync + 'static,
{
    let value = action.value();
    Signal::derive(move || {
        value
            .try_with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
            .flatten()
    })
}

/// Whether an action is running. The signal is captured now and read with `try_get`, because
/// a page being left may dispose the action before the closures that read it.
pub fn busy<I, O>(action: Action<I, O>) -> Signal<bool>
where
    I: Send + Sync + 'static,
    O: Send + Sync + 'static,
{
    let pending = action.pending();
    Signal::derive(move || pending.try_get().unwrap_or(false))
}

/// The last answer of an action, read safely after the page is left (see [`busy`]).
pub fn outcome<I, O>(action: Action<I, O>) -> Signal<Option<O>>
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let value = action.value();
    Signal::derive(move || value.try_get().flatten())
}

/// The message of an error when it belongs to `field`, for display under that input.
pub fn field_error(error: Signal<Option<ApiError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        error
            .get()
            .filter(|e| e.field() == Some(field))
            .map(|e| e.to_string())
    })
}

/// An error not tied to one of `fields`.
pub fn general_error(
    error: Signal<Option<ApiError>>,
    fields: &'static [&'static str],
) -> Signal<Option<ApiError>> {
    Signal::derive(move || {
        error
            .get()
            .filter(|e| e.field().is_none_or(|f| !fields.contains(&f)))
    })
}

/// An error announced to screen readers, in the page's language.
#[component]
pub fn ErrorNotice(#[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|error| {
            view! {
                <p class="notice notice-error" role="alert">
                    {error_text(i18n, &error)}
                </p>
            }
        })
    }
}

/// Renders a data-loading result: the view on success, the error otherwise.
pub fn on_loaded<T, V: IntoView + 'static>(
    result: Result<T, ApiError>,
    view: impl FnOnce(T) -> V,
) -> AnyView {
    match result {
        Ok(value) => view(value).into_any(),
        Err(error) => view! { <ErrorNotice error=Signal::stored(Some(error)) /> }.into_any(),
    }
}

/// A labelled input with its hint and error, linked for screen readers (`aria-describedby`,
/// `aria-invalid`, the error announced). The input is uncontrolled: what is typed before the
/// page is hydrated stays, and the form posts it as `name`.
/// The field of a six-digit code from the authenticator application (`form[code]`), the same
/// wherever a code is asked: sign-in, enrolment, « Confirmer mon identité », an operation.
#[component]
pub fn TotpCodeField(
    id: &'static str,
    #[prop(into)] label: ViewFn,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <Field
            id=id
            name="form[code]"
            label=label
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength=7
            error=error
        />
    }
}

#[component]
pub fn Field(
    id: &'static str,
    name: &'static str,
    #[prop(into)] label: ViewFn,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] hint: Option<ViewFn>,
    #[prop(optional, into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id>{label.run()}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=maxlength
                required=required
                aria-describedby=described_by
                aria-invalid=move || error.get().is_some().then_some("true")
            />
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint.run()}</p> })}
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone() role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// The page's `<h1>`. When the browser shows a new page or step (after « Continuer », a link),
/// the focus moves to it, so keyboard and screen-reader users start there; on a page loaded
/// from the server the focus stays at the top, where the skip link is.
#[component]
pub fn PageHeading(children: Children) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    let rendered_in_browser =
        !Owner::current_shared_context().is_some_and(|context| context.during_hydration());
    Effect::new(move |_| {
        if let (true, Some(_)) = (rendered_in_browser, heading.get()) {
            // After the frame: the new page may still be off the document (a suspense's content
            // is attached once resolved), and a detached element takes no focus.
            request_animation_frame(move || {
                // The page may have been left in between.
                if let Some(heading) = heading.try_get_untracked().flatten() {
                    let _ = heading.focus();
                }
            });
        }
    });
    view! {
        <h1 tabindex="-1" node_ref=heading>
            {children()}
        </h1>
    }
}

/// « Étape 2 sur 6 »
#[component]
pub fn StepIndicator(step: u8, total: u8) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="step-indicator">{t!(i18n, common.step, step, total)}</p> }
}
