//! The French and English texts of the UI have the same keys and the same placeholders: no
//! text is left untranslated, none translated without its values.

use serde_json::Value;
use std::collections::BTreeMap;

/// Every text of a locale file, by its dotted key.
fn texts(json: &str) -> BTreeMap<String, String> {
    fn walk(value: &Value, prefix: &str, out: &mut BTreeMap<String, String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(value, &path, out);
                }
            }
            Value::String(text) => {
                out.insert(prefix.to_string(), text.clone());
            }
            other => panic!("{prefix}: a text is expected, not {other}"),
        }
    }
    let value: Value = serde_json::from_str(json).expect("locale file is JSON");
    let mut out = BTreeMap::new();
    walk(&value, "", &mut out);
    out
}

/// The placeholders of a text: `{{ name }}` (views) and `{name}` (attributes).
fn placeholders(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split('}').next())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .collect();
    names.sort();
    names
}

#[test]
fn french_and_english_have_the_same_keys_and_placeholders() {
    let fr = texts(include_str!("../locales/fr.json"));
    let en = texts(include_str!("../locales/en.json"));
    let only_fr: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
    let only_en: Vec<_> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
    assert!(only_fr.is_empty(), "untranslated in English: {only_fr:?}");
    assert!(only_en.is_empty(), "missing in French: {only_en:?}");
    for (key, french) in &fr {
        assert_eq!(
            placeholders(french),
            placeholders(&en[key]),
            "{key}: the same values in both languages"
        );
        assert!(!en[key].trim().is_empty(), "{key}: empty in English");
    }
    assert!(fr.len() > 150, "{} texts", fr.len());
}

#[test]
fn placeholders_are_found_in_both_syntaxes() {
    assert_eq!(
        placeholders("Étape {{ step }} sur {{ total }}"),
        vec!["step", "total"]
    );
    assert_eq!(placeholders("Toute la colonne {column}"), vec!["column"]);
}
