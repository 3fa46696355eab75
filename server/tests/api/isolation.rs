//! Tenant isolation as a property: with random persons and users in two entities, no list,
//! search or read of one entity's administrator ever returns a row of the other, whatever the
//! search text, state filter or page.

use crate::helpers::{refused, spawn_app};
use app::api::types::{UserSearch, UserState};
use app::api::users::{
    AddUserCandidates, AddUserRightsContext, CopyableRights, ListUsers, SearchUsers,
};
use app::backend::store::persons::Person;
use app::backend::store::users::NewUser;
use app::backend::store::{self, now};
use std::collections::HashSet;

/// A small deterministic generator (the seed is printed, so a failure can be replayed).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn word(&mut self) -> String {
        const SYLLABLES: [&str; 12] = [
            "ma", "ri", "lo", "ne", "du", "ber", "tin", "ga", "ré", "mo", "lu", "ça",
        ];
        (0..2 + self.below(3))
            .map(|_| SYLLABLES[self.below(SYLLABLES.len() as u64) as usize])
            .collect()
    }
}

#[tokio::test]
async fn no_list_search_or_read_ever_returns_another_entitys_rows() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("isolation seed: {seed}");
    let mut random = Random(seed);
    let app = spawn_app().await;
    let entity_of =
        |login_id: &str| format!("SELECT entity_id FROM users WHERE login_id = '{login_id}'");
    let entity_a = app.scalar_i64(&entity_of("1000000001")).await;
    let entity_b = app
        .scalar_i64(&format!(
            "SELECT MIN(id) FROM entities WHERE id <> {entity_a}"
        ))
        .await;
    let advisor = app.scalar_i64("SELECT MIN(id) FROM advisors").await;

    // Random persons in both entities, most of them users, with overlapping names.
    let mut names = Vec::new();
    let mut conn = app.db.begin_write().await.unwrap();
    for n in 0..60 {
        let entity = if n % 2 == 0 { entity_a } else { entity_b };
        let (first, last) = (random.word(), random.word().to_uppercase());
        names.push(first.clone());
        names.push(last.clone());
        let person = Person {
            id: 0,
            first_name: first,
            last_name: last,
            birth_date: "1980-01-01".into(),
            phone: format!("+336{:08}", random.below(100_000_000)),
            email: None,
        };
        let person_id = store::persons::insert(&mut conn, entity, advisor, &person, now())
            .await
            .unwrap();
        if random.below(4) != 0 {
            let login_id = format!("{}", 4_000_000_000u64 + n);
            store::users::insert(
                &mut conn,
                NewUser {
                    entity_id: entity,
                    person_id,
                    login_id: &login_id,
                    email: &format!("u{n}@exemple.fr"),
                    is_administrator: random.below(5) == 0,
                    temp_password_hash: "x",
                    email_code_hash: "x",
                    language: model::Lang::Fr,
                    temp_password_expires_at: now() + 3600,
                    created_at: now(),
                    created_by: None,
                },
            )
            .await
            .unwrap();
        }
    }
    conn.commit().await.unwrap();
    app::backend::flows::users::index_users(&app.db)
        .await
        .unwrap();

    let ids_of = |entity: i64| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!(
                "SELECT id FROM users WHERE entity_id = {entity}"
            ))
            .fetch_all(db.pool())
            .await
            .unwrap()
            .into_iter()
            .collect::<HashSet<i64>>()
        }
    };
    let (ours, theirs) = (ids_of(entity_a).await, ids_of(entity_b).await);
    let their_persons: HashSet<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM persons WHERE entity_id = {entity_b}"
    ))
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .into_iter()
    .collect();

    let mut admin = app.sign_in_admin().await;
    for user in admin.call(ListUsers {}).await.unwrap() {
        assert!(
            ours.contains(&user.id),
            "seed {seed}: list leaked {}",
            user.id
        );
    }
    let context = admin.call(AddUserRightsContext {}).await.unwrap();
    assert!(context.users.iter().all(|u| ours.contains(&u.id)));
    let their_accounts: HashSet<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM accounts WHERE entity_id = {entity_b}"
    ))
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert!(context
        .catalog
        .accounts
        .iter()
        .all(|a| !their_accounts.contains(&a.id)));
    let candidates = admin.call(AddUserCandidates {}).await.unwrap();
    assert!(candidates
        .persons
        .iter()
        .all(|p| !their_persons.contains(&p.id)));

    for _ in 0..60 {
        let text = match random.below(4) {
            0 => String::new(),
            1 => names[random.below(names.len() as u64) as usize].clone(),
            2 => names[random.below(names.len() as u64) as usize]
                .chars()
                .take(2)
                .collect(),
            _ => format!("{} {}", random.word(), random.word()),
        };
        let state = match random.below(3) {
            0 => None,
            1 => Some(UserState::Active),
            _ => Some(UserState::AwaitingFirstLogin),
        };
        let page = 1 + random.below(3) as u32;
        let found = admin
            .call(SearchUsers {
                search: UserSearch {
                    text: text.clone(),
                    state,
                    page,
                },
            })
            .await
            .unwrap();
        for user in &found.users {
            assert!(
                ours.contains(&user.id),
                "seed {seed}: search {text:?} leaked user {}",
                user.id
            );
        }
        assert!(found.matching <= ours.len() as i64);
    }
    // Reading one of their users answers exactly like a missing one.
    let missing = refused(admin.call(CopyableRights { user_id: i64::MAX }).await, 404);
    for user_id in theirs.iter().take(10) {
        let failure = refused(admin.call(CopyableRights { user_id: *user_id }).await, 404);
        assert_eq!(failure.body, missing.body);
    }
}

