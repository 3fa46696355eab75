//! Every text Habilis sends by e-mail or SMS, in one place, in French and in English (the
//! recipient's language).

use model::Lang;
use secrecy::{ExposeSecret, SecretString};

/// An e-mail's subject and body.
pub struct Email {
    pub subject: String,
    pub body: String,
}

/// What the credentials e-mail needs to say.
pub struct Credentials<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    /// Who did it: an administrator of the entity, or its advisor at the bank.
    pub administrator: &'a str,
    pub by_advisor: bool,
    pub entity: &'a str,
    pub login_id: &'a str,
    pub hours: i64,
    pub sign_in_url: &'a str,
    pub bank: &'a str,
    /// The one-time code asked with the new password at the first login.
    pub email_code: &'a str,
}

/// « de » before a name, elided before a vowel sound: « d’Atelier Lumière », « de Boulangerie ».
pub fn de(name: &str) -> String {
    let elides = name
        .chars()
        .next()
        .and_then(|c| c.to_lowercase().next())
        .is_some_and(|c| "aeiouyàâäéèêëîïôöùûüÿæœh".contains(c));
    if elides {
        format!("d’{name}")
    } else {
        format!("de {name}")
    }
}

/// Who did it, as the e-mails' sentences start: « Paul MARTIN, administrateur de l’espace de
/// banque en ligne d’Atelier Lumière, » or « Mme Claire DUBOIS, votre conseiller pour … , ».
fn who(c: &Credentials<'_>, lang: Lang) -> String {
    match (lang, c.by_advisor) {
        (Lang::Fr, true) => format!(
            "{}, votre conseiller pour l’espace de banque en ligne {},",
            c.administrator,
            de(c.entity)
        ),
        (Lang::Fr, false) => format!(
            "{}, administrateur de l’espace de banque en ligne {},",
            c.administrator,
            de(c.entity)
        ),
        (Lang::En, true) => format!(
            "{}, your advisor for {}’s online banking,",
            c.administrator, c.entity
        ),
        (Lang::En, false) => format!(
            "{}, administrator of {}’s online banking,",
            c.administrator, c.entity
        ),
    }
}

