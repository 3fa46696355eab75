//! The files of the bank's systems: JSON lines or CSV, read into checked records (parse,
//! don't validate: a [`Record`] holds only well-formed values), each with its line number.

use super::Scope;
use crate::backend::store::entities::{Advisor, EntityKind, ResourceTable};
use crate::backend::store::now;
use crate::backend::store::persons::Person;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::hash_map::{Entry, HashMap};

/// The kinds of record, as the `type` field of a JSON line (or the CSV file's type) names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordType {
    Advisor,
    Entity,
    Account,
    Contract,
    Person,
}

impl RecordType {
    /// In the order a file is applied: what a record refers to comes before it.
    pub const ALL: [RecordType; 5] = [
        RecordType::Advisor,
        RecordType::Entity,
        RecordType::Account,
        RecordType::Contract,
        RecordType::Person,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RecordType::Advisor => "conseiller",
            RecordType::Entity => "entite",
            RecordType::Account => "compte",
            RecordType::Contract => "contrat",
            RecordType::Person => "personne",
        }
    }

    pub fn from_code(code: &str) -> Option<RecordType> {
        RecordType::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn scope(self) -> Scope {
        match self {
            RecordType::Advisor => Scope::Advisors,
            RecordType::Entity | RecordType::Account | RecordType::Contract => Scope::Entities,
            RecordType::Person => Scope::Persons,
        }
    }
}

// The records as sent: every field named, nothing else accepted.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvisorFields {
    reference: String,
    civilite: String,
    prenom: String,
    nom: String,
    agence: String,
    telephone: String,
    email: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityFields {
    siren: String,
    nom: String,
    forme: String,
    conseiller: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFields {
    entite: String,
    iban: String,
    libelle: String,
    devise: String,
    #[serde(default, deserialize_with = "flag")]
    cloture: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractFields {
    entite: String,
    reference: String,
    nature: String,
    libelle: String,
    #[serde(default, deserialize_with = "flag")]
    cloture: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonFields {
    reference: String,
    entite: String,
    nom: String,
    prenom: String,
    date_naissance: String,
    telephone: String,
    #[serde(default)]
    email: Option<String>,
}

/// `true`/`false` in JSON; in CSV also `oui`/`non`, `1`/`0`, or empty (false).
fn flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        /// `1` or `0` in a CSV cell.
        Number(u64),
        Text(String),
        /// JSON's `null`.
        Nothing(()),
    }
    match Flag::deserialize(deserializer)? {
        Flag::Bool(value) => Ok(value),
        Flag::Number(1) => Ok(true),
        Flag::Number(0) | Flag::Nothing(()) => Ok(false),
        Flag::Number(_) => Err(serde::de::Error::custom(
            "« cloture » vaut true ou false (oui ou non)",
        )),
        Flag::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "oui" | "1" => Ok(true),
            "false" | "non" | "0" | "" => Ok(false),
            _ => Err(serde::de::Error::custom(
                "« cloture » vaut true ou false (oui ou non)",
            )),
        },
    }
}

/// A record checked: every value is well formed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Advisor {
        reference: String,
        advisor: Advisor,
    },
    Entity {
        siren: String,
        name: String,
        kind: EntityKind,
        advisor: String,
    },
    /// An account (code: its IBAN) or a contract (code: its reference).
    Resource {
        table: ResourceTable,
        entity: String,
        code: String,
        label: String,
        /// The currency of an account, the kind's code of a contract.
        extra: String,
        closed: bool,
    },
    Person {
        reference: String,
        entity: String,
        person: Person,
    },
}

impl Record {
    pub fn record_type(&self) -> RecordType {
        match self {
            Record::Advisor { .. } => RecordType::Advisor,
            Record::Entity { .. } => RecordType::Entity,
            Record::Resource {
                table: ResourceTable::Accounts,
                ..
            } => RecordType::Account,
            Record::Resource { .. } => RecordType::Contract,
            Record::Person { .. } => RecordType::Person,
        }
    }

    /// What identifies it: two records with the same key in one file are refused.
    fn key(&self) -> (RecordType, &str) {
        let code = match self {
            Record::Advisor { reference, .. } | Record::Person { reference, .. } => reference,
            Record::Entity { siren, .. } => siren,
            Record::Resource { code, .. } => code,
        };
        (self.record_type(), code)
    }
}

