//! The persistence layer: every SQL statement of Habilis lives in this module, one submodule per
//! aggregate. Flows call these functions and never write SQL themselves.
//!
//! SQLite by default, PostgreSQL for scale, behind sqlx's `Any` driver so that one set of
//! queries serves both. Queries use `$1`-style parameters (both engines accept them) and plain
//! integer and text types: times are Unix seconds, flags are 0/1 (read as [`Flag`]), states are
//! text codes read into Rust enums with `#[sqlx(try_from = "String")]`. Rows are read with
//! `#[derive(sqlx::FromRow)]`.
//!
//! Every function that reads or writes an entity's data takes the entity id, which the caller
//! takes from the session: a row of another entity is simply not found.

pub mod advisors;
pub mod audit;
pub mod ceremonies;
pub mod drafts;
pub mod entities;
pub mod factors;
pub mod operations;
pub mod outbox;
pub mod persons;
pub mod reviews;
pub mod rights;
pub mod service_tokens;
pub mod sessions;
pub mod settings;
pub mod throttle;
pub mod users;

use sqlx::any::{AnyPoolOptions, AnyTypeInfo, AnyTypeInfoKind, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, AnyPool, Decode, Executor, Transaction, Type};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool that knows which engine it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    url: String,
}

pub type Tx = Transaction<'static, Any>;

tokio::task_local! {
    /// The entity of the signed-in person a request serves (see [`scoped`]); `None` inside
    /// [`unscoped`].
    static ENTITY_SCOPE: Option<i64>;
}

/// Runs `work` for a signed-in person of `entity_id`: on PostgreSQL, every connection it
/// acquires sees only that entity's rows (row-level security), whatever a query forgets.
pub async fn scoped<F: std::future::Future>(entity_id: i64, work: F) -> F::Output {
    ENTITY_SCOPE.scope(Some(entity_id), work).await
}

/// Runs `work` across entities, inside a scoped request, for the few reads and writes that
/// belong to a person rather than to one entity: the login of a person of a group of entities
/// (its factors and counters live on their user row of another entity), and finding that login
/// when an entity of the group adds them. Each call site says why.
pub async fn unscoped<F: std::future::Future>(work: F) -> F::Output {
    ENTITY_SCOPE.scope(None, work).await
}

/// Sets the connection's entity to the current task's scope (none outside a request).
async fn set_entity_scope(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    let entity = ENTITY_SCOPE
        .try_with(|entity| *entity)
        .ok()
        .flatten()
        .map(|entity| entity.to_string())
        .unwrap_or_default();
    sqlx::query("SELECT set_config('habilis.entity_id', $1, false)")
        .bind(entity)
        .execute(conn)
        .await?;
    Ok(())
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Why migrations could not run.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("foreign keys broken after the migrations: {0}")]
    ForeignKeys(String),
}

impl Db {
    /// Connects, creating the SQLite file (and its folder) when needed.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite: or postgres:".into(),
            ));
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            Backend::Sqlite => {
                create_sqlite_folder(url)?;
                options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL lets readers run while one writer writes; FULL makes every
                            // commit durable, even across a power cut; the busy timeout makes
                            // a writer wait for the lock instead of failing.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => {
                options
                    .max_connections(16)
                    // Every connection handed out carries the entity of the request it serves
                    // (or none): row-level security's second line (migration 0006). Both
                    // hooks: `before_acquire` runs for a connection taken from the idle ones,
                    // `after_connect` for one opened for this request.
                    .after_connect(|conn, _meta| Box::pin(set_entity_scope(conn)))
                    .before_acquire(|conn, _meta| {
                        Box::pin(async move {
                            set_entity_scope(conn).await?;
                            Ok(true)
                        })
                    })
                    .connect(url)
                    .await?
            }
        };
        Ok(Db {
            pool,
            backend,
            url: url.to_string(),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the migrations embedded in the binary. SQLite rebuilds tables to change them
    /// (copy, drop, rename), which foreign keys would cascade through: its migrations run on a
    /// connection of their own with foreign keys off, then every key is checked.
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        match self.backend {
            Backend::Sqlite => {
                use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
                use sqlx::{ConnectOptions as _, Connection as _};
                use std::str::FromStr as _;
                let mut conn: SqliteConnection = SqliteConnectOptions::from_str(&self.url)?
                    .foreign_keys(false)
                    .busy_timeout(Duration::from_secs(10))
                    .connect()
                    .await?;
                SQLITE_MIGRATIONS.run(&mut conn).await?;
                let broken: Vec<(String, i64)> =
                    sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
                        .fetch_all(&mut conn)
                        .await?;
                conn.close().await?;
                if !broken.is_empty() {
                    return Err(MigrateError::ForeignKeys(format!("{broken:?}")));
                }
                Ok(())
            }
            Backend::Postgres => {
                // Up to date: nothing to run, and nothing to create. The application's role
                // (which owns no table) starts on a database its owner migrated.
                if self.pending_postgres_migrations().await? == 0 {
                    return Ok(());
                }
                Ok(POSTGRES_MIGRATIONS.run(&self.pool).await?)
            }
        }
    }

    /// How many embedded PostgreSQL migrations the database has not applied (all of them when
    /// the bookkeeping table is missing).
    async fn pending_postgres_migrations(&self) -> Result<usize, sqlx::Error> {
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables \
             WHERE table_name = '_sqlx_migrations')",
        )
        .fetch_one(&self.pool)
        .await?;
        if !exists {
            return Ok(POSTGRES_MIGRATIONS.iter().count());
        }
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await?;
        Ok(POSTGRES_MIGRATIONS
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .count())
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so a transaction that reads then writes never fails half-way on a
    /// lock upgrade; PostgreSQL locks rows as it goes.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn create_sqlite_folder(url: &str) -> Result<(), sqlx::Error> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)
        }
        _ => Ok(()),
    }
}

/// The current time in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A 0/1 column (or a PostgreSQL boolean expression) read as a `bool`: the `Any` driver decodes
/// `bool` only from a native boolean. Fields use it as `#[sqlx(try_from = "Flag")] x: bool`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        ty.kind().is_integer() || ty.kind() == AnyTypeInfoKind::Bool
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        use sqlx::ValueRef as _;
        if value.type_info().kind() == AnyTypeInfoKind::Bool {
            return Ok(Flag(<bool as Decode<'r, Any>>::decode(value)?));
        }
        Ok(Flag(<i64 as Decode<'r, Any>>::decode(value)? != 0))
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

/// A state or kind stored as a text code: one mapping, used both ways.
#[macro_export]
macro_rules! stored_codes {
    ($type:ty { $($variant:path => $code:literal),+ $(,)? }) => {
        impl $type {
            pub fn code(self) -> &'static str {
                match self { $($variant => $code),+ }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($variant),)+ _ => None }
            }
        }
        impl TryFrom<String> for $type {
            type Error = model::UnknownCode;
            fn try_from(code: String) -> Result<Self, Self::Error> {
                <$type>::from_code(&code).ok_or(model::UnknownCode(code))
            }
        }
    };
}