/// The advisor opens an access only to name the entity's administrator: the e-mail says so.
fn administrator_role(c: &Credentials<'_>, lang: Lang) -> &'static str {
    match (lang, c.by_advisor) {
        (_, false) => "",
        (Lang::Fr, true) => " Vous en êtes l’administrateur : vous y ajoutez les utilisateurs et leur donnez leurs droits.",
        (Lang::En, true) => " You are its administrator: you add its users and give them their rights.",
    }
}

/// A person already a user of another entity of their group, given access to one more: no new
/// credential (they keep their login id, password and factor), only the news.
pub fn entity_joined_email(c: &Credentials<'_>, lang: Lang) -> Email {
    match lang {
        Lang::Fr => Email {
            subject: format!("Nouvel accès : {}", c.entity),
            body: format!(
                "Bonjour {first} {last},\n\n\
                 {who} vous y a ouvert un accès.{role}\n\n\
                 Vous vous connectez comme d’habitude ({url}), avec votre identifiant {login}, votre mot de passe et votre moyen d’authentification forte, puis vous choisissez l’entité (« Changer d’entité »). Aucun nouveau mot de passe ne vous sera envoyé.\n\n\
                 Si vous ne connaissez pas cette entité, prévenez votre conseiller.\n\n\
                 {bank}",
                first = c.first_name,
                last = c.last_name,
                who = who(c, lang),
                role = administrator_role(c, lang),
                login = c.login_id,
                url = c.sign_in_url,
                bank = c.bank,
            ),
        },
        Lang::En => Email {
            subject: format!("New access: {}", c.entity),
            body: format!(
                "Hello {first} {last},\n\n\
                 {who} has opened an access for you there.{role}\n\n\
                 Sign in as usual ({url}), with your login id {login}, your password and your strong authentication method, then choose the entity (“Switch entity”). No new password will be sent to you.\n\n\
                 If you do not know this entity, tell your advisor.\n\n\
                 {bank}",
                first = c.first_name,
                last = c.last_name,
                who = who(c, lang),
                role = administrator_role(c, lang),
                login = c.login_id,
                url = c.sign_in_url,
                bank = c.bank,
            ),
        },
    }
}

/// The login id and the first-login code, by e-mail: the temporary password goes by SMS,
/// never in the same channel.
pub fn credentials_email(c: &Credentials<'_>, lang: Lang) -> Email {
    match lang {
        Lang::Fr => Email {
            subject: "Votre identifiant de banque en ligne".into(),
            body: format!(
                "Bonjour {first} {last},\n\n\
                 {who} vous a ouvert un accès.{role}\n\n\
                 Votre identifiant : {login}\n\n\
                 Votre code de première connexion : {code}\n\n\
                 Votre mot de passe provisoire vous est envoyé séparément, par SMS. Il est valable {hours} heures et ne sert qu’une fois.\n\n\
                 Lors de votre première connexion ({url}), vous saisirez ce code et choisirez votre mot de passe, puis vous enregistrerez votre moyen d’authentification forte. Ne communiquez ce code à personne.\n\n\
                 {bank}",
                first = c.first_name,
                last = c.last_name,
                who = who(c, lang),
                role = administrator_role(c, lang),
                code = c.email_code,
                login = c.login_id,
                hours = c.hours,
                url = c.sign_in_url,
                bank = c.bank,
            ),
        },
        Lang::En => Email {
            subject: "Your online banking login id".into(),
            body: format!(
                "Hello {first} {last},\n\n\
                 {who} has opened an access for you.{role}\n\n\
                 Your login id: {login}\n\n\
                 Your first sign-in code: {code}\n\n\
                 Your temporary password is sent to you separately, by SMS. It is valid for {hours} hours and works once.\n\n\
                 At your first sign-in ({url}), you will type this code and choose your password, then register your strong authentication method. Never share this code.\n\n\
                 {bank}",
                first = c.first_name,
                last = c.last_name,
                who = who(c, lang),
                role = administrator_role(c, lang),
                code = c.email_code,
                login = c.login_id,
                hours = c.hours,
                url = c.sign_in_url,
                bank = c.bank,
            ),
        },
    }
}

/// The login id and a new first-login code after an administrator reset the access (the new
/// temporary password goes by SMS).
pub fn access_reset_email(c: &Credentials<'_>, lang: Lang) -> Email {
    match lang {
        Lang::Fr => Email {
            subject: "Votre accès à la banque en ligne a été réinitialisé".into(),
            body: format!(
                "Bonjour {first} {last},\n\n\
                 {who} a réinitialisé votre accès : vos anciens mot de passe et moyens d’authentification forte ne fonctionnent plus.\n\n\
                 Votre identifiant : {login}\n\n\
                 Votre code de première connexion : {code}\n\n\
                 Votre nouveau mot de passe provisoire vous est envoyé séparément, par SMS. Il est valable {hours} heures et ne sert qu’une fois.\n\n\
                 Connectez-vous ({url}) : vous saisirez ce code, choisirez un nouveau mot de passe et enregistrerez un moyen d’authentification forte. Si vous n’avez rien demandé, prévenez votre conseiller.\n\n\
                 {bank}",
                first = c.first_name,
                last = c.last_name,
                who = who(c, lang),
                code = c.email_code,
                login = c.login_id,
                hours = c.hours,
                url = c.sign_in_url,
                bank = c.bank,
            ),
        },
        Lang::En => Email {
            subject: "Your online banking access was reset".into(),
            body: format!(
                "Hello {first} {last},\n\n\
                 {who} has reset your access: your former password and strong authentication methods no longer work.\n\n\
                 Your login id: {login}\n\n\
                 Your first sign-in code: {code}\n\n\
                 Your new temporary password is sent to you separately, by SMS. It is valid for {hours} hours and works once.\n\n\
                 Sign in ({url}): you will type this code, choose a new password and register a strong authentication method. If you asked for nothing, tell your advisor.\n\n\
                 {bank}",
                first = c.first_name,
                last = c.last_name,
                who = who(c, lang),
                code = c.email_code,
                login = c.login_id,
                hours = c.hours,
                url = c.sign_in_url,
                bank = c.bank,
            ),
        },
    }
}

/// Told to the user concerned when their access is suspended, reactivated or unblocked.
pub fn access_changed_email(bank: &str, kind: model::OperationKind, by: &str, lang: Lang) -> Email {
    use model::OperationKind as K;
    let (subject, sentence) = match (lang, kind) {
        (Lang::Fr, K::Suspend) => (
            "Votre accès à la banque en ligne est suspendu",
            format!("{by}, administrateur de votre entité, a suspendu votre accès à la banque en ligne : vous ne pouvez plus vous connecter. Vos droits sont conservés."),
        ),
        (Lang::Fr, K::Remove) => (
            "Votre accès à la banque en ligne est fermé",
            format!("{by}, administrateur de votre entité, vous a retiré des utilisateurs de la banque en ligne de votre entité : votre accès, vos droits et vos moyens d’authentification forte sont supprimés."),
        ),
        (Lang::Fr, K::Unblock) => (
            "Votre accès à la banque en ligne est débloqué",
            format!("{by}, administrateur de votre entité, a débloqué votre accès à la banque en ligne : vous pouvez à nouveau vous connecter."),
        ),
        (Lang::Fr, _) => (
            "Votre accès à la banque en ligne est réactivé",
            format!("{by}, administrateur de votre entité, a réactivé votre accès à la banque en ligne, avec les mêmes droits."),
        ),
        (Lang::En, K::Suspend) => (
            "Your online banking access is suspended",
            format!("{by}, administrator of your entity, has suspended your online banking access: you can no longer sign in. Your rights are kept."),
        ),
        (Lang::En, K::Remove) => (
            "Your online banking access is closed",
            format!("{by}, administrator of your entity, has removed you from your entity's online banking users: your access, your rights and your strong-authentication factors are deleted."),
        ),
        (Lang::En, K::Unblock) => (
            "Your online banking access is unblocked",
            format!("{by}, administrator of your entity, has unblocked your online banking access: you can sign in again."),
        ),
        (Lang::En, _) => (
            "Your online banking access is reactivated",
            format!("{by}, administrator of your entity, has reactivated your online banking access, with the same rights."),
        ),
    };
    from_administrator(bank, subject, &sentence, lang)
}

/// A message to a user about what an administrator of their entity did: the sentence, then
/// whom to ask.
fn from_administrator(bank: &str, subject: &str, sentence: &str, lang: Lang) -> Email {
    let (hello, ask) = lang.pick(
        (
            "Bonjour,",
            "Pour toute question, adressez-vous à lui ou à votre conseiller.",
        ),
        ("Hello,", "For any question, ask them or your advisor."),
    );
    Email {
        subject: subject.into(),
        body: format!("{hello}\n\n{sentence}\n\n{ask}\n\n{bank}"),
    }
}

/// Told to the user given or relieved of the auditor role.
pub fn auditor_role_email(bank: &str, auditor: bool, by: &str, lang: Lang) -> Email {
    let (subject, sentence) = match (lang, auditor) {
        (Lang::Fr, true) => (
            "Vous êtes auditeur de votre espace de banque en ligne",
            format!("{by}, administrateur de votre entité, vous a désigné auditeur : vous pouvez consulter, en lecture seule, le journal des opérations, le rapport des habilitations et les revues des accès."),
        ),
        (Lang::Fr, false) => (
            "Vous n’êtes plus auditeur de votre espace de banque en ligne",
            format!("{by}, administrateur de votre entité, vous a retiré le rôle d’auditeur : le journal des opérations, le rapport des habilitations et les revues des accès ne vous sont plus ouverts."),
        ),
        (Lang::En, true) => (
            "You are an auditor of your online banking space",
            format!("{by}, administrator of your entity, has made you an auditor: you can read, without changing anything, the journal of operations, the entitlement report and the access reviews."),
        ),
        (Lang::En, false) => (
            "You are no longer an auditor of your online banking space",
            format!("{by}, administrator of your entity, has taken away your auditor role: the journal of operations, the entitlement report and the access reviews are no longer open to you."),
        ),
    };
    from_administrator(bank, subject, &sentence, lang)
}

/// To a user whose rights changed: what they gain and lose, account by account.
pub fn rights_changed_email(
    bank: &str,
    by: &str,
    diff: &model::RightsDiff,
    period: Option<model::Period>,
    lang: Lang,
) -> Email {
    let mut lines: Vec<String> = diff
        .lines
        .iter()
        .map(|line| {
            let detail = if line.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", line.detail)
            };
            format!("- {}{detail} : {}", line.label, line.sentence_in(lang))
        })
        .collect();
    match diff.administration {
        Some(true) => lines.push(
            lang.pick(
                "- Vous recevez le droit d’administration de l’espace de votre entité.",
                "- You are given the right to administer your entity's space.",
            )
            .into(),
        ),
        Some(false) => lines.push(
            lang.pick(
                "- Vous n’avez plus le droit d’administration de l’espace de votre entité.",
                "- You no longer have the right to administer your entity's space.",
            )
            .into(),
        ),
        None => {}
    }
    if let Some(period) = period {
        lines.push(format!(
            "{} {}.",
            lang.pick(
                "- Les droits ajoutés sont temporaires :",
                "- The rights added are temporary:"
            ),
            period.phrase_in(lang)
        ));
    }
    let changes = lines.join("\n");
    match lang {
        Lang::Fr => Email {
            subject: "Vos droits sur la banque en ligne ont changé".into(),
            body: format!(
                "Bonjour,\n\n\
                 {by}, administrateur de votre entité, a modifié vos droits sur la banque en ligne. Ils s’appliquent dès maintenant :\n\n\
                 {changes}\n\n\
                 Pour toute question, adressez-vous à lui ou à votre conseiller.\n\n\
                 {bank}"
            ),
        },
        Lang::En => Email {
            subject: "Your online banking rights have changed".into(),
            body: format!(
                "Hello,\n\n\
                 {by}, administrator of your entity, has changed your online banking rights. They apply now:\n\n\
                 {changes}\n\n\
                 For any question, ask them or your advisor.\n\n\
                 {bank}"
            ),
        },
    }
}