/// A record and the line of the file it is on (1 is the first line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub record: Record,
}

/// A line refused, and why (in French, for the bank's teams).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    #[serde(rename = "ligne")]
    pub line: usize,
    #[serde(rename = "raison")]
    pub reason: String,
}

/// Lines per file at most: a larger file is split by the sender.
pub const MAX_LINES: usize = 50_000;

/// Reads JSON lines: one object per line, with its `type`; blank lines are skipped.
pub fn parse_json_lines(text: &str) -> Result<Vec<Line>, Vec<Refusal>> {
    let mut lines = Vec::new();
    let mut refusals = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        match json_record(raw) {
            Ok(record) => lines.push(Line { number, record }),
            Err(reason) => refusals.push(Refusal {
                line: number,
                reason,
            }),
        }
    }
    finish(lines, refusals)
}

fn json_record(raw: &str) -> Result<Record, String> {
    let mut value: serde_json::Value =
        serde_json::from_str(raw).map_err(|_| "ce n’est pas un objet JSON valide".to_string())?;
    let object = value
        .as_object_mut()
        .ok_or_else(|| "ce n’est pas un objet JSON".to_string())?;
    let record_type = match object.remove("type") {
        Some(serde_json::Value::String(code)) => RecordType::from_code(&code)
            .ok_or_else(|| format!("type inconnu « {code} »{}", known_types()))?,
        _ => return Err(format!("le champ « type » manque{}", known_types())),
    };
    match record_type {
        RecordType::Advisor => advisor(from_json(value)?),
        RecordType::Entity => entity(from_json(value)?),
        RecordType::Account => account(from_json(value)?),
        RecordType::Contract => contract(from_json(value)?),
        RecordType::Person => person(from_json(value)?),
    }
}

fn known_types() -> String {
    let codes: Vec<&str> = RecordType::ALL.into_iter().map(RecordType::code).collect();
    format!(" ({})", codes.join(", "))
}

fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|error| field_error(&error.to_string()))
}

/// serde's message, said in French: which field is missing or unknown.
fn field_error(message: &str) -> String {
    let quoted = message
        .split('`')
        .nth(1)
        .map(str::to_string)
        .unwrap_or_default();
    if message.contains("missing field") {
        format!("le champ « {quoted} » manque")
    } else if message.contains("unknown field") {
        format!("champ inconnu « {quoted} »")
    } else if message.contains("invalid type") {
        "un champ n’a pas le bon type (texte attendu)".into()
    } else {
        message.to_string()
    }
}

/// Reads a CSV file of one type of record: a header line naming the fields (those of the JSON
/// records, without `type`), then one record per line; `;` or `,` between fields.
pub fn parse_csv(text: &str, record_type: RecordType) -> Result<Vec<Line>, Vec<Refusal>> {
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.contains(';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(_) => {
            return Err(vec![Refusal {
                line: 1,
                reason: "la ligne d’en-tête est illisible".into(),
            }])
        }
    };
    let mut lines = Vec::new();
    let mut refusals = Vec::new();
    for row in reader.records() {
        let (number, result) = match row {
            Ok(row) => {
                let number = row.position().map_or(0, |p| p.line() as usize);
                (number, csv_record(&row, &headers, record_type))
            }
            Err(error) => (
                error.position().map_or(0, |p| p.line() as usize),
                Err("la ligne n’a pas autant de champs que l’en-tête".to_string()),
            ),
        };
        match result {
            Ok(record) => lines.push(Line { number, record }),
            Err(reason) => refusals.push(Refusal {
                line: number,
                reason,
            }),
        }
    }
    finish(lines, refusals)
}

fn csv_record(
    row: &csv::StringRecord,
    headers: &csv::StringRecord,
    record_type: RecordType,
) -> Result<Record, String> {
    fn read<T: DeserializeOwned>(
        row: &csv::StringRecord,
        headers: &csv::StringRecord,
    ) -> Result<T, String> {
        row.deserialize(Some(headers))
            .map_err(|error| field_error(&error.to_string()))
    }
    match record_type {
        RecordType::Advisor => advisor(read(row, headers)?),
        RecordType::Entity => entity(read(row, headers)?),
        RecordType::Account => account(read(row, headers)?),
        RecordType::Contract => contract(read(row, headers)?),
        RecordType::Person => {
            let mut fields: PersonFields = read(row, headers)?;
            // An empty cell is no e-mail.
            fields.email = fields.email.filter(|email| !email.trim().is_empty());
            person(fields)
        }
    }
}

