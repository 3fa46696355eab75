//! Demo data for local use: seeded into an empty database when the server runs in local mode.
//! Every demo user is marked `is_demo`, and production mode refuses them at sign-in.
//!
//! The README documents these accounts; tests sign in with them.

use super::security::crypto::{CryptoError, SecretBox};
use super::security::password::{self, HashError};
use super::security::totp::base32_decode;
use super::store::entities::{self, Advisor, EntityKind};
use super::store::persons::{self, Person as PersonRow};
use super::store::rights::{self, Grant};
use super::store::users;
use super::store::{now, Db};
use model::{Account, Contract, ContractKind, Levels, Origin, Profile, ResourceRef, Rights};
use secrecy::SecretString;
use sqlx::AnyConnection;

/// Why the demo data could not be seeded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("a demo TOTP secret is not base32")]
    Secret,
    #[error("no user has this login id")]
    UnknownUser,
}

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "Atelier-Lumiere-2026";

/// A demo advisor of the bank (« Espace conseiller »): the same password as the demo users.
pub struct DemoAdvisor {
    /// The bank's reference (as its systems' import names them).
    pub reference: &'static str,
    pub login_id: &'static str,
    /// Base32, to type into an authenticator application.
    pub totp_secret: &'static str,
}

/// The advisor of Atelier Lumière.
pub const CLAIRE_DUBOIS: DemoAdvisor = DemoAdvisor {
    reference: "CONS-0001",
    login_id: "claire.dubois",
    totp_secret: "V7KA7UKUDXMXDB54TBMMJOKR7CSB2HSX",
};

/// The advisor of the association Les Jardins Partagés.
pub const KARIM_BENALI: DemoAdvisor = DemoAdvisor {
    reference: "CONS-0002",
    login_id: "karim.benali",
    totp_secret: "LNQU76SZDD2BGKRTMNVH77V43F6ODQAF",
};

pub struct DemoUser {
    pub login_id: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    /// Base32, to type into an authenticator application.
    pub totp_secret: &'static str,
}

pub const SOPHIE_MARTIN: DemoUser = DemoUser {
    login_id: "1000000001",
    first_name: "Sophie",
    last_name: "MARTIN",
    totp_secret: "KBH6P45B6AWXPGBC3MXS6YQLNFFQCQB4",
};
pub const JULIEN_BERNARD: DemoUser = DemoUser {
    login_id: "1000000002",
    first_name: "Julien",
    last_name: "BERNARD",
    totp_secret: "XIT6XIRRXG4NUVCBFLNA6QBS2KOB6KGO",
};
pub const NADIA_PETIT: DemoUser = DemoUser {
    login_id: "1000000003",
    first_name: "Nadia",
    last_name: "PETIT",
    totp_secret: "PJ2EW2M2BAJT2SSDHMSQZYEATS6IUUYI",
};
/// Atelier Lumière's second administrator (the double validation needs two).
pub const THOMAS_GARNIER: DemoUser = DemoUser {
    login_id: "1000000004",
    first_name: "Thomas",
    last_name: "GARNIER",
    totp_secret: "6VGNKYLLJ5S6DBIJV22TLVKQB7ASQX4Y",
};
pub const PAUL_LEFEVRE: DemoUser = DemoUser {
    login_id: "2000000001",
    first_name: "Paul",
    last_name: "LEFÈVRE",
    totp_secret: "YQGFRRSWQDS2I325FW2KNEM726GEE6U5",
};
pub const LEA_ROUX: DemoUser = DemoUser {
    login_id: "2000000002",
    first_name: "Léa",
    last_name: "ROUX",
    totp_secret: "OMDVGQJ2GLDPMZCHS22NQGAK6WODNIXS",
};

struct Person<'a> {
    first_name: &'a str,
    last_name: &'a str,
    birth_date: &'a str,
    phone: &'a str,
    email: Option<&'a str>,
}