/// The notice every other administrator of the entity receives for an administration operation.
pub fn administration_notice(
    bank: &str,
    kind: model::OperationKind,
    user: &str,
    by: &str,
    lang: Lang,
) -> Email {
    let what = kind.label_in(lang);
    match lang {
        Lang::Fr => Email {
            subject: format!("Administration de votre espace : {what}"),
            body: format!(
                "Bonjour,\n\n\
                 Pour information, {by} a validé une opération d’administration : {what} ({user}).\n\n\
                 Le détail figure dans la gestion des utilisateurs. Si cette opération vous surprend, prévenez votre conseiller.\n\n\
                 {bank}"
            ),
        },
        Lang::En => Email {
            subject: format!("Administration of your space: {what}"),
            body: format!(
                "Hello,\n\n\
                 For your information, {by} has validated an administration operation: {what} ({user}).\n\n\
                 The details are in user management. If this operation surprises you, tell your advisor.\n\n\
                 {bank}"
            ),
        },
    }
}

/// Told at once when five wrong passwords lock password sign-in: if it was not the user, they
/// know someone is trying.
pub fn password_locked_email(bank: &str, minutes: i64, lang: Lang) -> Email {
    match lang {
        Lang::Fr => Email {
            subject: "Connexion temporairement verrouillée".into(),
            body: format!(
                "Bonjour,\n\n\
                 Cinq mots de passe erronés ont été saisis à la suite pour votre identifiant : la connexion par mot de passe est verrouillée pendant {minutes} minutes.\n\n\
                 Si ce n’était pas vous, prévenez l’administrateur de votre entité ou votre conseiller.\n\n\
                 {bank}"
            ),
        },
        Lang::En => Email {
            subject: "Sign-in temporarily locked".into(),
            body: format!(
                "Hello,\n\n\
                 Five wrong passwords in a row were typed for your login id: password sign-in is locked for {minutes} minutes.\n\n\
                 If it was not you, tell your entity’s administrator or your advisor.\n\n\
                 {bank}"
            ),
        },
    }
}

