//! The English of every message the server writes in French for a form (an `Invalid` or
//! `Conflict` answer). French is written where the rule is (flows, validators, the model); the
//! answer is put into the reader's language in one place, on its way out (the server's
//! middleware calls [`localise`]). A test checks that every message the code can produce has
//! its English.

use crate::api::ApiError;
use crate::backend::security::password::PasswordError;
use model::approval::{Lapse, ReasonError, Refusal};
use model::identity::{EmailError, LoginIdError, TotpCodeError};
use model::{AssignmentError, Lang, PeriodError, Profile};
use std::collections::HashMap;
use std::sync::OnceLock;

/// French → English, for the fixed messages of the flows.
const FIXED: &[(&str, &str)] = &[
    (
        "Rien n’a changé : modifiez au moins un champ.",
        "Nothing has changed: modify at least one field.",
    ),
    (
        "Cette personne est devenue utilisatrice entre-temps : elle ne peut plus être corrigée ni retirée ici.",
        "This person has become a user meanwhile: they can no longer be corrected or withdrawn here.",
    ),
    (
        "Seul un utilisateur actif ou en attente de première connexion, qui n’est pas déjà administrateur, peut être nommé administrateur.",
        "Only an active user or one awaiting their first login, not an administrator already, can be named administrator.",
    ),
    (
        "L’entité a encore un administrateur actif : c’est à lui de donner le droit d’administration.",
        "The entity still has an active administrator: it is up to them to give the administration right.",
    ),
    (
        "Ce n’est pas l’adresse e-mail enregistrée pour cette personne : corrigez-la d’abord (« Corriger ses données »).",
        "This is not the e-mail address registered for this person: correct it first (“Correct their data”).",
    ),
    (
        "L’entité a encore un administrateur actif : c’est à lui d’ajouter cette personne.",
        "The entity still has an active administrator: it is up to them to add this person.",
    ),
    (
        "Cette personne est déjà utilisatrice de l’entité.",
        "This person is already a user of the entity.",
    ),
    (
        "Le mobile et l’e-mail de cette personne n’ont pas été transmis par les systèmes de la banque (ou un conseiller les a modifiés) : pour qu’un conseiller ne puisse pas recevoir ses identifiants, seule une personne dont les coordonnées viennent de l’import de la banque peut être nommée administrateur.",
        "This person's mobile and e-mail were not sent by the bank's systems (or an advisor changed them): so that no advisor can receive their credentials, only a person whose contact details come from the bank's import can be named administrator.",
    ),
    (
        "Un administrateur de l’entité a été nommé et n’a pas encore fait sa première connexion : s’il n’a pas reçu ses identifiants, réinitialisez son accès plutôt que d’en nommer un autre.",
        "An administrator of the entity has been named and has not made their first login yet: if they did not receive their credentials, reset their access rather than name another one.",
    ),
    (
        "Cette personne est devenue utilisatrice entre-temps : nommez-la administrateur depuis la liste des utilisateurs.",
        "This person has become a user meanwhile: name them administrator from the list of users.",
    ),
    (
        "Un identifiant de conseiller compte 3 à 64 minuscules, chiffres, « . », « - » ou « _ ».",
        "An advisor's login id has 3 to 64 lowercase letters, digits, “.”, “-” or “_”.",
    ),
    (
        "Indiquez le nom, en 100 caractères au plus, sans caractère de contrôle.",
        "Enter the last name, in 100 characters at most, without control characters.",
    ),
    (
        "Indiquez le prénom, en 100 caractères au plus, sans caractère de contrôle.",
        "Enter the first name, in 100 characters at most, without control characters.",
    ),
    (
        "Indiquez une date de naissance réelle, entre 1900 et aujourd’hui.",
        "Enter a real date of birth, between 1900 and today.",
    ),
    (
        "Indiquez un numéro de mobile : 06 ou 07 suivi de 8 chiffres, ou au format international (+…).",
        "Enter a mobile number: 06 or 07 followed by 8 digits, or in international format (+…).",
    ),
    (
        "Cette adresse e-mail n’est pas valide.",
        "This e-mail address is not valid.",
    ),
    (
        "Seul l’accès d’un utilisateur actif, bloqué ou en attente de première connexion peut être réinitialisé (réactivez d’abord un accès suspendu).",
        "Only the access of an active or blocked user, or of one awaiting their first login, can be reset (reactivate a suspended access first).",
    ),
    (
        "Cet utilisateur se connecte avec l’identifiant de l’entité où il a été créé en premier (même groupe) : son accès se réinitialise depuis cette entité, par son administrateur ou son conseiller.",
        "This user signs in with the login id of the entity where they were first created (same group): their access is reset from that entity, by its administrator or its advisor.",
    ),
    (
        "Vos moyens d’authentification se gèrent depuis l’entité où vous avez été créé en premier : passez-y avec « Changer d’entité ».",
        "Your authentication methods are managed from the entity where you were first created: go there with “Switch entity”.",
    ),
    (
        "Cet utilisateur n’est pas bloqué.",
        "This user is not blocked.",
    ),
    (
        "Cette demande n’attend plus de validation : elle a déjà été traitée.",
        "This request no longer awaits approval: it has already been dealt with.",
    ),
    (
        "La double validation demande au moins deux administrateurs actifs : votre entité n’en a qu’un. Donnez d’abord le droit d’administration à un autre utilisateur.",
        "The double validation needs at least two active administrators: your entity has only one. First give the administration right to another user.",
    ),
    (
        "La double validation est déjà activée.",
        "The double validation is already on.",
    ),
    (
        "La double validation est déjà désactivée.",
        "The double validation is already off.",
    ),
    (
        "Choisissez d’activer ou de désactiver la double validation.",
        "Choose to switch the double validation on or off.",
    ),
    (
        "La double validation est activée : l’entité doit garder au moins deux administrateurs actifs. Désactivez-la d’abord, ou nommez un autre administrateur.",
        "The double validation is on: the entity must keep at least two active administrators. Switch it off first, or name another administrator.",
    ),
    (
        "Cet utilisateur est déjà auditeur.",
        "This user is already an auditor.",
    ),
    (
        "Cet utilisateur n’est pas auditeur.",
        "This user is not an auditor.",
    ),
    (
        "Une revue des accès est déjà en cours : terminez-la avant d’en commencer une autre.",
        "An access review is already under way: finish it before starting another.",
    ),
    (
        "Les droits de cet utilisateur ont déjà été revus dans cette revue.",
        "This user’s rights have already been reviewed in this review.",
    ),
    (
        "Les droits de cet utilisateur ont changé depuis l’affichage de la page : vérifiez-les et confirmez à nouveau.",
        "This user’s rights changed since the page was shown: check them and confirm again.",
    ),
    (
        "Cette revue est clôturée : elle ne change plus.",
        "This review is closed: it no longer changes.",
    ),
    (
        "Des utilisateurs restent à revoir : confirmez ou modifiez leurs droits avant de clôturer la revue.",
        "Some users are still to review: confirm or change their rights before closing the review.",
    ),
    (
        "Indiquez une période entre 7 et 730 jours, en chiffres.",
        "Give a period between 7 and 730 days, in digits.",
    ),
    (
        "La requête est invalide.",
        "The request is invalid.",
    ),
    (
        "La demande d’authentification a expiré : recommencez.",
        "The authentication request has expired: start again.",
    ),
    (
        "Saisissez les 8 chiffres du code reçu par e-mail avec votre identifiant.",
        "Type the 8 digits of the code you received by e-mail with your login id.",
    ),
    (
        "Ce code n’est plus valable. Demandez à l’administrateur de votre entité de vous renvoyer un mot de passe provisoire.",
        "This code is no longer valid. Ask your entity’s administrator to send you a new temporary password.",
    ),
    (
        "Code incorrect. Saisissez le code à 8 chiffres de l’e-mail qui vous a donné votre identifiant.",
        "Wrong code. Type the 8-digit code of the e-mail that gave you your login id.",
    ),
    (
        "Une application d’authentification est déjà enregistrée pour votre compte.",
        "An authenticator application is already registered for your account.",
    ),
    (
        "L’enregistrement a expiré : recommencez.",
        "The registration has expired: start again.",
    ),
    (
        "Ce code ne correspond pas. Vérifiez que l’heure de votre téléphone est exacte et saisissez le code affiché.",
        "This code does not match. Check that your phone’s clock is right and type the code shown.",
    ),
    (
        "La clé d’accès n’a pas pu être vérifiée. Recommencez, en validant avec votre empreinte, votre visage ou votre code.",
        "The passkey could not be verified. Start again, confirming with your fingerprint, face or PIN.",
    ),
    (
        "Cette clé d’accès est déjà enregistrée.",
        "This passkey is already registered.",
    ),
    (
        "Le nom de la clé comporte au plus 60 caractères, sans retour à la ligne.",
        "The passkey’s name has at most 60 characters, without line breaks.",
    ),
    (
        "Aucune clé d’accès n’est enregistrée pour votre compte.",
        "No passkey is registered for your account.",
    ),
    (
        "Cette personne est devenue utilisatrice entre-temps : l’opération n’a pas été appliquée.",
        "This person became a user in the meantime: the operation was not applied.",
    ),
    (
        "Cette personne est déjà utilisatrice de la banque en ligne de votre entité.",
        "This person is already a user of your entity’s online banking.",
    ),
    (
        "L’adresse e-mail enregistrée par votre conseiller ne se modifie pas ici. Contactez-le pour la corriger.",
        "The e-mail address registered by your advisor cannot be changed here. Contact them to correct it.",
    ),
    (
        "Choisissez une méthode d’attribution des droits.",
        "Choose a way to give the rights.",
    ),
    (
        "Choisissez l’utilisateur dont vous souhaitez copier les droits.",
        "Choose the user whose rights you want to copy.",
    ),
    (
        "La sélection de droits est invalide.",
        "The selection of rights is invalid.",
    ),
    (
        "Choisissez d’abord une méthode d’attribution des droits.",
        "First choose a way to give the rights.",
    ),
    (
        "Choisissez d’abord les droits à attribuer.",
        "First choose the rights to give.",
    ),
    (
        "Cet utilisateur a été modifié entre-temps : l’opération n’a pas été appliquée. Vérifiez son état et recommencez.",
        "This user was changed in the meantime: the operation was not applied. Check their state and start again.",
    ),
    (
        "Vous ne pouvez pas suspendre votre propre accès.",
        "You cannot suspend your own access.",
    ),
    (
        "Seul l’accès d’un utilisateur actif peut être suspendu.",
        "Only an active user’s access can be suspended.",
    ),
    (
        "Seul l’accès d’un utilisateur suspendu peut être réactivé.",
        "Only a suspended user’s access can be reactivated.",
    ),
    (
        "Vous ne pouvez pas réinitialiser votre propre accès : demandez-le à un autre administrateur ou à votre conseiller.",
        "You cannot reset your own access: ask another administrator or your advisor.",
    ),
    (
        "Seul l’accès d’un utilisateur bloqué peut être débloqué.",
        "Only a blocked user’s access can be unblocked.",
    ),
    (
        "Réactivez d’abord l’accès de cet utilisateur.",
        "First reactivate this user’s access.",
    ),
    (
        "Ce point de contrôle n’est pas valide : il n’a pas été signé par ce serveur, ou il a été modifié.",
        "This checkpoint is not valid: it was not signed by this server, or it was changed.",
    ),
    (
        "Saisissez une date valide (jour, mois, année).",
        "Type a valid date (day, month, year).",
    ),
    (
        "La date de fin doit suivre la date de début.",
        "The end date must come after the start date.",
    ),
    (
        "Ce type d’événement n’existe pas.",
        "This kind of event does not exist.",
    ),
    (
        "Cet utilisateur a été retiré de votre entité : son accès ne se modifie plus.",
        "This user was removed from your entity: their access no longer changes.",
    ),
    (
        "Cet utilisateur a été retiré de votre entité : ses droits ne se modifient plus.",
        "This user was removed from your entity: their rights no longer change.",
    ),
    (
        "Vous ne pouvez pas vous retirer vous-même : demandez-le à un autre administrateur.",
        "You cannot remove yourself: ask another administrator.",
    ),
    (
        "Les droits choisis sont ceux que l’utilisateur a déjà : modifiez au moins une case, ou revenez à sa fiche.",
        "The rights chosen are the ones the user already has: change at least one box, or go back to their page.",
    ),
];

