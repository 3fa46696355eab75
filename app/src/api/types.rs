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
    /// Sees the journal, the report and the access reviews, read only.
    pub is_auditor: bool,
    /// Double validation: requests of other administrators awaiting this administrator.
    pub awaiting_approval: i64,
    pub idle_timeout_secs: i64,
    /// In how many entities the person works with this login (a group of entities: more than
    /// one, and the header offers « Changer d’entité »).
    pub entities: i64,
}

/// An entity where the signed-in person works with their login (groups of entities).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityChoice {
    pub entity_id: i64,
    pub name: String,
    pub is_administrator: bool,
    pub is_current: bool,
}

/// « Changer d’entité »
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchEntityForm {
    pub entity: i64,
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

/// A TOTP secret being enrolled: shown to type or scan into an authenticator app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    /// Base32, grouped by four for reading.
    pub secret: String,
    pub uri: String,
    /// The URI as a QR code: an SVG drawn by the server, as a `data:` URI for an `<img>` (the
    /// CSP forbids the inline styles of an inline SVG).
    pub qr_image: String,
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

/// « Fiche utilisateur »: a user of the entity as their administrator sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    /// « 14/03/1985 », as registered by the advisor.
    pub birth_date: String,
    pub phone: String,
    pub email: String,
    pub login_id: String,
    pub state: UserState,
    pub is_administrator: bool,
    pub is_auditor: bool,
    /// « 27/11/2026 à 14:05 », and by whom (none for the bank's own registrations).
    pub added_on: String,
    pub added_by: Option<String>,
    pub last_sign_in: Option<String>,
    /// Kinds and dates only, never a secret.
    pub factors: Factors,
    /// Every right with where it comes from.
    pub recap: Recap,
    /// The administrator looking at their own page (who cannot suspend themselves).
    pub is_self: bool,
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
    pub is_auditor: bool,
    /// For an administrator or an auditor: the access review is due (never done, or the last
    /// is older than the entity's period), with the days since the last one.
    pub review_due: Option<ReviewDue>,
    pub recap: Recap,
    pub factors: Factors,
    /// Whether this session passed a strong authentication in the last five minutes (adding a
    /// factor needs it).
    pub sca_fresh: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserState {
    AwaitingFirstLogin,
    Active,
    Suspended,
    Blocked,
    /// Removed from the entity: no access, no rights, kept for the history; the login id is
    /// never given to anyone else.
    Removed,
}

impl UserState {
    pub fn code(self) -> &'static str {
        match self {
            UserState::AwaitingFirstLogin => "awaiting_first_login",
            UserState::Active => "active",
            UserState::Suspended => "suspended",
            UserState::Blocked => "blocked",
            UserState::Removed => "removed",
        }
    }

    pub fn from_code(code: &str) -> Option<UserState> {
        [
            UserState::AwaitingFirstLogin,
            UserState::Active,
            UserState::Suspended,
            UserState::Blocked,
            UserState::Removed,
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
            UserState::Removed => "Retiré",
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
    pub is_auditor: bool,
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
    /// « Droits temporaires »: the last day the rights are held (absent: permanent).
    #[serde(default)]
    pub period: Option<model::Period>,
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
    /// What the administrator should think twice about (never blocking).
    #[serde(default)]
    pub warnings: Vec<String>,
    pub expires_in_secs: i64,
    pub admin_has_passkey: bool,
    pub admin_has_totp: bool,
}

/// What the strong authentication of an operation did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confirmed {
    /// Applied at once; what was done about the user concerned (none for an entity setting).
    Applied(Option<OperationDone>),
    /// The entity's double validation is on: it applies once a second administrator approves.
    AwaitingApproval,
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
    /// An addition of a person already a user of another entity of their group: they keep
    /// their login (no new credentials sent).
    pub existing_login: bool,
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

// ---------------------------------------------------------------------------------------------
// Forms. A server function called by a form takes one argument named `form`, of one of these
// types: its fields arrive as `form[field]` (url-encoded, so the form works before and without
// the wasm), and unknown fields are refused.
// ---------------------------------------------------------------------------------------------

/// « Se connecter »
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInForm {
    pub login_id: String,
    pub password: String,
}

/// A one-time code (sign-in, enrolment).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeForm {
    pub code: String,
}

/// The first login's new password.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPasswordForm {
    /// The one-time code of the e-mail that carried the login id (the second channel).
    pub email_code: String,
    pub password: String,
    pub confirmation: String,
}

/// A person chosen to become a user.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonChoice {
    pub person_id: i64,
}