/// A strong-authentication factor, as messages name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor {
    Passkey,
    AuthenticatorApp,
}

impl Factor {
    fn name(self, lang: Lang) -> &'static str {
        match self {
            Factor::Passkey => lang.pick("clé d’accès", "passkey"),
            Factor::AuthenticatorApp => lang.pick(
                "application d’authentification",
                "authenticator application",
            ),
        }
    }
}

/// Told whenever a strong-authentication factor is added to an account.
pub fn factor_added_email(bank: &str, factor: Factor, lang: Lang) -> Email {
    let factor = factor.name(lang);
    match lang {
        Lang::Fr => Email {
            subject: "Moyen d’authentification forte modifié".into(),
            body: format!(
                "Bonjour,\n\n\
                 Un moyen d’authentification forte ({factor}) vient d’être ajouté à votre accès à la banque en ligne.\n\n\
                 Si ce n’était pas vous, prévenez sans attendre l’administrateur de votre entité ou votre conseiller.\n\n\
                 {bank}"
            ),
        },
        Lang::En => Email {
            subject: "Strong authentication method changed".into(),
            body: format!(
                "Hello,\n\n\
                 A strong authentication method ({factor}) has just been added to your online banking access.\n\n\
                 If it was not you, tell your entity’s administrator or your advisor at once.\n\n\
                 {bank}"
            ),
        },
    }
}

pub fn temporary_password_subject(lang: Lang) -> &'static str {
    lang.pick("Mot de passe provisoire", "Temporary password")
}

/// The temporary password, by SMS. The text is a secret: sealed in the outbox, wiped once sent.
pub fn temporary_password_sms(
    bank: &str,
    password: &SecretString,
    hours: i64,
    lang: Lang,
) -> SecretString {
    let password = password.expose_secret();
    SecretString::from(match lang {
        Lang::Fr => format!(
            "{bank} : votre mot de passe provisoire est {password} . Valable {hours} h, une seule fois. Ne le communiquez à personne."
        ),
        Lang::En => format!(
            "{bank}: your temporary password is {password} . Valid {hours} h, once. Never share it."
        ),
    })
}

/// Double validation: told to the entity's other administrators when an operation awaits their
/// approval.
pub fn approval_requested_email(
    bank: &str,
    kind: model::OperationKind,
    about: &str,
    by: &str,
    url: &str,
    lang: Lang,
) -> Email {
    let what = kind.label_in(lang);
    match lang {
        Lang::Fr => Email {
            subject: format!("Opération à valider : {what}"),
            body: format!(
                "Bonjour,\n\n\
                 {by} a préparé et signé une opération d’administration qui attend la validation d’un autre administrateur : {what} ({about}).\n\n\
                 Pour la lire, la valider ou la refuser : {url}\n\
                 Sans décision sous 72 heures, elle devient caduque.\n\n\
                 {bank}"
            ),
        },
        Lang::En => Email {
            subject: format!("Operation to approve: {what}"),
            body: format!(
                "Hello,\n\n\
                 {by} has prepared and signed an administration operation that awaits another administrator's approval: {what} ({about}).\n\n\
                 To read it, approve it or reject it: {url}\n\
                 Without a decision within 72 hours, it becomes void.\n\n\
                 {bank}"
            ),
        },
    }
}