/// Seeds the demo entities when the database has none. Returns whether it did.
pub async fn seed_if_empty(db: &Db, secrets: &SecretBox) -> Result<bool, SeedError> {
    let mut tx = db.begin_write().await?;
    if entities::any_exists(&mut tx).await? {
        return Ok(false);
    }
    // One hash for all demo users: they share the documented password.
    let hash = password::hash(SecretString::from(DEMO_PASSWORD)).await?;
    let seed = Seed {
        secrets,
        password_hash: &hash,
    };
    seed.atelier_lumiere(&mut tx).await?;
    seed.jardins_partages(&mut tx).await?;
    tx.commit().await?;
    Ok(true)
}

struct Seed<'a> {
    secrets: &'a SecretBox,
    password_hash: &'a str,
}

impl Seed<'_> {
    /// The demo advisor's sign-in: the demo password and their authenticator secret.
    async fn advisor_credentials(
        &self,
        conn: &mut AnyConnection,
        demo: &DemoAdvisor,
    ) -> Result<(), SeedError> {
        let secret = base32_decode(demo.totp_secret).ok_or(SeedError::Secret)?;
        let sealed = self.secrets.seal("totp", &secret)?;
        crate::backend::store::advisors::set_credentials(
            conn,
            demo.reference,
            demo.login_id,
            self.password_hash,
            &sealed,
        )
        .await?;
        Ok(())
    }
}

fn advisor(
    civility: &str,
    first: &str,
    last: &str,
    agency: &str,
    phone: &str,
    email: &str,
) -> Advisor {
    Advisor {
        civility: civility.into(),
        first_name: first.into(),
        last_name: last.into(),
        agency: agency.into(),
        phone: phone.into(),
        email: email.into(),
    }
}

async fn insert_accounts(
    conn: &mut AnyConnection,
    entity: i64,
    accounts: &[(&str, &str, &str)],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::new();
    for (position, (label, iban, currency)) in accounts.iter().enumerate() {
        let account = Account {
            id: 0,
            label: (*label).into(),
            iban: (*iban).into(),
            currency: (*currency).into(),
        };
        ids.push(entities::insert_account(conn, entity, &account, position as i64).await?);
    }
    Ok(ids)
}

async fn insert_contracts(
    conn: &mut AnyConnection,
    entity: i64,
    contracts: &[(ContractKind, &str, &str)],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::new();
    for (position, (kind, label, reference)) in contracts.iter().enumerate() {
        let contract = Contract {
            id: 0,
            kind: *kind,
            label: (*label).into(),
            reference: (*reference).into(),
        };
        ids.push(entities::insert_contract(conn, entity, &contract, position as i64).await?);
    }
    Ok(ids)
}

async fn insert_person(
    conn: &mut AnyConnection,
    entity: i64,
    advisor: i64,
    person: &Person<'_>,
) -> Result<i64, sqlx::Error> {
    let row = PersonRow {
        id: 0,
        first_name: person.first_name.into(),
        last_name: person.last_name.into(),
        birth_date: person.birth_date.into(),
        phone: person.phone.into(),
        email: person.email.map(str::to_string),
    };
    persons::insert(conn, entity, advisor, &row, now()).await
}

async fn insert_profile_rights(
    conn: &mut AnyConnection,
    entity: i64,
    user: i64,
    rights: &Rights,
    profile: Profile,
) -> Result<(), sqlx::Error> {
    rights::insert_all(
        conn,
        entity,
        user,
        rights,
        |_, _| Origin::Profile(profile),
        &Grant {
            operation_id: None,
            granted_at: now(),
            granted_by: None,
            ends_at: None,
        },
    )
    .await
}

