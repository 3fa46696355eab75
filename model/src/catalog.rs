//! The accounts and contracts of an entity: the rows of the rights grid.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One thing a right applies to. Accounts sort before contracts, each by id, which gives the
/// grid and the canonical form one stable order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ResourceRef {
    Account(i64),
    Contract(i64),
}

impl ResourceRef {
    /// A short stable key (`A12`, `C3`), used in the canonical form and as a DOM key.
    pub fn key(&self) -> String {
        match self {
            ResourceRef::Account(id) => format!("A{id}"),
            ResourceRef::Contract(id) => format!("C{id}"),
        }
    }

    pub fn is_account(&self) -> bool {
        matches!(self, ResourceRef::Account(_))
    }
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// The kinds of contract a business client subscribes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractKind {
    VirementsSepa,
    VirementsInternationaux,
    PrelevementsSepa,
    EffetsDeCommerce,
    Cartes,
    Titres,
    EchangeDeFichiers,
    RemisesDeCheques,
}

impl ContractKind {
    pub const ALL: [ContractKind; 8] = [
        ContractKind::VirementsSepa,
        ContractKind::VirementsInternationaux,
        ContractKind::PrelevementsSepa,
        ContractKind::EffetsDeCommerce,
        ContractKind::Cartes,
        ContractKind::Titres,
        ContractKind::EchangeDeFichiers,
        ContractKind::RemisesDeCheques,
    ];

    /// The French name shown to administrators.
    pub fn label(self) -> &'static str {
        match self {
            ContractKind::VirementsSepa => "Virements SEPA",
            ContractKind::VirementsInternationaux => "Virements internationaux",
            ContractKind::PrelevementsSepa => "Prélèvements SEPA",
            ContractKind::EffetsDeCommerce => "Effets de commerce (LCR)",
            ContractKind::Cartes => "Cartes",
            ContractKind::Titres => "Titres",
            ContractKind::EchangeDeFichiers => "Échange de fichiers (EBICS)",
            ContractKind::RemisesDeCheques => "Remises de chèques",
        }
    }

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            ContractKind::VirementsSepa => "virements_sepa",
            ContractKind::VirementsInternationaux => "virements_internationaux",
            ContractKind::PrelevementsSepa => "prelevements_sepa",
            ContractKind::EffetsDeCommerce => "effets_de_commerce",
            ContractKind::Cartes => "cartes",
            ContractKind::Titres => "titres",
            ContractKind::EchangeDeFichiers => "echange_de_fichiers",
            ContractKind::RemisesDeCheques => "remises_de_cheques",
        }
    }

    pub fn from_code(code: &str) -> Option<ContractKind> {
        ContractKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub label: String,
    /// Stored without spaces; see [`format_iban`] for display.
    pub iban: String,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub id: i64,
    pub kind: ContractKind,
    pub label: String,
    pub reference: String,
}

/// Everything of one entity that rights can be given on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub accounts: Vec<Account>,
    pub contracts: Vec<Contract>,
}

impl Catalog {
    /// Every resource, accounts first, in grid order.
    pub fn resources(&self) -> impl Iterator<Item = ResourceRef> + '_ {
        self.accounts
            .iter()
            .map(|a| ResourceRef::Account(a.id))
            .chain(self.contracts.iter().map(|c| ResourceRef::Contract(c.id)))
    }

    pub fn len(&self) -> usize {
        self.accounts.len() + self.contracts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, resource: ResourceRef) -> bool {
        match resource {
            ResourceRef::Account(id) => self.accounts.iter().any(|a| a.id == id),
            ResourceRef::Contract(id) => self.contracts.iter().any(|c| c.id == id),
        }
    }

    /// The name of a resource as the administrator knows it.
    pub fn label(&self, resource: ResourceRef) -> Option<&str> {
        match resource {
            ResourceRef::Account(id) => self
                .accounts
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.label.as_str()),
            ResourceRef::Contract(id) => self
                .contracts
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.label.as_str()),
        }
    }

    /// The second line that tells two similar resources apart: IBAN and currency for an account,
    /// kind and reference for a contract.
    pub fn detail(&self, resource: ResourceRef) -> Option<String> {
        match resource {
            ResourceRef::Account(id) => self
                .accounts
                .iter()
                .find(|a| a.id == id)
                .map(|a| format!("{} · {}", format_iban(&a.iban), a.currency)),
            ResourceRef::Contract(id) => self
                .contracts
                .iter()
                .find(|c| c.id == id)
                .map(|c| format!("{} · {}", c.kind.label(), c.reference)),
        }
    }
}

