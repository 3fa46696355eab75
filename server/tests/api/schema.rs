//! The SQLite and PostgreSQL migrations must build the same schema: the same tables, the same
//! columns (name, type family, nullability), the same constraints (name and kind) and the same
//! indexes (name, table, columns, uniqueness). Both databases are migrated afresh and read back
//! through their catalogs, whichever database the rest of the suite runs on.

use crate::helpers::using_postgres;
use app::backend::store::Db;
use sqlx::Connection as _;
use std::collections::BTreeSet;

/// Everything compared, as sorted lines: easy to diff in a failure message.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    tables: BTreeSet<String>,
    columns: BTreeSet<String>,
    constraints: BTreeSet<String>,
    indexes: BTreeSet<String>,
}

fn type_family(declared: &str) -> &'static str {
    let declared = declared.to_ascii_lowercase();
    if declared.contains("int") {
        "integer"
    } else if declared.contains("char") || declared.contains("text") {
        "text"
    } else {
        "other"
    }
}

/// `CONSTRAINT name KIND` clauses of a table's SQL, as (name, PostgreSQL's kind letter).
fn named_constraints(sql: &str) -> Vec<(String, &'static str)> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    words
        .windows(3)
        .filter(|w| w[0] == "CONSTRAINT")
        .map(|w| {
            let kind = match w[2] {
                "PRIMARY" => "p",
                "UNIQUE" => "u",
                "CHECK" => "c",
                _ => "f",
            };
            (w[1].to_string(), kind)
        })
        .collect()
}

async fn sqlite_schema() -> Schema {
    let path = std::env::temp_dir().join(format!("habilis-schema-{}.db", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    db.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let mut schema = Schema::default();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (table, sql) in tables {
        let columns: Vec<(String, String, i64, i64)> =
            sqlx::query_as("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for (name, declared, not_null, pk) in columns {
            let nullable = if not_null == 1 || pk > 0 {
                "not null"
            } else {
                "null"
            };
            schema.columns.insert(format!(
                "{table}.{name} {} {nullable}",
                type_family(&declared)
            ));
        }
        for (name, kind) in named_constraints(&sql) {
            schema
                .constraints
                .insert(format!("{table}: {name} ({kind})"));
        }
        let indexes: Vec<(String, i64)> =
            sqlx::query_as("SELECT name, \"unique\" FROM pragma_index_list($1) WHERE origin = 'c'")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for (index, unique) in indexes {
            let columns: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            let columns: Vec<String> = columns.into_iter().map(|(c,)| c).collect();
            schema.indexes.insert(format!(
                "{table}: {index} ({}){}",
                columns.join(", "),
                if unique == 1 { " unique" } else { "" }
            ));
        }
        schema.tables.insert(table);
    }
    conn.close().await.unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    schema
}

async fn postgres_schema(base: &str) -> Schema {
    let name = format!("habilis_test_schema_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(base).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (head, _) = base.rsplit_once('/').unwrap();
    let url = format!("{head}/{name}");
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    db.close().await;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut schema = Schema::default();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    schema.tables = tables.into_iter().map(|(t,)| t).collect();
    let columns: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (table, column, data_type, nullable) in columns {
        let nullable = if nullable == "YES" {
            "null"
        } else {
            "not null"
        };
        schema.columns.insert(format!(
            "{table}.{column} {} {nullable}",
            type_family(&data_type)
        ));
    }
    let constraints: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT t.relname::text, c.conname::text, c.contype::text FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'c', 'f') \
         AND t.relname <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (table, constraint, kind) in constraints {
        schema
            .constraints
            .insert(format!("{table}: {constraint} ({kind})"));
    }
    let indexes: Vec<(String, String, bool, String)> = sqlx::query_as(
        "SELECT t.relname::text, i.relname::text, ix.indisunique, \
                array_to_string(ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) \
                    WITH ORDINALITY AS k(attnum, ord) \
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                    ORDER BY k.ord), ', ') \
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND t.relname <> '_sqlx_migrations' \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (table, index, unique, columns) in indexes {
        schema.indexes.insert(format!(
            "{table}: {index} ({columns}){}",
            if unique { " unique" } else { "" }
        ));
    }
    conn.close().await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    schema
}

fn differences(what: &str, sqlite: &BTreeSet<String>, postgres: &BTreeSet<String>) -> Vec<String> {
    let mut lines: Vec<String> = sqlite
        .difference(postgres)
        .map(|line| format!("{what} only in SQLite: {line}"))
        .collect();
    lines.extend(
        postgres
            .difference(sqlite)
            .map(|line| format!("{what} only in PostgreSQL: {line}")),
    );
    lines
}

#[tokio::test]
async fn the_sqlite_and_postgresql_schemas_are_the_same() {
    let base = std::env::var("HABILIS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    if sqlx::PgConnection::connect(&base).await.is_err() {
        assert!(
            !using_postgres() && std::env::var("CI").as_deref() != Ok("true"),
            "PostgreSQL unreachable at {base}: the schemas cannot be compared"
        );
        eprintln!("!!! PostgreSQL unreachable at {base}: schemas NOT compared");
        return;
    }
    let sqlite = sqlite_schema().await;
    let postgres = postgres_schema(&base).await;
    assert!(sqlite.tables.len() >= 15, "{:?}", sqlite.tables);
    assert!(!sqlite.constraints.is_empty() && !sqlite.indexes.is_empty());
    let mut problems = differences("table", &sqlite.tables, &postgres.tables);
    problems.extend(differences("column", &sqlite.columns, &postgres.columns));
    problems.extend(differences(
        "constraint",
        &sqlite.constraints,
        &postgres.constraints,
    ));
    problems.extend(differences("index", &sqlite.indexes, &postgres.indexes));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