/// A user of the entity, for an action on them (suspend, reactivate…).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserForm {
    pub user_id: i64,
}

/// A journey's draft, for a step without other fields (« Confirmer »).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftForm {
    pub draft: String,
}

/// The e-mail of the personal-data step.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailForm {
    pub draft: String,
    #[serde(default)]
    pub email: String,
}

/// The method of attribution: `personnalise`, `profil:valideur`…, or `copie` with the user.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodForm {
    pub draft: String,
    pub method: String,
    #[serde(default)]
    pub copy_from: Option<i64>,
}

/// The grid's ticked boxes (`A12:gestion`…) and the administration right.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightsForm {
    pub draft: String,
    #[serde(default)]
    pub cells: Vec<String>,
    #[serde(default)]
    pub administration: bool,
    /// « Droits temporaires »: the first day of the rights added (`AAAA-MM-JJ`), or empty for
    /// at once.
    #[serde(default)]
    pub starts_on: String,
    /// « Droits temporaires »: the last day of the rights added (`AAAA-MM-JJ`), or empty.
    #[serde(default)]
    pub ends_on: String,
}

/// « Valider avec le code »: the operation, the digest the administrator saw, the code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationForm {
    pub operation_id: String,
    pub digest: String,
    pub code: String,
}

/// An operation to cancel.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationForm {
    pub operation_id: String,
}

// ---------------------------------------------------------------------------------------------
// Journeys and operations, as their pages show them.
// ---------------------------------------------------------------------------------------------

/// « Ajouter un utilisateur », as far as the administrator has gone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddUserJourney {
    pub draft_id: String,
    pub person: PersonCard,
    /// The e-mail entered or registered (may be empty).
    pub email: String,
    /// Registered by the advisor: shown, not edited here.
    pub email_registered: bool,
    pub method: Option<model::RightsMethod>,
    /// « Profil valideur », « Copie des droits de Julien BERNARD »…
    pub method_label: Option<String>,
    /// The rights the method started from (the profile's, the copied user's).
    pub baseline: Option<Rights>,
    /// The copied user's rights, as a recap (copy method).
    pub copied: Option<UserRights>,
    pub rights: Option<Rights>,
    /// « Droits temporaires »: the end date chosen for the rights added, if any.
    pub period: Option<model::Period>,
    /// What the period applies to and until when, as the check page says it.
    pub period_text: Option<String>,
    pub catalog: Catalog,
    /// The rights chosen, in plain French with their origins.
    pub recap: Option<Recap>,
    /// The users whose rights can be copied (method step only).
    pub users: Vec<UserSummary>,
    /// The operation prepared from this draft, if « Confirmer » was pressed.
    pub operation_id: Option<String>,
    /// A modification of an existing user's rights (the same steps, from their rights).
    pub modifying: Option<ModifiedUser>,
    /// What the rights chosen should make the administrator think twice about.
    pub warnings: Vec<String>,
    /// The accounts and contracts another user validates, and whether the user concerned has
    /// a factor: the grid recomputes the warnings as boxes are ticked.
    pub validated_by_others: Vec<model::ResourceRef>,
    pub has_factor: bool,
}

impl AddUserJourney {
    /// The address of one of the journey's steps.
    pub fn step_url(&self, step: &str) -> String {
        journey_step_url(&self.draft_id, self.modifying.is_some(), step)
    }
}

/// `/utilisateurs/ajout/{draft}/{step}` or `/utilisateurs/modification/{draft}/{step}`.
pub fn journey_step_url(draft_id: &str, modifying: bool, step: &str) -> String {
    let journey = if modifying { "modification" } else { "ajout" };
    format!("/utilisateurs/{journey}/{draft_id}/{step}")
}

/// The user whose rights a journey modifies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifiedUser {
    pub user_id: i64,
    /// Their rights now (the administration right included).
    pub before: Rights,
    /// Their temporary levels, with the last day each is held.
    pub ends: Vec<(model::ResourceRef, model::Level, model::Day)>,
    /// Their levels given from a day to come, with that day.
    pub starts: Vec<(model::ResourceRef, model::Level, model::Day)>,
    /// What the rights chosen so far change, once chosen.
    pub diff: Option<model::RightsDiff>,
}

/// Where an operation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperationState {
    /// Awaiting its strong authentication.
    Prepared,
    /// Cancelled, or replaced by a new preparation (an edit).
    Voided,
    /// Not signed within 5 minutes.
    Expired,
    /// Signed; the double validation waits for a second administrator.
    AwaitingApproval,
    Applied,
    /// Rejected by a second administrator.
    Rejected,
}