/// The English of the validators' messages (their French is their `Display`).
fn validators() -> Vec<(String, &'static str)> {
    let mut pairs = vec![
        (PasswordError::TooShort.to_string(), "The password must have at least 12 characters."),
        (PasswordError::TooLong.to_string(), "The password must have at most 128 characters."),
        (PasswordError::Common.to_string(), "This password is too common: choose another one."),
        (
            PasswordError::ContainsIdentifier.to_string(),
            "The password must contain neither your login id nor the bank’s name.",
        ),
        (PasswordError::Mismatch.to_string(), "The two passwords typed are different."),
        (
            PasswordError::SameAsTemporary.to_string(),
            "The new password must be different from the temporary password.",
        ),
        (
            EmailError::Missing.to_string(),
            "Fill in the e-mail address: the new user needs it to receive their login id.",
        ),
        (
            EmailError::Invalid.to_string(),
            "This e-mail address is not valid. Example of a valid address: firstname.lastname@company.com",
        ),
        (LoginIdError.to_string(), "The login id has 10 digits."),
        (TotpCodeError.to_string(), "The code has 6 digits."),
        (
            AssignmentError::UnknownResource.to_string(),
            "A selected account or contract does not exist for your entity.",
        ),
        (
            AssignmentError::Empty.to_string(),
            "Select at least one right on an account or contract, or the administration right.",
        ),
    ];
    pairs.extend([
        (
            PeriodError::NotADate.to_string(),
            "The end date is not a valid date (dd/mm/yyyy).",
        ),
        (
            PeriodError::Past.to_string(),
            "The end date has passed: choose today or a day to come.",
        ),
        (
            PeriodError::TooFar.to_string(),
            "The end date is more than a year away: temporary rights cover an absence, no more.",
        ),
        (
            PeriodError::StartNotADate.to_string(),
            "The first day is not a valid date (dd/mm/yyyy).",
        ),
        (
            PeriodError::StartPast.to_string(),
            "The first day has passed: leave it empty for rights given at validation.",
        ),
        (
            PeriodError::StartWithoutEnd.to_string(),
            "Also give the last day: rights that start later have an end.",
        ),
        (
            PeriodError::StartAfterEnd.to_string(),
            "The first day is after the last day: check both dates.",
        ),
        (
            PeriodError::NothingAdded.to_string(),
            "Temporary rights must add at least one right on an account or contract, or change the end of current temporary rights: the administration right is not given for a time.",
        ),
    ]);
    for refusal in
        std::iter::once(Refusal::OwnRequest).chain(Lapse::ALL.into_iter().map(Refusal::Lapsed))
    {
        pairs.push((
            refusal.sentence_in(Lang::Fr).to_string(),
            refusal.sentence_in(Lang::En),
        ));
    }
    pairs.push((
        ReasonError::Missing.to_string(),
        "Give the reason for the rejection.",
    ));
    pairs.push((
        ReasonError::TooLong.to_string(),
        "The reason must not exceed 500 characters.",
    ));
    pairs.push((
        ReasonError::ControlCharacters.to_string(),
        "The reason contains characters that are not allowed.",
    ));
    for profile in Profile::ALL {
        pairs.push((
            AssignmentError::FixedProfileChanged(profile).to_string(),
            leak(format!(
                "The {} profile is given as it is: choose the preparer or approver profile, or custom rights, to remove rights.",
                profile.title_in(Lang::En)
            )),
        ));
        pairs.push((
            AssignmentError::BeyondProfile(profile).to_string(),
            leak(format!(
                "A ticked right is not part of the {} profile: untick it or choose custom rights.",
                profile.title_in(Lang::En)
            )),
        ));
    }
    pairs
}