/// Double validation: told to the author when a second administrator decided their request
/// (`reason`: rejected, with the reason given; none: approved and applied).
pub fn approval_decided_email(
    bank: &str,
    kind: model::OperationKind,
    about: &str,
    by: &str,
    reason: Option<&str>,
    lang: Lang,
) -> Email {
    let what = kind.label_in(lang);
    match (lang, reason) {
        (Lang::Fr, None) => Email {
            subject: format!("Opération validée : {what}"),
            body: format!(
                "Bonjour,\n\n\
                 {by} a validé votre demande : {what} ({about}). Elle est appliquée.\n\n\
                 {bank}"
            ),
        },
        (Lang::Fr, Some(reason)) => Email {
            subject: format!("Opération refusée : {what}"),
            body: format!(
                "Bonjour,\n\n\
                 {by} a refusé votre demande : {what} ({about}). Rien n’a été modifié.\n\n\
                 Motif : {reason}\n\n\
                 {bank}"
            ),
        },
        (Lang::En, None) => Email {
            subject: format!("Operation approved: {what}"),
            body: format!(
                "Hello,\n\n\
                 {by} approved your request: {what} ({about}). It is applied.\n\n\
                 {bank}"
            ),
        },
        (Lang::En, Some(reason)) => Email {
            subject: format!("Operation rejected: {what}"),
            body: format!(
                "Hello,\n\n\
                 {by} rejected your request: {what} ({about}). Nothing was changed.\n\n\
                 Reason: {reason}\n\n\
                 {bank}"
            ),
        },
    }
}

/// When « Droits temporaires » are told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// Their first day has come: given.
    Started,
    /// Three days before their end.
    Reminder,
    /// Their last day is over: removed.
    Ended,
}

/// « Droits temporaires » at a [`Moment`]: to the user (`user` is `None`) or to an
/// administrator about the user named. `lines` list the levels, one per line, with their last
/// day.
pub fn temporary_rights_email(
    bank: &str,
    moment: Moment,
    user: Option<&str>,
    lines: &[String],
    lang: Lang,
) -> Email {
    let list = lines
        .iter()
        .map(|line| format!("- {line}"))
        .collect::<Vec<_>>()
        .join("\n");
    match (lang, moment, user) {
        (Lang::Fr, Moment::Started, None) => Email {
            subject: "Vos droits temporaires commencent".into(),
            body: format!(
                "Bonjour,\n\nLes droits temporaires qui vous ont été donnés sur la banque en ligne commencent aujourd’hui ; ils vous seront retirés automatiquement après leur dernier jour :\n\n{list}\n\nPour toute question, adressez-vous à l’administrateur de votre entité.\n\n{bank}"
            ),
        },
        (Lang::Fr, Moment::Started, Some(name)) => Email {
            subject: format!("Début des droits temporaires de {name}"),
            body: format!(
                "Bonjour,\n\nPour information, les droits temporaires de {name} commencent aujourd’hui ; ils lui seront retirés automatiquement après leur dernier jour :\n\n{list}\n\nLe détail figure dans le journal des opérations.\n\n{bank}"
            ),
        },
        (Lang::En, Moment::Started, None) => Email {
            subject: "Your temporary rights start".into(),
            body: format!(
                "Hello,\n\nThe temporary online banking rights you were given start today; they will be removed automatically after their last day:\n\n{list}\n\nFor any question, ask your entity's administrator.\n\n{bank}"
            ),
        },
        (Lang::En, Moment::Started, Some(name)) => Email {
            subject: format!("Start of {name}'s temporary rights"),
            body: format!(
                "Hello,\n\nFor your information, {name}'s temporary rights start today; they will be removed automatically after their last day:\n\n{list}\n\nThe details are in the operations log.\n\n{bank}"
            ),
        },
        (Lang::Fr, Moment::Ended, None) => Email {
            subject: "Vos droits temporaires ont pris fin".into(),
            body: format!(
                "Bonjour,\n\nLes droits temporaires qui vous avaient été donnés sur la banque en ligne ont pris fin ; ils vous ont été retirés automatiquement :\n\n{list}\n\nVos autres droits ne changent pas. Pour toute question, adressez-vous à l’administrateur de votre entité.\n\n{bank}"
            ),
        },
        (Lang::Fr, Moment::Ended, Some(name)) => Email {
            subject: format!("Fin des droits temporaires de {name}"),
            body: format!(
                "Bonjour,\n\nPour information, les droits temporaires de {name} ont pris fin et lui ont été retirés automatiquement :\n\n{list}\n\nLe détail figure dans le journal des opérations.\n\n{bank}"
            ),
        },
        (Lang::Fr, Moment::Reminder, None) => Email {
            subject: "Vos droits temporaires prennent fin bientôt".into(),
            body: format!(
                "Bonjour,\n\nLes droits temporaires qui vous ont été donnés sur la banque en ligne prennent fin bientôt ; ils vous seront retirés automatiquement :\n\n{list}\n\nS’ils doivent durer davantage, adressez-vous à l’administrateur de votre entité.\n\n{bank}"
            ),
        },
        (Lang::Fr, Moment::Reminder, Some(name)) => Email {
            subject: format!("Droits temporaires de {name} : fin dans trois jours"),
            body: format!(
                "Bonjour,\n\nLes droits temporaires de {name} prennent fin bientôt ; ils lui seront retirés automatiquement :\n\n{list}\n\nS’ils doivent durer davantage, modifiez ses droits en indiquant une nouvelle date de fin, depuis la gestion des utilisateurs.\n\n{bank}"
            ),
        },
        (Lang::En, Moment::Ended, None) => Email {
            subject: "Your temporary rights have ended".into(),
            body: format!(
                "Hello,\n\nThe temporary online banking rights you were given have ended; they were removed automatically:\n\n{list}\n\nYour other rights do not change. For any question, ask your entity's administrator.\n\n{bank}"
            ),
        },
        (Lang::En, Moment::Ended, Some(name)) => Email {
            subject: format!("End of {name}'s temporary rights"),
            body: format!(
                "Hello,\n\nFor your information, {name}'s temporary rights have ended and were removed automatically:\n\n{list}\n\nThe details are in the operations log.\n\n{bank}"
            ),
        },
        (Lang::En, Moment::Reminder, None) => Email {
            subject: "Your temporary rights end soon".into(),
            body: format!(
                "Hello,\n\nThe temporary online banking rights you were given end soon; they will be removed automatically:\n\n{list}\n\nIf they must last longer, ask your entity's administrator.\n\n{bank}"
            ),
        },
        (Lang::En, Moment::Reminder, Some(name)) => Email {
            subject: format!("{name}'s temporary rights: ending in three days"),
            body: format!(
                "Hello,\n\n{name}'s temporary rights end soon; they will be removed automatically:\n\n{list}\n\nIf they must last longer, change their rights with a new end date, from user management.\n\n{bank}"
            ),
        },
    }
}