/// « Validez votre opération »: the operation, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationPage {
    pub state: OperationState,
    /// Double validation: where the request stands and who decided it.
    pub decision: Option<RequestDecision>,
    pub operation: PreparedOperation,
    /// The journey step to go back to (« Modifier »).
    pub back_to: Option<String>,
    /// Once applied: what was done.
    pub done: Option<OperationDone>,
    /// The existing user the operation is about, as they are now.
    pub target: Option<OperationTarget>,
}

/// The user an operation is about, now: changed since the operation was prepared, the
/// operation can no longer apply, and the page says so with their state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationTarget {
    pub user_id: i64,
    pub state: UserState,
    pub changed: bool,
}

/// A search of « Gestion des utilisateurs » (the page's address holds it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSearch {
    /// Words that must all appear in the name, login id or e-mail.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub state: Option<UserState>,
    /// From 1.
    #[serde(default)]
    pub page: u32,
}

/// How many users match, in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCounts {
    pub all: i64,
    pub awaiting_first_login: i64,
    pub active: i64,
    pub suspended: i64,
    pub blocked: i64,
    /// Not in `all`: removed users are listed only when asked for.
    pub removed: i64,
}

/// One page of « Gestion des utilisateurs ».
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersPage {
    pub users: Vec<UserSummary>,
    /// Users matching the search and the state.
    pub matching: i64,
    pub counts: StateCounts,
    pub page: u32,
    pub pages: u32,
}

/// A search of « Journal des opérations » (the page's address holds it). Dates as the date
/// field sends them (`2026-12-04`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalSearch {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// An event kind's code, or empty for all.
    #[serde(default)]
    pub kind: String,
    /// The author's user id.
    #[serde(default)]
    pub author: Option<i64>,
    /// The user concerned's id.
    #[serde(default)]
    pub user: Option<i64>,
    /// From 1.
    #[serde(default)]
    pub page: u32,
}

impl JournalSearch {
    /// Reads the page's address (`?du=2026-12-01&au=…&type=…&auteur=3&utilisateur=5&page=2`).
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> JournalSearch {
        let mut search = JournalSearch::default();
        for (name, value) in pairs {
            match name {
                "du" => search.from = value.to_string(),
                "au" => search.to = value.to_string(),
                "type" => search.kind = value.to_string(),
                "auteur" => search.author = value.parse().ok(),
                "utilisateur" => search.user = value.parse().ok(),
                "page" => search.page = value.parse().unwrap_or(1),
                _ => {}
            }
        }
        search
    }

    /// The search as an address's query (without the page), for links and the CSV file.
    pub fn to_query(&self) -> String {
        let encode = |text: &str| {
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        let mut pairs = Vec::new();
        if !self.from.is_empty() {
            pairs.push(format!("du={}", encode(&self.from)));
        }
        if !self.to.is_empty() {
            pairs.push(format!("au={}", encode(&self.to)));
        }
        if !self.kind.is_empty() {
            pairs.push(format!("type={}", encode(&self.kind)));
        }
        if let Some(author) = self.author {
            pairs.push(format!("auteur={author}"));
        }
        if let Some(user) = self.user {
            pairs.push(format!("utilisateur={user}"));
        }
        pairs.join("&")
    }
}

/// One event of the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub id: i64,
    /// « 04/12/2026 à 09:31 »
    pub at: String,
    pub kind: String,
    pub author: Option<String>,
    pub concerned: Option<String>,
}

/// One page of « Journal des opérations », with what the filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalPage {
    pub entries: Vec<JournalEntry>,
    pub matching: i64,
    pub page: u32,
    pub pages: u32,
    /// (code, label) of every kind of event.
    pub kinds: Vec<(String, String)>,
    /// (id, name) of the entity's users, for the author and user filters.
    pub users: Vec<(i64, String)>,
}

/// « Vérifier l’intégrité »: the hash chain recomputed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    pub intact: bool,
    /// The entity's events checked.
    pub events: i64,
    /// The first broken event, when it is one of the entity's.
    pub first_broken: Option<i64>,
    /// The trail's signed checkpoint now, to keep outside (a later check against it notices a
    /// trail cut short).
    pub checkpoint: String,
    /// Whether a checkpoint kept earlier was checked too.
    pub against_checkpoint: bool,
}

/// « Vérifier l’intégrité », optionally against a signed checkpoint kept earlier.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointForm {
    #[serde(default)]
    pub checkpoint: String,
}

