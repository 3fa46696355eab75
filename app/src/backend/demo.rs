//! Demo data for local use: seeded into an empty database when the server runs in local mode.
//! Every demo user is marked `is_demo`, and production mode refuses them at sign-in.
//!
//! The README documents these accounts; tests sign in with them.

use super::crypto::SecretBox;
use super::db::{now, Db};
use super::password;
use super::totp::base32_decode;
use model::{Levels, Profile, ResourceRef, Rights};
use sqlx::{Any, AnyConnection, Row};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "Atelier-Lumiere-2026";

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
pub async fn seed_if_empty(db: &Db, secrets: &SecretBox) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let entities: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entities")
        .fetch_one(&mut *tx)
        .await?;
    if entities > 0 {
        return Ok(false);
    }
    // One hash for all demo users: they share the documented password.
    let hash = password::hash(DEMO_PASSWORD.to_string()).await;
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
    async fn atelier_lumiere(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let advisor = insert_advisor(
            conn,
            ("Mme", "Claire", "DUBOIS"),
            "Agence Entreprises Lyon Part-Dieu",
            "+33472000101",
            "claire.dubois@banque-exemple.fr",
        )
        .await?;
        let entity = insert_entity(
            conn,
            "Atelier Lumière SAS",
            "entreprise",
            "812345676",
            advisor,
        )
        .await?;
        let mut accounts = Vec::new();
        for (label, iban, currency) in [
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
        ] {
            accounts
                .push(insert_account(conn, entity, label, iban, currency, accounts.len()).await?);
        }
        let mut contracts = Vec::new();
        for (kind, label, reference) in [
            ("virements_sepa", "Virements SEPA", "VIR-SEPA-0001"),
            (
                "virements_internationaux",
                "Virements internationaux",
                "VIR-INT-0001",
            ),
            (
                "prelevements_sepa",
                "Prélèvements SEPA (émission)",
                "PRL-FR12ZZZ123456",
            ),
            ("effets_de_commerce", "Remises LCR", "LCR-0001"),
            ("cartes", "Cartes affaires", "CB-AFF-0001"),
            ("titres", "Compte-titres", "TIT-0001"),
            (
                "echange_de_fichiers",
                "Échange de fichiers EBICS",
                "EBICS-T-0001",
            ),
            ("remises_de_cheques", "Remises de chèques", "CHQ-0001"),
        ] {
            contracts.push(
                insert_contract(conn, entity, kind, label, reference, contracts.len()).await?,
            );
        }
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

    async fn jardins_partages(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let advisor = insert_advisor(
            conn,
            ("M.", "Karim", "BENALI"),
            "Agence Associations Lille",
            "+33320000202",
            "karim.benali@banque-exemple.fr",
        )
        .await?;
        let entity = insert_entity(
            conn,
            "Association Les Jardins Partagés",
            "association",
            "775618432",
            advisor,
        )
        .await?;
        let current = insert_account(
            conn,
            entity,
            "Compte courant associatif",
            "FR7610207000450301222333443",
            "EUR",
            0,
        )
        .await?;
        let savings = insert_account(
            conn,
            entity,
            "Livret associatif",
            "FR7610207000450301666777840",
            "EUR",
            1,
        )
        .await?;
        let transfers = insert_contract(
            conn,
            entity,
            "virements_sepa",
            "Virements SEPA",
            "VIR-SEPA-0002",
            0,
        )
        .await?;
        let cards =
            insert_contract(conn, entity, "cartes", "Cartes affaires", "CB-AFF-0002", 1).await?;
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
    ) -> Result<i64, sqlx::Error> {
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
        let secret = base32_decode(demo.totp_secret).unwrap_or_default();
        let row = sqlx::query::<Any>(
            "INSERT INTO users (entity_id, person_id, login_id, email, state, is_administrator, \
             password_hash, totp_secret, is_demo, created_at) \
             VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, 1, $8) RETURNING id",
        )
        .bind(entity)
        .bind(person)
        .bind(demo.login_id)
        .bind(email)
        .bind(i64::from(is_administrator))
        .bind(self.password_hash)
        .bind(self.secrets.seal("totp", &secret))
        .bind(now())
        .fetch_one(&mut *conn)
        .await?;
        row.try_get("id")
    }
}

async fn insert_advisor(
    conn: &mut AnyConnection,
    (civility, first_name, last_name): (&str, &str, &str),
    agency: &str,
    phone: &str,
    email: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query::<Any>(
        "INSERT INTO advisors (civility, first_name, last_name, agency, phone, email) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(civility)
    .bind(first_name)
    .bind(last_name)
    .bind(agency)
    .bind(phone)
    .bind(email)
    .fetch_one(conn)
    .await?
    .try_get("id")
}

async fn insert_entity(
    conn: &mut AnyConnection,
    name: &str,
    kind: &str,
    siren: &str,
    advisor: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query::<Any>(
        "INSERT INTO entities (name, kind, siren, advisor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(kind)
    .bind(siren)
    .bind(advisor)
    .bind(now())
    .fetch_one(conn)
    .await?
    .try_get("id")
}

async fn insert_account(
    conn: &mut AnyConnection,
    entity: i64,
    label: &str,
    iban: &str,
    currency: &str,
    position: usize,
) -> Result<i64, sqlx::Error> {
    sqlx::query::<Any>(
        "INSERT INTO accounts (entity_id, label, iban, currency, position) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(entity)
    .bind(label)
    .bind(iban)
    .bind(currency)
    .bind(position as i64)
    .fetch_one(conn)
    .await?
    .try_get("id")
}

async fn insert_contract(
    conn: &mut AnyConnection,
    entity: i64,
    kind: &str,
    label: &str,
    reference: &str,
    position: usize,
) -> Result<i64, sqlx::Error> {
    sqlx::query::<Any>(
        "INSERT INTO contracts (entity_id, kind, label, reference, position) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(entity)
    .bind(kind)
    .bind(label)
    .bind(reference)
    .bind(position as i64)
    .fetch_one(conn)
    .await?
    .try_get("id")
}

async fn insert_person(
    conn: &mut AnyConnection,
    entity: i64,
    advisor: i64,
    person: &Person<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query::<Any>(
        "INSERT INTO persons (entity_id, last_name, first_name, birth_date, phone, email, \
         registered_at, registered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(entity)
    .bind(person.last_name)
    .bind(person.first_name)
    .bind(person.birth_date)
    .bind(person.phone)
    .bind(person.email)
    .bind(now())
    .bind(advisor)
    .fetch_one(conn)
    .await?
    .try_get("id")
}

async fn insert_profile_rights(
    conn: &mut AnyConnection,
    entity: i64,
    user: i64,
    rights: &Rights,
    profile: Profile,
) -> Result<(), sqlx::Error> {
    super::directory::insert_rights(conn, entity, user, rights, |_, _| {
        model::Origin::Profile(profile)
    })
    .await
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