impl Seed<'_> {
    async fn atelier_lumiere(&self, conn: &mut AnyConnection) -> Result<(), SeedError> {
        let advisor = entities::insert_imported_advisor(
            conn,
            CLAIRE_DUBOIS.reference,
            &advisor(
                "Mme",
                "Claire",
                "DUBOIS",
                "Agence Entreprises Lyon Part-Dieu",
                "+33472000101",
                "claire.dubois@banque-exemple.fr",
            ),
        )
        .await?;
        self.advisor_credentials(conn, &CLAIRE_DUBOIS).await?;
        let entity = entities::insert(
            conn,
            "Atelier Lumière SAS",
            EntityKind::Company,
            "812345676",
            advisor,
            now(),
        )
        .await?;
        let accounts = insert_accounts(
            conn,
            entity,
            &[
                (
                    "Compte courant principal",
                    "FR7610207000450402123456745",
                    "EUR",
                ),
                ("Compte courant paie", "FR7610207000450402123456842", "EUR"),
                ("Compte en dollars US", "FR7610207000450402765432136", "USD"),
                ("Compte à terme", "FR7610207000450801112223383", "EUR"),
                ("Compte de réserve", "FR7610207000450402999887732", "EUR"),
                ("Compte chantiers", "FR7610207000450402555444305", "EUR"),
            ],
        )
        .await?;
        let contracts = insert_contracts(
            conn,
            entity,
            &[
                (
                    ContractKind::VirementsSepa,
                    "Virements SEPA",
                    "VIR-SEPA-0001",
                ),
                (
                    ContractKind::VirementsInternationaux,
                    "Virements internationaux",
                    "VIR-INT-0001",
                ),
                (
                    ContractKind::PrelevementsSepa,
                    "Prélèvements SEPA (émission)",
                    "PRL-FR12ZZZ123456",
                ),
                (ContractKind::EffetsDeCommerce, "Remises LCR", "LCR-0001"),
                (ContractKind::Cartes, "Cartes affaires", "CB-AFF-0001"),
                (ContractKind::Titres, "Compte-titres", "TIT-0001"),
                (
                    ContractKind::EchangeDeFichiers,
                    "Échange de fichiers EBICS",
                    "EBICS-T-0001",
                ),
                (
                    ContractKind::RemisesDeCheques,
                    "Remises de chèques",
                    "CHQ-0001",
                ),
            ],
        )
        .await?;
        let resources: Vec<ResourceRef> = accounts
            .iter()
            .map(|id| ResourceRef::Account(*id))
            .chain(contracts.iter().map(|id| ResourceRef::Contract(*id)))
            .collect();
        let everything = |levels: Levels| {
            let mut rights = Rights::new();
            for resource in &resources {
                rights.set_levels(*resource, levels);
            }
            rights
        };

        let sophie = self
            .user(
                conn,
                entity,
                advisor,
                &SOPHIE_MARTIN,
                "1978-05-21",
                "+33612345601",
                "sophie.martin@atelier-lumiere.fr",
                true,
            )
            .await?;
        insert_profile_rights(
            conn,
            entity,
            sophie,
            &everything(Levels::ALL),
            Profile::Dirigeant,
        )
        .await?;

        let julien = self
            .user(
                conn,
                entity,
                advisor,
                &JULIEN_BERNARD,
                "1985-11-03",
                "+33612345602",
                "julien.bernard@atelier-lumiere.fr",
                false,
            )
            .await?;
        insert_profile_rights(
            conn,
            entity,
            julien,
            &everything(Levels::CONSULTATION),
            Profile::Comptable,
        )
        .await?;

        let nadia = self
            .user(
                conn,
                entity,
                advisor,
                &NADIA_PETIT,
                "1990-02-17",
                "+33612345603",
                "nadia.petit@atelier-lumiere.fr",
                false,
            )
            .await?;
        let mut nadia_rights = Rights::new();
        for resource in [
            ResourceRef::Account(accounts[0]),
            ResourceRef::Account(accounts[1]),
            ResourceRef::Contract(contracts[0]),
            ResourceRef::Contract(contracts[2]),
        ] {
            nadia_rights.set_levels(resource, Levels::CONSULTATION_GESTION);
        }
        nadia_rights.set_levels(ResourceRef::Account(accounts[5]), Levels::CONSULTATION);
        insert_profile_rights(conn, entity, nadia, &nadia_rights, Profile::Preparateur).await?;

        // The office manager: the administration right only, no rights on the accounts.
        self.user(
            conn,
            entity,
            advisor,
            &THOMAS_GARNIER,
            "1974-09-12",
            "+33612345606",
            "thomas.garnier@atelier-lumiere.fr",
            true,
        )
        .await?;

        for person in [
            Person {
                first_name: "Lucas",
                last_name: "MOREAU",
                birth_date: "1992-07-08",
                phone: "+33612345604",
                email: Some("lucas.moreau@atelier-lumiere.fr"),
            },
            Person {
                first_name: "Emma",
                last_name: "GIRARD",
                birth_date: "1988-12-30",
                phone: "+33612345605",
                email: None,
            },
        ] {
            insert_person(conn, entity, advisor, &person).await?;
        }
        Ok(())
    }

    async fn jardins_partages(&self, conn: &mut AnyConnection) -> Result<(), SeedError> {
        let advisor = entities::insert_imported_advisor(
            conn,
            KARIM_BENALI.reference,
            &advisor(
                "M.",
                "Karim",
                "BENALI",
                "Agence Associations Lille",
                "+33320000202",
                "karim.benali@banque-exemple.fr",
            ),
        )
        .await?;
        self.advisor_credentials(conn, &KARIM_BENALI).await?;
        let entity = entities::insert(
            conn,
            "Association Les Jardins Partagés",
            EntityKind::Association,
            "775618432",
            advisor,
            now(),
        )
        .await?;
        let accounts = insert_accounts(
            conn,
            entity,
            &[
                (
                    "Compte courant associatif",
                    "FR7610207000450301222333443",
                    "EUR",
                ),
                ("Livret associatif", "FR7610207000450301666777840", "EUR"),
            ],
        )
        .await?;
        let contracts = insert_contracts(
            conn,
            entity,
            &[
                (
                    ContractKind::VirementsSepa,
                    "Virements SEPA",
                    "VIR-SEPA-0002",
                ),
                (ContractKind::Cartes, "Cartes affaires", "CB-AFF-0002"),
            ],
        )
        .await?;
        let (current, savings, transfers, cards) =
            (accounts[0], accounts[1], contracts[0], contracts[1]);
        let resources = [
            ResourceRef::Account(current),
            ResourceRef::Account(savings),
            ResourceRef::Contract(transfers),
            ResourceRef::Contract(cards),
        ];
        let paul = self
            .user(
                conn,
                entity,
                advisor,
                &PAUL_LEFEVRE,
                "1969-09-12",
                "+33612345611",
                "paul.lefevre@jardins-partages.org",
                true,
            )
            .await?;
        let mut all = Rights::new();
        let mut consult = Rights::new();
        for resource in resources {
            all.set_levels(resource, Levels::ALL);
            consult.set_levels(resource, Levels::CONSULTATION);
        }
        insert_profile_rights(conn, entity, paul, &all, Profile::Dirigeant).await?;
        let lea = self
            .user(
                conn,
                entity,
                advisor,
                &LEA_ROUX,
                "1995-04-25",
                "+33612345612",
                "lea.roux@jardins-partages.org",
                false,
            )
            .await?;
        insert_profile_rights(conn, entity, lea, &consult, Profile::Comptable).await?;
        insert_person(
            conn,
            entity,
            advisor,
            &Person {
                first_name: "Hugo",
                last_name: "FAURE",
                birth_date: "1983-06-14",
                phone: "+33612345613",
                email: Some("hugo.faure@jardins-partages.org"),
            },
        )
        .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn user(
        &self,
        conn: &mut AnyConnection,
        entity: i64,
        advisor: i64,
        demo: &DemoUser,
        birth_date: &str,
        phone: &str,
        email: &str,
        is_administrator: bool,
    ) -> Result<i64, SeedError> {
        let person = insert_person(
            conn,
            entity,
            advisor,
            &Person {
                first_name: demo.first_name,
                last_name: demo.last_name,
                birth_date,
                phone,
                email: Some(email),
            },
        )
        .await?;
        let secret = base32_decode(demo.totp_secret).ok_or(SeedError::Secret)?;
        let sealed = self.secrets.seal("totp", &secret)?;
        Ok(users::insert_demo(
            conn,
            users::DemoUser {
                entity_id: entity,
                person_id: person,
                login_id: demo.login_id,
                email,
                is_administrator,
                password_hash: self.password_hash,
                sealed_totp_secret: &sealed,
                now: now(),
            },
        )
        .await?)
    }
}