/// Told to the entity's administrators when the bank closes an account or a contract: the
/// users who held rights on it no longer do.
pub fn closure_notice(bank: &str, what: &str, label: &str, users: usize, lang: Lang) -> Email {
    match lang {
        Lang::Fr => {
            let (thing, closed) = if what == "compte" {
                ("Le compte", "clôturé")
            } else {
                ("Le contrat", "clôturé")
            };
            let who = match users {
                0 => "Aucun utilisateur n’avait de droits dessus.".to_string(),
                1 => "L’utilisateur qui avait des droits dessus ne les a plus.".to_string(),
                n => format!("Les {n} utilisateurs qui avaient des droits dessus ne les ont plus."),
            };
            Email {
                subject: format!("{thing} « {label} » a été {closed}"),
                body: format!(
                    "Bonjour,\n\n\
                     Pour information, la banque a {closed} {} « {label} ». {who}\n\n\
                     Le journal des opérations en garde la trace. Pour toute question, contactez votre conseiller.\n\n\
                     {bank}",
                    thing.to_lowercase()
                ),
            }
        }
        Lang::En => {
            let thing = if what == "compte" {
                "account"
            } else {
                "contract"
            };
            let who = match users {
                0 => "No user had rights on it.".to_string(),
                1 => "The user who had rights on it no longer has them.".to_string(),
                n => format!("The {n} users who had rights on it no longer have them."),
            };
            Email {
                subject: format!("The {thing} “{label}” has been closed"),
                body: format!(
                    "Hello,\n\n\
                     For your information, the bank has closed the {thing} “{label}”. {who}\n\n\
                     The operations journal keeps a record of it. For any question, contact your advisor.\n\n\
                     {bank}"
                ),
            }
        }
    }
}

/// What an advisor did for the entity, told to its administrators.
pub enum AdvisorAction {
    /// A person registered, now offered in « Ajouter un utilisateur » (their name).
    PersonRegistered(String),
    /// A blocked user unblocked (their name).
    UserUnblocked(String),
    /// A user named the entity's administrator, none being left (told to them).
    AdministratorNamed(String),
    /// Someone named the entity's administrator by the advisor (their name), told to every
    /// administrator on record — blocked, suspended or awaiting their first login included —
    /// so that a naming nobody at the entity asked for does not go unnoticed.
    NewAdministratorNamed(String),
    /// A registered person's identity or contact corrected (their name).
    PersonCorrected(String),
    /// A registered person withdrawn: no longer offered (their name).
    PersonWithdrawn(String),
    /// A user's access reset: new credentials sent to them (their name).
    AccessReset(String),
}

