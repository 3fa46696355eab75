//! The one error type of every server function, shared by the browser and the server.
//!
//! Messages are French and generic on purpose: what went wrong in detail goes to the server's
//! logs, never to the client. Each variant maps to one HTTP status, so that, for instance,
//! another entity's user answers exactly like a missing one (404, same body).

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum ApiError {
    /// No session, or it expired.
    #[error("Votre session a expiré ou vous n’êtes pas connecté. Veuillez vous reconnecter.")]
    Unauthenticated,
    /// Signed in, but the function needs a right the user does not hold.
    #[error("Vous n’avez pas les droits nécessaires pour cette action.")]
    Forbidden,
    /// Missing, or belongs to another entity: the two are indistinguishable on purpose.
    #[error("L’élément demandé est introuvable.")]
    NotFound,
    /// Bad input; the message says what to correct.
    #[error("{message}")]
    Invalid {
        /// The form field concerned, when there is one.
        field: Option<String>,
        message: String,
    },
    /// Someone else changed the same thing first.
    #[error("{0}")]
    Conflict(String),
    /// The operation would leave the entity without an active administrator able to act;
    /// `advisor` is the entity's advisor and how to reach them.
    #[error("L’entité doit garder au moins un administrateur actif. Nommez d’abord un autre administrateur, ou adressez-vous au conseiller de votre entité : {advisor}.")]
    LastAdministrator { advisor: String },
    /// Wrong login id or password, unknown login id or blocked account: one answer for all.
    #[error("Identifiant ou mot de passe incorrect. Si le problème persiste, contactez l’administrateur de votre entité ou votre conseiller.")]
    LoginFailed,
    /// The right password of a new user whose first login was left before a factor was
    /// enrolled: that step belongs to the session that used the temporary password.
    #[error("Votre première connexion n’a pas été terminée. Demandez à l’administrateur de votre entité de vous renvoyer un mot de passe provisoire.")]
    FirstLoginUnfinished,
    /// Adding a factor needs a strong authentication with an existing one, a moment before.
    #[error("Pour ajouter un moyen d’authentification forte, confirmez d’abord votre identité avec un moyen déjà enregistré.")]
    FreshScaRequired,
    /// Too many attempts from this address.
    #[error("Trop de tentatives. Réessayez dans quelques minutes.")]
    TooManyAttempts,
    /// A strong-authentication attempt failed; never says which element was wrong.
    #[error("{}", sca_failure_message(*.remaining))]
    ScaFailed { remaining: u32 },
    /// Five failed strong authentications in a row.
    #[error("Votre accès est bloqué après 5 échecs d’authentification forte. Pour le débloquer, contactez l’administrateur de votre entité ou votre conseiller.")]
    Blocked,
    /// The pending operation expired, was already used or was replaced.
    #[error("Cette opération n’est plus valable (expirée, déjà validée ou modifiée). Vérifiez votre saisie et confirmez à nouveau.")]
    OperationExpired,
    /// Anything else; details are in the server logs.
    #[error("Une erreur technique est survenue. Réessayez dans quelques instants.")]
    Internal,
    /// The request could not reach the server or its answer was unreadable (browser side).
    #[error("Le serveur est injoignable. Vérifiez votre connexion et réessayez.")]
    Transport,
}

fn sca_failure_message(remaining: u32) -> String {
    match remaining {
        0 => "Authentification refusée.".to_string(),
        1 => "Authentification refusée. Attention : au prochain échec, votre accès sera bloqué. Pour le débloquer, il faudra contacter l’administrateur de votre entité ou votre conseiller.".to_string(),
        n => format!("Authentification refusée. Il vous reste {n} essais avant le blocage de votre accès."),
    }
}

impl ApiError {
    /// A bad value in one form field.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unauthenticated => 401,
            ApiError::Forbidden | ApiError::FreshScaRequired => 403,
            ApiError::NotFound => 404,
            ApiError::Invalid { .. } => 422,
            ApiError::Conflict(_)
            | ApiError::OperationExpired
            | ApiError::LastAdministrator { .. } => 409,
            ApiError::LoginFailed | ApiError::ScaFailed { .. } | ApiError::FirstLoginUnfinished => {
                401
            }
            ApiError::Blocked => 423,
            ApiError::TooManyAttempts => 429,
            ApiError::Internal | ApiError::Transport => 500,
        }
    }

    /// The field a message belongs to, for forms that show errors next to inputs.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A body that does not match the function's arguments (unknown or missing fields,
            // wrong types) is bad input: say so, without echoing the parser's details.
            ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::Args(_) => ApiError::Invalid {
                field: None,
                message: "La requête est invalide.".into(),
            },
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => ApiError::Transport,
            _ => ApiError::Internal,
        }
    }
}

impl From<model::operation::AssignmentError> for ApiError {
    fn from(error: model::operation::AssignmentError) -> Self {
        ApiError::invalid("rights", error.to_string())
    }
}

impl From<model::PeriodError> for ApiError {
    fn from(error: model::PeriodError) -> Self {
        let field = match error {
            model::PeriodError::StartNotADate
            | model::PeriodError::StartPast
            | model::PeriodError::StartAfterEnd => "starts_on",
            _ => "ends_on",
        };
        ApiError::invalid(field, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_messages_warn_before_the_block_and_never_name_a_factor() {
        let last = ApiError::ScaFailed { remaining: 1 }.to_string();
        assert!(last.contains("au prochain échec"));
        let early = ApiError::ScaFailed { remaining: 3 }.to_string();
        assert!(early.contains("3 essais"));
        for message in [last, early, ApiError::LoginFailed.to_string()] {
            assert!(!message.contains("code incorrect"));
            assert!(!message.contains("clé"));
        }
    }

    #[test]
    fn errors_round_trip_as_json() {
        let error = ApiError::invalid("email", "Adresse invalide");
        let json = serde_json::to_string(&error).unwrap();
        assert_eq!(serde_json::from_str::<ApiError>(&json).unwrap(), error);
        assert_eq!(error.status(), 422);
        assert_eq!(ApiError::NotFound.status(), 404);
    }
}
