//! Configuration, read once from environment variables at start-up. The README lists them.

use secrecy::{SecretSlice, SecretString};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Local mode seeds demo data and delivers e-mail and SMS to the local outbox page; production
/// mode refuses demo accounts and needs real SMTP and SMS settings and a secret key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Local,
    Production,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection: only for a relay on the same host.
    None,
    StartTls,
    Tls,
}

#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub from: String,
}

#[derive(Clone, Debug)]
pub struct SmsConfig {
    /// The gateway receives `POST {"to": "+33…", "message": "…"}` with a bearer token.
    pub gateway_url: String,
    pub token: Option<SecretString>,
}

/// Where e-mail and SMS go once committed.
#[derive(Clone, Debug)]
pub enum Delivery {
    /// The local outbox page (simulated mailbox and phone).
    Local,
    Real {
        smtp: SmtpConfig,
        sms: SmsConfig,
    },
}

#[derive(Clone, Debug)]
pub struct Config {
    pub mode: Mode,
    pub database_url: String,
    pub bind_addr: SocketAddr,
    /// The origin browsers use, e.g. `https://banque.example`. Passkeys are bound to its host.
    /// When unset, `http://localhost:{port}` once the port is known.
    pub public_url: Option<String>,
    pub site_root: PathBuf,
    /// 256 bits; seals TOTP secrets and queued messages.
    pub secret_key: Option<SecretSlice<u8>>,
    pub delivery: Delivery,
    pub bank_name: String,
    pub temp_password_ttl_secs: i64,
    pub idle_timeout_secs: i64,
    pub absolute_timeout_secs: i64,
    pub trust_forwarded_for: bool,
    pub demo_data: bool,
}

/// The never-exceeded limits of the security rules.
pub const MAX_IDLE_TIMEOUT_SECS: i64 = 5 * 60;
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
pub const MAX_TEMP_PASSWORD_TTL_SECS: i64 = 7 * 24 * 60 * 60;

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads the configuration through `lookup`, so tests can pass their own variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let mode = match get("HABILIS_MODE").as_deref() {
            None | Some("local") => Mode::Local,
            Some("production") => Mode::Production,
            Some(other) => {
                return Err(ConfigError(format!(
                    "HABILIS_MODE must be local or production, not {other:?}"
                )))
            }
        };
        let database_url = get("DATABASE_URL")
            .or_else(|| get("HABILIS_DATABASE_URL"))
            .unwrap_or_else(|| "sqlite://data/habilis.db?mode=rwc".into());
        let bind_addr = get("HABILIS_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|e| ConfigError(format!("HABILIS_ADDR: {e}")))?;
        let secret_key = match get("HABILIS_SECRET_KEY") {
            Some(hex_key) => Some(parse_key(&hex_key)?),
            None => None,
        };
        let temp_hours: i64 = parse_number(get("HABILIS_TEMP_PASSWORD_TTL_HOURS"), 24)?;
        let temp_password_ttl_secs = temp_hours * 3600;
        if !(1..=MAX_TEMP_PASSWORD_TTL_SECS).contains(&temp_password_ttl_secs) {
            return Err(ConfigError(
                "HABILIS_TEMP_PASSWORD_TTL_HOURS must be between 1 and 168 (7 days)".into(),
            ));
        }
        let idle_timeout_secs: i64 =
            parse_number(get("HABILIS_IDLE_TIMEOUT_SECS"), MAX_IDLE_TIMEOUT_SECS)?;
        if !(5..=MAX_IDLE_TIMEOUT_SECS).contains(&idle_timeout_secs) {
            return Err(ConfigError(
                "HABILIS_IDLE_TIMEOUT_SECS must be between 5 and 300".into(),
            ));
        }
        let delivery = match get("HABILIS_DELIVERY").as_deref() {
            Some("real") => Delivery::Real {
                smtp: SmtpConfig {
                    host: get("HABILIS_SMTP_HOST")
                        .ok_or_else(|| ConfigError("HABILIS_SMTP_HOST is required".into()))?,
                    port: parse_number(get("HABILIS_SMTP_PORT"), 587)?,
                    security: match get("HABILIS_SMTP_SECURITY").as_deref() {
                        None | Some("starttls") => SmtpSecurity::StartTls,
                        Some("tls") => SmtpSecurity::Tls,
                        Some("none") => SmtpSecurity::None,
                        Some(other) => {
                            return Err(ConfigError(format!(
                                "HABILIS_SMTP_SECURITY must be starttls, tls or none, not {other:?}"
                            )))
                        }
                    },
                    username: get("HABILIS_SMTP_USERNAME"),
                    password: get("HABILIS_SMTP_PASSWORD").map(SecretString::from),
                    from: get("HABILIS_MAIL_FROM")
                        .unwrap_or_else(|| "Habilis <no-reply@habilis.invalid>".into()),
                },
                sms: SmsConfig {
                    gateway_url: get("HABILIS_SMS_GATEWAY_URL")
                        .ok_or_else(|| ConfigError("HABILIS_SMS_GATEWAY_URL is required".into()))?,
                    token: get("HABILIS_SMS_GATEWAY_TOKEN").map(SecretString::from),
                },
            },
            None | Some("local") => Delivery::Local,
            Some(other) => {
                return Err(ConfigError(format!(
                    "HABILIS_DELIVERY must be local or real, not {other:?}"
                )))
            }
        };
        let config = Config {
            mode,
            database_url,
            bind_addr,
            public_url: get("HABILIS_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            site_root: get("HABILIS_SITE_ROOT")
                .unwrap_or_else(|| "target/site".into())
                .into(),
            secret_key,
            delivery,
            bank_name: get("HABILIS_BANK_NAME").unwrap_or_else(|| "Banque Exemple".into()),
            temp_password_ttl_secs,
            idle_timeout_secs,
            absolute_timeout_secs: ABSOLUTE_TIMEOUT_SECS,
            trust_forwarded_for: get("HABILIS_TRUST_FORWARDED_FOR").as_deref() == Some("true"),
            demo_data: match get("HABILIS_DEMO_DATA").as_deref() {
                Some("false") => false,
                Some(_) | None => mode == Mode::Local,
            },
        };
        config.check_production()?;
        Ok(config)
    }

    /// Production refuses what is only acceptable on a developer's machine.
    fn check_production(&self) -> Result<(), ConfigError> {
        if self.mode != Mode::Production {
            return Ok(());
        }
        if self.secret_key.is_none() {
            return Err(ConfigError(
                "HABILIS_SECRET_KEY (64 hex digits) is required in production".into(),
            ));
        }
        if matches!(self.delivery, Delivery::Local) {
            return Err(ConfigError(
                "production needs HABILIS_DELIVERY=real with SMTP and SMS settings".into(),
            ));
        }
        if self.demo_data {
            return Err(ConfigError(
                "demo data cannot be seeded in production".into(),
            ));
        }
        match &self.public_url {
            Some(url) if url.starts_with("https://") => Ok(()),
            _ => Err(ConfigError(
                "HABILIS_PUBLIC_URL must be an https:// origin in production".into(),
            )),
        }
    }

    pub fn is_local(&self) -> bool {
        self.mode == Mode::Local
    }
}