pub fn advisor_action_notice(
    bank: &str,
    advisor: &str,
    action: &AdvisorAction,
    lang: Lang,
) -> Email {
    match lang {
        Lang::Fr => {
            let (subject, done) = match action {
                AdvisorAction::PersonRegistered(name) => (
                    format!("Votre conseiller a enregistré {name}"),
                    format!("{advisor}, votre conseiller, a enregistré {name}. Vous pouvez maintenant l’ajouter comme utilisateur (« Ajouter un utilisateur »)."),
                ),
                AdvisorAction::UserUnblocked(name) => (
                    format!("Votre conseiller a débloqué {name}"),
                    format!("{advisor}, votre conseiller, a débloqué l’accès de {name}, bloqué après 5 échecs d’authentification forte."),
                ),
                AdvisorAction::PersonCorrected(name) => (
                    format!("Votre conseiller a corrigé les données de {name}"),
                    format!("{advisor}, votre conseiller, a corrigé l’identité ou les coordonnées de {name}, personne enregistrée pour votre entité."),
                ),
                AdvisorAction::PersonWithdrawn(name) => (
                    format!("Votre conseiller a retiré {name}"),
                    format!("{advisor}, votre conseiller, a retiré {name} des personnes enregistrées : elle ne vous est plus proposée dans « Ajouter un utilisateur »."),
                ),
                AdvisorAction::AccessReset(name) => (
                    format!("Votre conseiller a réinitialisé l’accès de {name}"),
                    format!("{advisor}, votre conseiller, a réinitialisé l’accès de {name} : un nouvel identifiant lui a été rappelé par e-mail et un mot de passe provisoire envoyé par SMS ; ses anciens mot de passe et moyens d’authentification forte ne fonctionnent plus."),
                ),
                AdvisorAction::AdministratorNamed(name) => (
                    "Vous êtes administrateur de votre entité".to_string(),
                    format!("{name}, votre entité n’avait plus d’administrateur actif : {advisor}, votre conseiller, vous a donné le droit d’administration. Vous pouvez gérer les utilisateurs depuis « Gestion des utilisateurs »."),
                ),
                AdvisorAction::NewAdministratorNamed(name) => (
                    format!("Votre conseiller a nommé {name} administrateur"),
                    format!("{advisor}, votre conseiller, a nommé {name} administrateur de votre entité, qui n’avait plus d’administrateur en mesure d’agir. Si vous ne l’avez pas demandé, contactez votre agence sans attendre."),
                ),
            };
            Email {
                subject,
                body: format!(
                    "Bonjour,\n\n{done}\n\n\
                     Le journal des opérations en garde la trace. Si cette opération vous surprend, contactez votre agence.\n\n\
                     {bank}"
                ),
            }
        }
        Lang::En => {
            let (subject, done) = match action {
                AdvisorAction::PersonRegistered(name) => (
                    format!("Your advisor has registered {name}"),
                    format!("{advisor}, your advisor, has registered {name}. You can now add them as a user (“Add a user”)."),
                ),
                AdvisorAction::UserUnblocked(name) => (
                    format!("Your advisor has unblocked {name}"),
                    format!("{advisor}, your advisor, has unblocked the access of {name}, blocked after 5 failed strong authentications."),
                ),
                AdvisorAction::PersonCorrected(name) => (
                    format!("Your advisor has corrected the data of {name}"),
                    format!("{advisor}, your advisor, has corrected the identity or contact details of {name}, a person registered for your entity."),
                ),
                AdvisorAction::PersonWithdrawn(name) => (
                    format!("Your advisor has withdrawn {name}"),
                    format!("{advisor}, your advisor, has withdrawn {name} from the registered persons: they are no longer offered in “Add a user”."),
                ),
                AdvisorAction::AccessReset(name) => (
                    format!("Your advisor has reset the access of {name}"),
                    format!("{advisor}, your advisor, has reset the access of {name}: their login id was sent again by e-mail and a temporary password by SMS; their former password and strong authentication methods no longer work."),
                ),
                AdvisorAction::AdministratorNamed(name) => (
                    "You are an administrator of your entity".to_string(),
                    format!("{name}, your entity had no active administrator left: {advisor}, your advisor, has given you the administration right. You can manage users from “User management”."),
                ),
                AdvisorAction::NewAdministratorNamed(name) => (
                    format!("Your advisor has named {name} administrator"),
                    format!("{advisor}, your advisor, has named {name} administrator of your entity, which had no administrator able to act left. If you did not ask for it, contact your branch at once."),
                ),
            };
            Email {
                subject,
                body: format!(
                    "Hello,\n\n{done}\n\n\
                     The operations journal keeps a record of it. If this surprises you, contact your branch.\n\n\
                     {bank}"
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_id_and_the_password_never_share_a_channel() {
        let credentials = Credentials {
            first_name: "Lucas",
            last_name: "MOREAU",
            administrator: "Sophie MARTIN",
            by_advisor: false,
            entity: "Atelier Lumière SAS",
            login_id: "3000000001",
            hours: 24,
            sign_in_url: "https://banque.example/connexion",
            bank: "Banque Exemple",
            email_code: "1234 5678",
        };
        let email = credentials_email(&credentials, Lang::Fr);
        assert!(email.body.contains("Votre identifiant : 3000000001"));
        assert!(email
            .body
            .contains("Votre code de première connexion : 1234 5678"));
        assert!(
            email.body.contains("en ligne d’Atelier Lumière SAS"),
            "elided"
        );
        assert!(email.body.contains("par SMS"));
        let english = credentials_email(&credentials, Lang::En);
        assert!(english.body.contains("Your login id: 3000000001"));
        assert!(english.body.contains("Your first sign-in code: 1234 5678"));
        let sms =
            temporary_password_sms("Banque Exemple", &SecretString::from("Abc"), 24, Lang::Fr);
        let sms_en =
            temporary_password_sms("Banque Exemple", &SecretString::from("Abc"), 24, Lang::En);
        assert!(sms_en
            .expose_secret()
            .contains("temporary password is Abc ."));
        assert!(sms.expose_secret().contains("provisoire est Abc ."));
        assert!(!sms.expose_secret().contains("3000000001"));
        assert!(!sms.expose_secret().contains("1234"));
    }

    #[test]
    fn a_reset_names_who_did_it_an_administrator_or_the_advisor() {
        let mut credentials = Credentials {
            first_name: "Lucas",
            last_name: "MOREAU",
            administrator: "Sophie MARTIN",
            by_advisor: false,
            entity: "Atelier Lumière SAS",
            login_id: "3000000001",
            hours: 24,
            sign_in_url: "https://banque.example/connexion",
            bank: "Banque Exemple",
            email_code: "1234 5678",
        };
        let by_administrator = access_reset_email(&credentials, Lang::Fr);
        assert!(by_administrator.body.contains(
            "Sophie MARTIN, administrateur de l’espace de banque en ligne d’Atelier Lumière SAS, a réinitialisé"
        ));
        credentials.administrator = "Mme Claire DUBOIS";
        credentials.by_advisor = true;
        let by_advisor = access_reset_email(&credentials, Lang::Fr);
        assert!(by_advisor.body.contains(
            "Mme Claire DUBOIS, votre conseiller pour l’espace de banque en ligne d’Atelier Lumière SAS, a réinitialisé"
        ));
        assert!(!by_advisor.body.contains("administrateur"));
        assert!(access_reset_email(&credentials, Lang::En).body.contains(
            "Mme Claire DUBOIS, your advisor for Atelier Lumière SAS’s online banking, has reset"
        ));
    }

    #[test]
    fn a_first_administrator_named_by_the_advisor_is_told_who_and_why() {
        let credentials = Credentials {
            first_name: "Inès",
            last_name: "FAURE",
            administrator: "Mme Claire DUBOIS",
            by_advisor: true,
            entity: "Boulangerie Durand",
            login_id: "3000000002",
            hours: 24,
            sign_in_url: "https://banque.example/connexion",
            bank: "Banque Exemple",
            email_code: "1234 5678",
        };
        let email = credentials_email(&credentials, Lang::Fr);
        assert!(email.body.contains(
            "Mme Claire DUBOIS, votre conseiller pour l’espace de banque en ligne de Boulangerie Durand, vous a ouvert un accès. Vous en êtes l’administrateur"
        ));
        assert!(email.body.contains("Votre identifiant : 3000000002"));
        let joined = entity_joined_email(&credentials, Lang::En);
        assert!(joined.body.contains(
            "Mme Claire DUBOIS, your advisor for Boulangerie Durand’s online banking, has opened an access for you there. You are its administrator"
        ));
        let by_administrator = Credentials {
            by_advisor: false,
            administrator: "Sophie MARTIN",
            ..credentials
        };
        assert!(!credentials_email(&by_administrator, Lang::Fr)
            .body
            .contains("Vous en êtes l’administrateur"));
    }

    #[test]
    fn de_is_elided_before_a_vowel_sound() {
        assert_eq!(de("Atelier"), "d’Atelier");
        assert_eq!(de("Éditions Rive"), "d’Éditions Rive");
        assert_eq!(de("Hôtel du Port"), "d’Hôtel du Port");
        assert_eq!(de("Boulangerie Durand"), "de Boulangerie Durand");
    }
}