/// Adds `count` generated users (active, without credentials, profil comptable) to the entity
/// of `administrator_login_id`, for benchmarks of large entities. Returns how many it added.
pub async fn add_generated_users(
    db: &Db,
    administrator_login_id: &str,
    count: usize,
) -> Result<usize, SeedError> {
    const LAST: [&str; 10] = [
        "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
        "MOREAU",
    ];
    const FIRST: [&str; 10] = [
        "Camille", "Léa", "Manon", "Hugo", "Louis", "Chloé", "Gabriel", "Emma", "Arthur", "Inès",
    ];
    let mut tx = db.begin_write().await?;
    let entity = users::sign_in_account(&mut *tx, administrator_login_id)
        .await?
        .ok_or(SeedError::UnknownUser)?
        .entity_id;
    let advisor = entities::advisor_id(&mut *tx, entity).await?;
    let catalog = entities::catalog(&mut *tx, entity).await?;
    let rights = Profile::Comptable.rights(&catalog);
    // Numbered across every entity: login ids, e-mails and phones stay unique when several
    // entities are filled.
    let start: usize = users::count_all(&mut *tx).await? as usize;
    for n in start..start + count {
        let (last, first) = (LAST[n % 10], FIRST[(n / 10) % 10]);
        let last_name = format!("{last}-{n}");
        let email = format!("utilisateur.{n}@exemple.fr");
        let person = insert_person(
            &mut tx,
            entity,
            advisor,
            &Person {
                first_name: first,
                last_name: &last_name,
                birth_date: "1980-01-01",
                phone: &format!("+336{n:08}"),
                email: Some(&email),
            },
        )
        .await?;
        let login_id = format!("4{n:09}");
        let user =
            users::insert_generated(&mut tx, entity, person, &login_id, &email, now()).await?;
        insert_profile_rights(&mut tx, entity, user, &rights, Profile::Comptable).await?;
        let search = super::flows::users::fold(&format!("{first} {last_name} {login_id} {email}"));
        users::set_search_text(&mut *tx, user, &search).await?;
    }
    tx.commit().await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_secrets_are_160_bits_and_the_password_passes_the_policy() {
        for user in [
            SOPHIE_MARTIN,
            JULIEN_BERNARD,
            NADIA_PETIT,
            PAUL_LEFEVRE,
            LEA_ROUX,
        ] {
            assert_eq!(base32_decode(user.totp_secret).unwrap().len(), 20);
            assert!(
                password::NewPassword::parse(DEMO_PASSWORD, user.login_id, "Banque Exemple")
                    .is_ok()
            );
        }
    }

    #[test]
    fn demo_ibans_are_valid() {
        for iban in [
            "FR7610207000450402123456745",
            "FR7610207000450402123456842",
            "FR7610207000450402765432136",
            "FR7610207000450801112223383",
            "FR7610207000450402999887732",
            "FR7610207000450402555444305",
            "FR7610207000450301222333443",
            "FR7610207000450301666777840",
        ] {
            assert!(model::catalog::is_valid_iban(iban), "{iban}");
        }
    }
}