/// Groups an IBAN by four characters, as printed on a RIB.
pub fn format_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks an IBAN's structure and ISO 13616 check digits (mod 97).
pub fn is_valid_iban(iban: &str) -> bool {
    let compact: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len())
        || !compact
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        || !compact[..2].chars().all(|c| c.is_ascii_uppercase())
        || !compact[2..4].chars().all(|c| c.is_ascii_digit())
    {
        return false;
    }
    iban_remainder(&compact[4..], &compact[..4]) == 1
}

/// Computes the two check digits for a country code and a BBAN.
pub fn iban_check_digits(country: &str, bban: &str) -> String {
    let remainder = iban_remainder(bban, &format!("{country}00"));
    format!("{:02}", 98 - remainder)
}

fn iban_remainder(bban: &str, head: &str) -> u32 {
    bban.chars()
        .chain(head.chars())
        .fold(0u32, |acc, c| match c.to_digit(36) {
            Some(v) if v >= 10 => (acc * 100 + v) % 97,
            Some(v) => (acc * 10 + v) % 97,
            None => acc,
        })
}

/// A catalog for tests: accounts and contracts with these ids and plain names.
#[cfg(test)]
pub(crate) fn test_catalog(account_ids: &[i64], contract_ids: &[i64]) -> Catalog {
    Catalog {
        accounts: account_ids
            .iter()
            .map(|&id| Account {
                id,
                label: format!("Compte {id}"),
                iban: "FR7630006000011234567890189".into(),
                currency: "EUR".into(),
            })
            .collect(),
        contracts: contract_ids
            .iter()
            .map(|&id| Contract {
                id,
                kind: ContractKind::VirementsSepa,
                label: format!("Contrat {id}"),
                reference: format!("R{id}"),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_french_iban_is_valid_and_formatted_by_four() {
        let iban = "FR7630006000011234567890189";
        assert!(is_valid_iban(iban));
        assert_eq!(format_iban(iban), "FR76 3000 6000 0112 3456 7890 189");
        assert!(!is_valid_iban("FR7630006000011234567890188"));
    }

    #[test]
    fn check_digits_make_a_valid_iban() {
        let bban = "30006000011234567890189";
        let iban = format!("FR{}{bban}", iban_check_digits("FR", bban));
        assert_eq!(iban, "FR7630006000011234567890189");
    }

    #[test]
    fn resources_list_accounts_before_contracts() {
        let catalog = Catalog {
            accounts: vec![Account {
                id: 9,
                label: "Compte courant".into(),
                iban: "FR7630006000011234567890189".into(),
                currency: "EUR".into(),
            }],
            contracts: vec![Contract {
                id: 1,
                kind: ContractKind::Cartes,
                label: "Cartes affaires".into(),
                reference: "CB-1".into(),
            }],
        };
        let all: Vec<_> = catalog.resources().collect();
        assert_eq!(all, vec![ResourceRef::Account(9), ResourceRef::Contract(1)]);
        assert!(ResourceRef::Account(100) < ResourceRef::Contract(1));
        assert_eq!(
            catalog.detail(ResourceRef::Contract(1)).unwrap(),
            "Cartes · CB-1"
        );
        assert!(!catalog.contains(ResourceRef::Contract(9)));
    }

    #[test]
    fn contract_codes_round_trip() {
        for kind in ContractKind::ALL {
            assert_eq!(ContractKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(ContractKind::from_code("autre"), None);
    }
}