/// The lines read, or every refusal: too many lines, a record twice, bad values.
fn finish(lines: Vec<Line>, mut refusals: Vec<Refusal>) -> Result<Vec<Line>, Vec<Refusal>> {
    if lines.len() + refusals.len() > MAX_LINES {
        return Err(vec![Refusal {
            line: MAX_LINES + 1,
            reason: format!("un fichier compte au plus {MAX_LINES} lignes : découpez-le"),
        }]);
    }
    let mut first_seen: HashMap<(RecordType, &str), usize> = HashMap::new();
    for line in &lines {
        match first_seen.entry(line.record.key()) {
            Entry::Occupied(first) => refusals.push(Refusal {
                line: line.number,
                reason: format!(
                    "{} « {} » figure déjà ligne {}",
                    line.record.record_type().code(),
                    line.record.key().1,
                    first.get()
                ),
            }),
            Entry::Vacant(slot) => {
                slot.insert(line.number);
            }
        }
    }
    if refusals.is_empty() {
        Ok(lines)
    } else {
        refusals.sort_by_key(|refusal| refusal.line);
        Err(refusals)
    }
}

// Values, checked one by one (parse, don't validate: a `Record` holds only good values).

/// A text shown to people: trimmed, not empty, at most `max` characters, no control character.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("« {field} » est vide"));
    }
    if value.chars().count() > max {
        return Err(format!("« {field} » dépasse {max} caractères"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("« {field} » contient un caractère de contrôle"));
    }
    Ok(value.to_string())
}

/// The bank's own identifier of an advisor or a person: 1 to 64 letters, digits, `.`, `_`, `-`.
fn reference(field: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty()
        || value.len() > 64
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(format!(
            "« {field} » doit compter 1 à 64 lettres, chiffres, « . », « _ » ou « - »"
        ));
    }
    Ok(value.to_string())
}

/// A SIREN: 9 digits whose Luhn checksum holds.
fn siren(field: &str, value: &str) -> Result<String, String> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() != 9 || !compact.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("« {field} » doit être un SIREN de 9 chiffres"));
    }
    let sum: u32 = compact
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let digit = c.to_digit(10).unwrap_or(0);
            if i % 2 == 1 {
                let doubled = digit * 2;
                doubled / 10 + doubled % 10
            } else {
                digit
            }
        })
        .sum();
    if !sum.is_multiple_of(10) {
        return Err(format!(
            "« {field} » : le SIREN {compact} n’est pas valide (clé)"
        ));
    }
    Ok(compact)
}

/// A phone number in E.164: `+`, a country code, at most 15 digits in all.
fn phone(field: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    let digits = value.strip_prefix('+').unwrap_or_default();
    if !(8..=15).contains(&digits.len())
        || !digits.chars().all(|c| c.is_ascii_digit())
        || digits.starts_with('0')
    {
        return Err(format!(
            "« {field} » doit être un numéro international (E.164), par exemple +33612345678"
        ));
    }
    Ok(value.to_string())
}

/// A mobile number in E.164 (the temporary password goes there by SMS): a French one is
/// `+336…` or `+337…` and 9 digits after `+33`.
pub fn mobile(field: &str, value: &str) -> Result<String, String> {
    let value = phone(field, value)?;
    if let Some(national) = value.strip_prefix("+33") {
        if national.len() != 9 || !(national.starts_with('6') || national.starts_with('7')) {
            return Err(format!(
                "« {field} » doit être un numéro de mobile : +336 ou +337 suivi de 8 chiffres"
            ));
        }
    }
    Ok(value)
}