/// The second line, on PostgreSQL: as the server's role, inside a signed-in person's request,
/// the database itself shows and lets write only that person's entity, even to a query that
/// forgets its `WHERE entity_id`. (SQLite has no row-level security.)
#[tokio::test]
async fn row_level_security_confines_the_servers_role_to_the_requests_entity() {
    if !crate::helpers::using_postgres() {
        return;
    }
    let owner = spawn_app().await;
    let app = crate::helpers::spawn_as_application_role(&owner).await;
    let entity_a = app
        .scalar_i64("SELECT entity_id FROM users WHERE login_id = '1000000001'")
        .await;
    let all_users = app.scalar_i64("SELECT COUNT(*) FROM users").await;
    let users_of_a = app
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE entity_id = {entity_a}"
        ))
        .await;
    assert!(all_users > users_of_a, "the demo has users in two entities");
    let pool = app.db.pool().clone();
    let (seen, changed, foreign_person) = store::scoped(entity_a, async move {
        let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&pool)
            .await
            .unwrap();
        let changed = sqlx::query(&format!(
            "UPDATE users SET email = 'pirate@exemple.fr' WHERE entity_id <> {entity_a}"
        ))
        .execute(&pool)
        .await
        .unwrap()
        .rows_affected();
        let foreign_person = sqlx::query(&format!(
            "INSERT INTO persons (entity_id, last_name, first_name, birth_date, phone, \
             registered_at, registered_by) SELECT id, 'X', 'Y', '1980-01-01', '+33600000000', 0, \
             advisor_id FROM entities WHERE id <> {entity_a}"
        ))
        .execute(&pool)
        .await;
        (seen, changed, foreign_person)
    })
    .await;
    assert_eq!(seen, users_of_a, "another entity's users are invisible");
    assert_eq!(changed, 0, "and cannot be changed");
    let error = foreign_person.expect_err("nor created").to_string();
    assert!(error.contains("row-level security"), "{error}");
    // Signed in, the application works as before under its role and the policies.
    let mut admin = app.sign_in_admin().await;
    let users = admin.call(ListUsers {}).await.unwrap();
    assert_eq!(users.len() as i64, users_of_a);
}

/// Login ids are unique across entities, although a request sees only its own entity's users
/// (row-level security): the database refuses a taken one, and nothing is inserted.
#[tokio::test]
async fn a_login_id_taken_in_another_entity_is_refused_by_the_database() {
    let app = spawn_app().await;
    let entity_a = app
        .scalar_i64("SELECT entity_id FROM users WHERE login_id = '1000000001'")
        .await;
    let taken_elsewhere: String = sqlx::query_scalar(&format!(
        "SELECT login_id FROM users WHERE entity_id <> {entity_a} ORDER BY id LIMIT 1"
    ))
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let person = app
        .scalar_i64(&format!(
            "SELECT p.id FROM persons p WHERE p.entity_id = {entity_a} \
             AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id) ORDER BY p.id LIMIT 1"
        ))
        .await;
    let users_before = app.scalar_i64("SELECT COUNT(*) FROM users").await;
    let mut tx = app.db.begin_write().await.unwrap();
    let new_user = |login_id: &'static str| NewUser {
        entity_id: entity_a,
        person_id: person,
        login_id,
        email: "nouveau@exemple.fr",
        is_administrator: false,
        temp_password_hash: "x",
        email_code_hash: "x",
        language: model::Lang::Fr,
        temp_password_expires_at: now() + 3600,
        created_at: now(),
        created_by: None,
    };
    let taken: &'static str = Box::leak(taken_elsewhere.into_boxed_str());
    assert_eq!(
        store::users::insert(&mut tx, new_user(taken))
            .await
            .unwrap(),
        None
    );
    assert!(store::users::insert(&mut tx, new_user("9876543210"))
        .await
        .unwrap()
        .is_some());
    tx.commit().await.unwrap();
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM users").await,
        users_before + 1
    );
}