/// « Rapport des habilitations »: who may do what on each account and contract, and every
/// user's rights with their origin, dated, with the entity's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementReport {
    pub entity_name: String,
    /// « 04/12/2026 à 10:02 »
    pub generated_at: String,
    pub resources: Vec<model::report::Holders>,
    pub users: Vec<UserEntitlements>,
    /// An administrator (whose names link to users' pages) or an auditor (to « Pourquoi ? »).
    pub reader_is_administrator: bool,
}

/// One user's rights in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEntitlements {
    pub user_id: i64,
    pub name: String,
    pub login_id: String,
    pub state: UserState,
    pub recap: Recap,
}

/// « Pourquoi ? »: for one user, every account or contract and level, why they hold it or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhyView {
    pub user_id: i64,
    pub name: String,
    pub lines: Vec<WhyLine>,
    /// An administrator goes back to the user's page, an auditor to the report.
    pub reader_is_administrator: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhyLine {
    /// The account or contract.
    pub label: String,
    pub level: model::Level,
    pub held: bool,
    /// « Accordé le 04/12/2026 à 09:31 par Sophie MARTIN (profil comptable, opération 3F2A-9C1B). »
    pub reason: String,
}

/// The home page's reminder: the entity's access review is due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDue {
    /// Days since the last review closed; `None` when none ever did.
    pub days_since_last: Option<i64>,
    pub period_days: i64,
}

/// One access review, as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub id: i64,
    /// « 04/12/2026 à 11:40 »
    pub started_on: String,
    pub started_by: String,
    pub closed_on: Option<String>,
    pub closed_by: Option<String>,
    pub progress: model::review::Progress,
}

/// « Revue des accès »: the entity's reviews, whether one is due, and whether the reader may
/// act (an administrator) or only read (an auditor).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewsPage {
    pub reviews: Vec<ReviewSummary>,
    pub open_review: Option<i64>,
    pub due: Option<ReviewDue>,
    pub period_days: i64,
    pub can_act: bool,
}

/// One user of a review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub user_id: i64,
    pub name: String,
    pub login_id: String,
    pub state: UserState,
    /// The user's version when the page was read: a confirmation of rights changed since is
    /// refused.
    pub version: i64,
    pub decision: model::review::Decision,
    /// The rights now, with their origins (for a user still to review).
    pub recap: Option<Recap>,
    /// The rights as confirmed, or after the change, in plain words.
    pub rights_text: Option<String>,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
}

/// One review with every user in it; once closed, the signature of its evidence file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub summary: ReviewSummary,
    pub entity_name: String,
    pub items: Vec<ReviewItem>,
    pub can_act: bool,
    pub signature: Option<String>,
}

/// A review, for « Clôturer la revue ».
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewForm {
    pub review_id: i64,
}

/// « Confirmer ses droits »: one user of a review, at the version the page showed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewItemForm {
    pub review_id: i64,
    pub user_id: i64,
    pub version: i64,
}

/// The entity's period between reviews, in days, as typed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewPeriodForm {
    pub days: String,
}

// ---------------------------------------------------------------------------------------------
// « Double validation »: requests awaiting a second administrator.
// ---------------------------------------------------------------------------------------------

/// Double validation: where a request stands, as its pages say it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDecision {
    /// Who signed it, and when.
    pub author: String,
    pub signed_on: String,
    /// While it awaits: when it lapses.
    pub lapses_on: Option<String>,
    /// Who approved, rejected or (for a lapse) found it void, and when.
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    /// The reason given with a rejection.
    pub reason: Option<String>,
    /// Why it became void.
    pub lapse: Option<String>,
    /// Withdrawn by its author.
    pub withdrawn: bool,
}

/// One request of the list « Opérations à valider ».
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalSummary {
    pub operation_id: String,
    pub kind: model::OperationKind,
    /// The user concerned, the person to add, or the entity (a setting).
    pub about: String,
    pub author: String,
    pub signed_on: String,
    pub lapses_on: String,
    /// Prepared by the reader: someone else must decide.
    pub mine: bool,
}

/// « Opérations à valider »: the entity's requests awaiting approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalsPage {
    pub dual_control: bool,
    pub requests: Vec<ApprovalSummary>,
}