/// A birth date `AAAA-MM-JJ` that exists, from 1900 to `today`.
pub fn birth_date(field: &str, value: &str, today: model::Day) -> Result<String, String> {
    let invalid = || format!("« {field} » doit être une date réelle au format AAAA-MM-JJ");
    let mut parts = value.trim().splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return Err(invalid());
    }
    let (Ok(year), Ok(month), Ok(day)) = (year.parse::<i32>(), month.parse::<u8>(), day.parse())
    else {
        return Err(invalid());
    };
    let month = time::Month::try_from(month).map_err(|_| invalid())?;
    let date = time::Date::from_calendar_date(year, month, day).map_err(|_| invalid())?;
    let iso = format!("{year:04}-{:02}-{:02}", u8::from(date.month()), date.day());
    // ISO dates compare as text.
    if year < 1900 || iso > today.iso() {
        return Err(format!(
            "« {field} » doit être entre 1900-01-01 et aujourd’hui"
        ));
    }
    Ok(iso)
}

pub fn email(field: &str, value: &str) -> Result<String, String> {
    model::Email::parse(value)
        .map(|email| email.as_str().to_string())
        .map_err(|_| format!("« {field} » n’est pas une adresse e-mail valide"))
}

fn advisor(fields: AdvisorFields) -> Result<Record, String> {
    Ok(Record::Advisor {
        reference: reference("reference", &fields.reference)?,
        advisor: Advisor {
            civility: text("civilite", &fields.civilite, 20)?,
            first_name: text("prenom", &fields.prenom, 100)?,
            last_name: text("nom", &fields.nom, 100)?,
            agency: text("agence", &fields.agence, 200)?,
            phone: phone("telephone", &fields.telephone)?,
            email: email("email", &fields.email)?,
        },
    })
}

fn entity(fields: EntityFields) -> Result<Record, String> {
    let kind = EntityKind::try_from(fields.forme.trim().to_string())
        .map_err(|_| "« forme » vaut entreprise, association ou institution".to_string())?;
    Ok(Record::Entity {
        siren: siren("siren", &fields.siren)?,
        name: text("nom", &fields.nom, 200)?,
        kind,
        advisor: reference("conseiller", &fields.conseiller)?,
    })
}

fn account(fields: AccountFields) -> Result<Record, String> {
    let iban: String = fields
        .iban
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if !model::catalog::is_valid_iban(&iban) {
        return Err(format!("« iban » : {iban} n’est pas un IBAN valide"));
    }
    let currency = fields.devise.trim().to_string();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err("« devise » doit être un code ISO 4217 de 3 lettres (EUR)".into());
    }
    Ok(Record::Resource {
        table: ResourceTable::Accounts,
        entity: siren("entite", &fields.entite)?,
        code: iban,
        label: text("libelle", &fields.libelle, 200)?,
        extra: currency,
        closed: fields.cloture,
    })
}

fn contract(fields: ContractFields) -> Result<Record, String> {
    let kind = model::ContractKind::try_from(fields.nature.trim().to_string()).map_err(|_| {
        let codes: Vec<&str> = model::ContractKind::ALL
            .into_iter()
            .map(|kind| kind.code())
            .collect();
        format!("« nature » vaut l’un de : {}", codes.join(", "))
    })?;
    Ok(Record::Resource {
        table: ResourceTable::Contracts,
        entity: siren("entite", &fields.entite)?,
        code: reference("reference", &fields.reference)?,
        label: text("libelle", &fields.libelle, 200)?,
        extra: kind.code().to_string(),
        closed: fields.cloture,
    })
}