fn parse_key(hex_key: &str) -> Result<SecretSlice<u8>, ConfigError> {
    let error = || ConfigError("HABILIS_SECRET_KEY must be 64 hex digits".into());
    let bytes = data_encoding::HEXLOWER_PERMISSIVE
        .decode(hex_key.trim().as_bytes())
        .map_err(|_| error())?;
    if bytes.len() == 32 {
        Ok(SecretSlice::from(bytes))
    } else {
        Err(error())
    }
}

fn parse_number<T: std::str::FromStr>(value: Option<String>, default: T) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| ConfigError(format!("{text:?} is not a number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|key| map.get(key).cloned())
    }

    #[test]
    fn the_default_is_local_sqlite_with_demo_data() {
        let config = config(&[]).unwrap();
        assert_eq!(config.mode, Mode::Local);
        assert!(config.database_url.starts_with("sqlite:"));
        assert!(config.demo_data);
        assert_eq!(config.idle_timeout_secs, 300);
        assert_eq!(config.temp_password_ttl_secs, 24 * 3600);
    }

    #[test]
    fn limits_of_the_security_rules_cannot_be_exceeded() {
        assert!(config(&[("HABILIS_TEMP_PASSWORD_TTL_HOURS", "169")]).is_err());
        assert!(config(&[("HABILIS_TEMP_PASSWORD_TTL_HOURS", "168")]).is_ok());
        assert!(config(&[("HABILIS_IDLE_TIMEOUT_SECS", "301")]).is_err());
    }

    #[test]
    fn production_refuses_local_shortcuts() {
        let key = "00".repeat(32);
        assert!(config(&[("HABILIS_MODE", "production")]).is_err());
        let real = [
            ("HABILIS_MODE", "production"),
            ("HABILIS_SECRET_KEY", key.as_str()),
            ("HABILIS_DELIVERY", "real"),
            ("HABILIS_SMTP_HOST", "smtp.example"),
            ("HABILIS_SMS_GATEWAY_URL", "https://sms.example/send"),
            ("HABILIS_PUBLIC_URL", "https://banque.example"),
        ];
        let production = config(&real).unwrap();
        assert!(!production.demo_data);
        let mut plain_http = real.to_vec();
        plain_http[5] = ("HABILIS_PUBLIC_URL", "http://banque.example");
        assert!(config(&plain_http).is_err());
    }
}