/// One request, as a second administrator reads it before deciding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalPage {
    pub state: OperationState,
    /// What was signed (facts, rights, difference), and the reader's factors to approve with.
    pub operation: PreparedOperation,
    pub decision: RequestDecision,
    /// Prepared by the reader: they may withdraw it, never approve it.
    pub mine: bool,
    /// Why it cannot be approved now, when it cannot.
    pub refusal: Option<String>,
    /// The user concerned, for a link to their page.
    pub user_id: Option<i64>,
}

/// « Valider avec le code » a request: the request, the digest shown, the code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalForm {
    pub operation_id: String,
    pub digest: String,
    pub code: String,
}

/// « Refuser » a request, with its reason.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectionForm {
    pub operation_id: String,
    pub digest: String,
    pub reason: String,
}

/// « Paramètres de l’entité »: the double validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsPage {
    pub dual_control: bool,
    /// Active administrators able to act (a second one is needed to switch it on).
    pub active_administrators: i64,
    /// Requests awaiting approval.
    pub awaiting: i64,
}

/// Switches the double validation: `oui` or `non`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DualControlForm {
    pub enabled: String,
}

// « Espace conseiller »: the bank's advisors.

/// An advisor's sign-in: login id, password and the authenticator application's code, in one
/// form (the code is their strong authentication).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvisorSignInForm {
    pub login_id: String,
    pub password: String,
    pub code: String,
}

/// The advisor signed in, as the back office's pages name them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorInfo {
    /// « Mme Claire DUBOIS »
    pub name: String,
}

/// One entity of the advisor's portfolio.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioLine {
    pub id: i64,
    pub name: String,
    pub siren: String,
    pub users: i64,
    pub administrators: i64,
    pub blocked: i64,
}

/// A user of an entity, as the advisor sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorUserLine {
    pub id: i64,
    pub name: String,
    pub login_id: String,
    pub state: UserState,
    pub is_administrator: bool,
    /// The version the advisor's action is prepared on (someone else's change first: 409).
    pub version: i64,
}

/// An entity of the advisor's portfolio: its users and the persons not yet users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorEntityView {
    pub id: i64,
    pub name: String,
    pub siren: String,
    pub administration: Administration,
    pub users: Vec<AdvisorUserLine>,
    pub persons: Vec<PersonCard>,
}

/// Who can administer an entity, as the advisor's break-glass sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Administration {
    /// An active administrator with a factor: it is theirs to administer.
    Acting,
    /// Nobody can act yet, but an administrator was named and has not made their first login:
    /// their access is reset if the credentials went astray, nobody else is named meanwhile.
    AwaitingFirstLogin,
    /// Nobody: the advisor may name an administrator.
    Nobody,
}

/// « Enregistrer une personne »: the identity the bank owns, signed with the advisor's code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterPersonForm {
    pub entity: i64,
    pub last_name: String,
    pub first_name: String,
    /// `AAAA-MM-JJ` (a date field).
    pub birth_date: String,
    /// E.164, or a French mobile number as people type it.
    pub phone: String,
    /// Optional: empty when unknown.
    #[serde(default)]
    pub email: String,
    pub code: String,
}

/// An advisor's action on one user: « Débloquer » a user blocked after five failed strong
/// authentications, or « Nommer administrateur » when the entity has no active administrator
/// left; signed with the advisor's code, on the user's version the advisor saw.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvisorUserForm {
    pub entity: i64,
    pub user: i64,
    pub version: i64,
    pub code: String,
}

/// A registered person not yet a user, as the advisor corrects them (values as the fields take
/// them: the date `AAAA-MM-JJ`, the phone in E.164).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorPersonView {
    pub entity_id: i64,
    pub entity_name: String,
    /// Whether the entity has an administrator who can act; if nobody, the advisor may name
    /// this person.
    pub administration: Administration,
    /// The person's mobile and e-mail are the bank's core systems' (the import's), not typed
    /// by an advisor: only then may they be named administrator.
    pub contacts_from_bank: bool,
    pub id: i64,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: String,
    pub phone: String,
    pub email: Option<String>,
}

/// Break-glass: a registered person named the administrator of an entity that has none,
/// reached at this e-mail (the registered one, if any), signed with the advisor's code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamePersonAdministratorForm {
    pub entity: i64,
    pub person: i64,
    pub email: String,
    pub code: String,
}

/// « Corriger » a registered person not yet a user, signed with the advisor's code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectPersonForm {
    pub entity: i64,
    pub person: i64,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: String,
    pub phone: String,
    #[serde(default)]
    pub email: String,
    pub code: String,
}

/// « Retirer » a registered person not yet a user, signed with the advisor's code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawPersonForm {
    pub entity: i64,
    pub person: i64,
    pub code: String,
}