fn person(fields: PersonFields) -> Result<Record, String> {
    let today = model::Day::in_paris_at(now());
    Ok(Record::Person {
        reference: reference("reference", &fields.reference)?,
        entity: siren("entite", &fields.entite)?,
        person: Person {
            id: 0,
            first_name: text("prenom", &fields.prenom, 100)?,
            last_name: text("nom", &fields.nom, 100)?,
            birth_date: birth_date("date_naissance", &fields.date_naissance, today)?,
            phone: mobile("telephone", &fields.telephone)?,
            email: fields
                .email
                .as_deref()
                .map(|value| email("email", value))
                .transpose()?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> model::Day {
        model::Day::parse("2026-12-04").unwrap()
    }

    const PERSON: &str = r#"{"type":"personne","reference":"P-1","entite":"552100554","nom":"MOREAU","prenom":"Lucas","date_naissance":"1990-02-28","telephone":"+33612345678"}"#;

    #[test]
    fn a_siren_needs_nine_digits_and_its_key() {
        assert_eq!(siren("siren", "552 100 554").unwrap(), "552100554");
        assert!(siren("siren", "552100555").is_err());
        assert!(siren("siren", "55210055").is_err());
        assert!(siren("siren", "55210055A").is_err());
    }

    #[test]
    fn a_persons_phone_is_a_mobile_in_e164() {
        assert!(mobile("telephone", "+33612345678").is_ok());
        assert!(mobile("telephone", "+33712345678").is_ok());
        assert!(mobile("telephone", "+447700900123").is_ok());
        for bad in [
            "0612345678",
            "+33112345678",
            "+3361234567",
            "+33 6 12 34 56 78",
            "+0612345678",
            "+33612345678\u{7}",
        ] {
            assert!(mobile("telephone", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_birth_date_is_a_real_past_day() {
        assert_eq!(
            birth_date("d", "1990-02-28", today()).unwrap(),
            "1990-02-28"
        );
        assert_eq!(
            birth_date("d", "2000-02-29", today()).unwrap(),
            "2000-02-29"
        );
        for bad in [
            "1990-02-30",
            "1900-02-29",
            "1899-12-31",
            "2027-01-01",
            "90-02-28",
            "1990-2-28",
            "28/02/1990",
            "",
        ] {
            assert!(birth_date("d", bad, today()).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_refuse_control_characters_and_emptiness() {
        assert_eq!(text("nom", "  MOREAU ", 100).unwrap(), "MOREAU");
        assert!(text("nom", "MO\u{0}REAU", 100).is_err());
        assert!(text("nom", "MO\nREAU", 100).is_err());
        assert!(text("nom", "   ", 100).is_err());
        assert!(text("nom", &"x".repeat(101), 100).is_err());
    }

    #[test]
    fn json_lines_give_records_with_their_line_numbers() {
        let file = format!("\n{PERSON}\n");
        let lines = parse_json_lines(&file).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].number, 2);
        let Record::Person { person, .. } = &lines[0].record else {
            panic!("not a person");
        };
        assert_eq!(person.registered_name(), "MOREAU Lucas");
        assert_eq!(person.email, None);
    }

    #[test]
    fn every_bad_line_is_refused_with_its_number_and_reason() {
        let unknown_field = PERSON.replace("\"nom\"", "\"surnom\":\"x\",\"nom\"");
        let bad_phone = PERSON.replace("+33612345678", "0612345678");
        let file = format!(
            "{PERSON}\n{unknown_field}\nnot json\n{{\"type\":\"banane\"}}\n{bad_phone}\n{PERSON}\n"
        );
        let refusals = parse_json_lines(&file).unwrap_err();
        let lines: Vec<usize> = refusals.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6], "{refusals:?}");
        assert!(
            refusals[0].reason.contains("surnom"),
            "{}",
            refusals[0].reason
        );
        assert!(refusals[2].reason.contains("banane"));
        assert!(refusals[3].reason.contains("telephone"));
        assert!(
            refusals[4].reason.contains("ligne 1"),
            "{}",
            refusals[4].reason
        );
    }

    #[test]
    fn a_csv_file_reads_one_type_with_either_separator() {
        let semicolons = "reference;entite;nom;prenom;date_naissance;telephone;email\n\
                          P-1;552100554;MOREAU;Lucas;1990-02-28;+33612345678;\n\
                          P-2;552100554;GIRARD;Emma;1985-07-14;+33712345678;emma@example.fr\n";
        let lines = parse_csv(semicolons, RecordType::Person).unwrap();
        assert_eq!(lines.iter().map(|l| l.number).collect::<Vec<_>>(), [2, 3]);
        let Record::Person { person, .. } = &lines[1].record else {
            panic!("not a person");
        };
        assert_eq!(person.email.as_deref(), Some("emma@example.fr"));
        let commas = "entite,iban,libelle,devise,cloture\n\
                      552100554,FR76 1020 7000 4504 0212 3456 745,Compte courant,EUR,oui\n\
                      552100554,FR7610207000450402123456746,Faux,EUR,\n";
        let refusals = parse_csv(commas, RecordType::Account).unwrap_err();
        assert_eq!(refusals.len(), 1);
        assert_eq!(refusals[0].line, 3);
        assert!(refusals[0].reason.contains("IBAN"));
    }
}