/// One administrator of [`add_bench_administrators`]: how to sign in as them, and the addition
/// they can prepare (the `draft` of `/api/ajout/preparation`, as JSON).
#[derive(Debug, serde::Serialize)]
pub struct BenchAdministrator {
    pub login_id: String,
    pub password: &'static str,
    /// Base32, for an authenticator.
    pub totp_secret: String,
    pub draft: crate::api::types::AddUserDraft,
}

/// How many accounts and contracts each entity of [`add_bench_administrators`] has.
#[derive(Debug, Clone, Copy)]
pub struct CatalogSize {
    pub accounts: usize,
    pub contracts: usize,
}

/// Adds `count` entities, each with `size` accounts and contracts, one administrator (the demo
/// password and a fresh authenticator secret) and one person registered by the advisor, ready to
/// be added: the confirmation benchmark has as many administrators confirm an addition at once,
/// the grid benchmark has one add a user to an entity of a hundred accounts and contracts.
pub async fn add_bench_administrators(
    db: &Db,
    secrets: &SecretBox,
    count: usize,
    size: CatalogSize,
) -> Result<Vec<BenchAdministrator>, SeedError> {
    let hash = password::hash(SecretString::from(DEMO_PASSWORD)).await?;
    let mut tx = db.begin_write().await?;
    let demo_entity = users::sign_in_account(&mut *tx, SOPHIE_MARTIN.login_id)
        .await?
        .ok_or(SeedError::UnknownUser)?
        .entity_id;
    let advisor = entities::advisor_id(&mut *tx, demo_entity).await?;
    let start = entities::count(&mut tx).await? as usize;
    let mut administrators = Vec::with_capacity(count);
    for n in start..start + count {
        let entity = entities::insert(
            &mut tx,
            &format!("Entreprise de banc d’essai {n}"),
            EntityKind::Company,
            &format!("9{n:08}"),
            advisor,
            now(),
        )
        .await?;
        let accounts: Vec<(String, String)> = (0..size.accounts)
            .map(|a| {
                let label = if a == 0 {
                    "Compte courant".to_string()
                } else {
                    format!("Compte {}", a + 1)
                };
                (label, format!("FR76BANC{n:015}{a:04}"))
            })
            .collect();
        let accounts: Vec<(&str, &str, &str)> = accounts
            .iter()
            .map(|(label, iban)| (label.as_str(), iban.as_str(), "EUR"))
            .collect();
        insert_accounts(&mut tx, entity, &accounts).await?;
        let contracts: Vec<(ContractKind, String, String)> = (0..size.contracts)
            .map(|c| {
                let kind = ContractKind::ALL[c % ContractKind::ALL.len()];
                (
                    kind,
                    format!("Contrat {}", c + 1),
                    format!("CT-{n:08}-{c:04}"),
                )
            })
            .collect();
        let contracts: Vec<(ContractKind, &str, &str)> = contracts
            .iter()
            .map(|(kind, label, reference)| (*kind, label.as_str(), reference.as_str()))
            .collect();
        insert_contracts(&mut tx, entity, &contracts).await?;
        let admin_email = format!("administrateur.{n}@banc-essai.fr");
        let admin = insert_person(
            &mut tx,
            entity,
            advisor,
            &Person {
                first_name: "Alex",
                last_name: &format!("ADMIN-{n}"),
                birth_date: "1980-01-01",
                phone: &format!("+337{n:08}"),
                email: Some(&admin_email),
            },
        )
        .await?;
        let secret = super::security::crypto::random_bytes::<20>();
        let login_id = format!("6{n:09}");
        users::insert_demo(
            &mut tx,
            users::DemoUser {
                entity_id: entity,
                person_id: admin,
                login_id: &login_id,
                email: &admin_email,
                is_administrator: true,
                password_hash: &hash,
                sealed_totp_secret: &secrets.seal("totp", &secret)?,
                now: now(),
            },
        )
        .await?;
        let newcomer_email = format!("nouveau.{n}@banc-essai.fr");
        let newcomer = insert_person(
            &mut tx,
            entity,
            advisor,
            &Person {
                first_name: "Sam",
                last_name: &format!("NOUVEAU-{n}"),
                birth_date: "1990-01-01",
                phone: &format!("+338{n:08}"),
                email: Some(&newcomer_email),
            },
        )
        .await?;
        let catalog = entities::catalog(&mut *tx, entity).await?;
        administrators.push(BenchAdministrator {
            login_id,
            password: DEMO_PASSWORD,
            totp_secret: super::security::totp::base32_encode(&secret),
            draft: crate::api::types::AddUserDraft {
                person_id: newcomer,
                email: newcomer_email,
                method: model::RightsMethod::Profile(Profile::Comptable),
                rights: Profile::Comptable.rights(&catalog),
                period: None,
            },
        });
    }
    tx.commit().await?;
    Ok(administrators)
}
