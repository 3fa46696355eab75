//! Every text Habilis sends by e-mail or SMS, in one place.

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
    pub administrator: &'a str,
    pub entity: &'a str,
    pub login_id: &'a str,
    pub hours: i64,
    pub sign_in_url: &'a str,
    pub bank: &'a str,
}

/// The login id, by e-mail: the temporary password goes by SMS, never in the same channel.
pub fn credentials_email(c: &Credentials<'_>) -> Email {
    Email {
        subject: "Votre identifiant de banque en ligne".into(),
        body: format!(
            "Bonjour {first} {last},\n\n\
             {admin}, administrateur de l’espace de banque en ligne de {entity}, vous a ouvert un accès.\n\n\
             Votre identifiant : {login}\n\n\
             Votre mot de passe provisoire vous est envoyé séparément, par SMS. Il est valable {hours} heures et ne sert qu’une fois.\n\n\
             Lors de votre première connexion ({url}), vous choisirez votre mot de passe, puis vous enregistrerez votre moyen d’authentification forte.\n\n\
             {bank}",
            first = c.first_name,
            last = c.last_name,
            admin = c.administrator,
            entity = c.entity,
            login = c.login_id,
            hours = c.hours,
            url = c.sign_in_url,
            bank = c.bank,
        ),
    }
}

pub const TEMPORARY_PASSWORD_SUBJECT: &str = "Mot de passe provisoire";

/// The temporary password, by SMS. The text is a secret: sealed in the outbox, wiped once sent.
pub fn temporary_password_sms(bank: &str, password: &SecretString, hours: i64) -> SecretString {
    SecretString::from(format!(
        "{bank} : votre mot de passe provisoire est {} . Valable {hours} h, une seule fois. Ne le communiquez à personne.",
        password.expose_secret()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_id_and_the_password_never_share_a_channel() {
        let email = credentials_email(&Credentials {
            first_name: "Lucas",
            last_name: "MOREAU",
            administrator: "Sophie MARTIN",
            entity: "Atelier Lumière SAS",
            login_id: "3000000001",
            hours: 24,
            sign_in_url: "https://banque.example/connexion",
            bank: "Banque Exemple",
        });
        assert!(email.body.contains("Votre identifiant : 3000000001"));
        assert!(email.body.contains("par SMS"));
        let sms = temporary_password_sms("Banque Exemple", &SecretString::from("Abc"), 24);
        assert!(sms.expose_secret().contains("provisoire est Abc ."));
        assert!(!sms.expose_secret().contains("3000000001"));
    }
}