/// Built once per process, for a handful of profiles: kept for the life of the table.
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn english() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        FIXED
            .iter()
            .map(|(fr, en)| ((*fr).to_string(), *en))
            .chain(validators())
            .collect()
    })
}

/// A message in `lang`: the French as written, or its English.
pub fn message(french: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => french.to_string(),
        Lang::En => english().get(french).map_or_else(
            || {
                tracing::warn!(message = french, "message without English");
                french.to_string()
            },
            |english| (*english).to_string(),
        ),
    }
}

/// An error answer in `lang` (the fixed variants are put into words by the browser).
pub fn localise(error: ApiError, lang: Lang) -> ApiError {
    match error {
        ApiError::Invalid { field, message: m } => ApiError::Invalid {
            field,
            message: message(&m, lang),
        },
        ApiError::Conflict(m) => ApiError::Conflict(message(&m, lang)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every French message literal of the flows has its English: read from the sources, so a
    /// message added without a translation fails here.
    #[test]
    fn every_message_of_the_flows_has_its_english() {
        let sources = [
            include_str!("flows/add_user.rs"),
            include_str!("flows/advisor.rs"),
            include_str!("flows/approval.rs"),
            include_str!("flows/enrol.rs"),
            include_str!("flows/first_login.rs"),
            include_str!("flows/journal.rs"),
            include_str!("flows/lifecycle.rs"),
            include_str!("flows/modify_rights.rs"),
            include_str!("flows/sca.rs"),
            include_str!("flows/sign_in.rs"),
            include_str!("flows/operations.rs"),
            include_str!("flows/review.rs"),
            include_str!("flows/users.rs"),
        ];
        let mut missing = Vec::new();
        for source in sources {
            for literal in source.split('"').skip(1).step_by(2) {
                // A message: a sentence that ends with a full stop and is not a log line.
                let sentence = literal.ends_with('.')
                    && literal.chars().next().is_some_and(char::is_uppercase)
                    && literal.contains(' ');
                let french = literal.chars().any(|c| "éèàùçêâîôÉÀ’".contains(c));
                if sentence && french && !english().contains_key(literal) {
                    missing.push(literal.to_string());
                }
            }
        }
        assert!(missing.is_empty(), "without English: {missing:#?}");
    }

    #[test]
    fn validators_and_fixed_messages_translate_and_french_stays_as_written() {
        for (french, _) in FIXED {
            assert_ne!(message(french, Lang::En), *french);
            assert_eq!(message(french, Lang::Fr), *french);
        }
        for (french, _) in validators() {
            assert_ne!(message(&french, Lang::En), french);
        }
        let error = localise(
            ApiError::invalid("email", EmailError::Invalid.to_string()),
            Lang::En,
        );
        assert!(error
            .to_string()
            .starts_with("This e-mail address is not valid"));
        assert_eq!(error.field(), Some("email"));
        assert_eq!(
            localise(ApiError::NotFound, Lang::En),
            ApiError::NotFound,
            "fixed variants are worded by the browser"
        );
    }
}
