//! What server functions return: plain data shared by the browser and the server.

use model::{Catalog, Recap, Rights};
use serde::{Deserialize, Serialize};

/// Where a visitor stands; `None` from `session_info` means not signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub stage: Stage,
    pub first_name: String,
    pub last_name: String,
    pub entity_name: String,
    pub is_administrator: bool,
    pub idle_timeout_secs: i64,
}

/// The step of signing in the session has reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Password accepted; strong authentication next, with the factors the user has.
    Sca {
        has_passkey: bool,
        has_totp: bool,
    },
    /// First login: choose a new password.
    NewPassword,
    /// First login: enrol a strong-authentication factor.
    Enrol,
    Full,
}

/// What every page may show about the deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub bank_name: String,
    /// Local mode: demo data, and e-mail and SMS land in the local outbox page.
    pub local_mode: bool,
}

/// Seconds left before the idle timeout, as the server counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionStatus {
    pub signed_in: bool,
    pub remaining_secs: i64,
}

/// A TOTP secret being enrolled: shown once, to type or scan into an authenticator app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    /// Base32, grouped by four for reading.
    pub secret: String,
    pub uri: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorCard {
    pub name: String,
    pub agency: String,
    pub phone: String,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityCard {
    pub name: String,
    pub kind: String,
    /// « 552 100 554 »
    pub siren: String,
    pub advisor: AdvisorCard,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub label: String,
    pub created_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factors {
    pub passkeys: Vec<PasskeyInfo>,
    pub has_totp: bool,
}

/// The signed-in user's home page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    pub first_name: String,
    pub last_name: String,
    pub login_id: String,
    pub email: String,
    pub entity: EntityCard,
    pub is_administrator: bool,
    pub recap: Recap,
    pub factors: Factors,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserState {
    AwaitingFirstLogin,
    Active,
    Suspended,
    Blocked,
}

impl UserState {
    pub fn code(self) -> &'static str {
        match self {
            UserState::AwaitingFirstLogin => "awaiting_first_login",
            UserState::Active => "active",
            UserState::Suspended => "suspended",
            UserState::Blocked => "blocked",
        }
    }

    pub fn from_code(code: &str) -> Option<UserState> {
        [
            UserState::AwaitingFirstLogin,
            UserState::Active,
            UserState::Suspended,
            UserState::Blocked,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            UserState::AwaitingFirstLogin => "En attente de première connexion",
            UserState::Active => "Actif",
            UserState::Suspended => "Suspendu",
            UserState::Blocked => "Bloqué",
        }
    }
}

impl TryFrom<String> for UserState {
    type Error = model::UnknownCode;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        UserState::from_code(&code).ok_or(model::UnknownCode(code))
    }
}

/// One line of « Gestion des utilisateurs ».
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub login_id: String,
    pub state: UserState,
    pub is_administrator: bool,
    /// « 6 comptes et contrats · consultation 8, gestion 5, validation 2 »
    pub rights_summary: String,
}

impl UserSummary {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// A person registered by the advisor, with the data the bank owns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCard {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    /// « 14/03/1985 »
    pub birth_date: String,
    /// « 06 12 34 56 78 »
    pub phone: String,
    pub email: Option<String>,
}

impl PersonCard {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// Step 2 of the journey: who can be added, and whom to call when the list is empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidates {
    pub persons: Vec<PersonCard>,
    pub advisor: AdvisorCard,
}

/// What the rights step needs: the entity's accounts and contracts and the users to copy from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsContext {
    pub catalog: Catalog,
    pub users: Vec<UserSummary>,
}

/// An existing user's rights, for the copy method's recap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRights {
    pub user_id: i64,
    pub name: String,
    pub rights: Rights,
    pub recap: Recap,
}

/// What the browser sends to prepare an add-user operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddUserDraft {
    pub person_id: i64,
    /// Checked by the server with `model::Email::parse`, for a clear message when invalid.
    pub email: String,
    pub method: model::RightsMethod,
    pub rights: Rights,
}

/// An operation kept after « Confirmer », as the administrator reviews and signs it: « Validez
/// votre opération ». The same shape for every kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedOperation {
    pub operation_id: String,
    pub digest: String,
    /// « 3F2A-9C1B », shown with the operation and in the strong-authentication prompt.
    pub short_code: String,
    pub kind: model::OperationKind,
    /// What is signed, fact by fact: (« Ajout de l’utilisateur », « Emma GIRARD »)…
    pub facts: Vec<(String, String)>,
    /// The rights given, with their origins (addition, modification).
    pub recap: Option<Recap>,
    /// What the user gains and loses (modification).
    pub diff: Option<model::RightsDiff>,
    pub expires_in_secs: i64,
    pub admin_has_passkey: bool,
    pub admin_has_totp: bool,
}

/// After an operation is applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationDone {
    pub kind: model::OperationKind,
    /// The user concerned (created, for an addition).
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// « •• •• •• •• 78 »
    pub phone_masked: String,
}

/// One message of the local outbox page (local mode only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalMessage {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub delivered_at: String,
    /// Could not be sent (recorded, never sent empty).
    pub failed: bool,
}

/// The strong authentication that validates a pending operation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ScaProof {
    Totp {
        code: String,
    },
    Passkey {
        credential: webauthn_rs_proto::PublicKeyCredential,
    },
}
