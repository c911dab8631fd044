//! The tray's own words (`docket-text`'s `locales/*/tray.ftl`, embedded
//! there and reached through `docket_app::text::TRAY`: menu labels, the
//! window's headings and buttons) next to the built-in catalogues, in the
//! snapshot's language.

use std::collections::BTreeMap;

use docket_app::text::TRAY;
use docket_app::{Lang, Texts};

/// The built-in catalogues plus the tray's, in `lang`.
pub fn texts(lang: Lang) -> Texts {
    // Checked by `tests::tray_catalogues_parse_and_agree`.
    Texts::with_resources(lang, TRAY).unwrap_or_else(|_| Texts::new(lang))
}

/// Every tray word without arguments, by id, for the window.
pub fn words(texts: &Texts) -> BTreeMap<String, String> {
    let source = TRAY
        .iter()
        .find(|r| r.lang == texts.lang())
        .map_or("", |r| r.source);
    source
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(id, _)| id.trim()))
        .filter(|id| id.starts_with("tray-") && !id.contains(' '))
        .map(|id| (id.to_string(), texts.word(id)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tray_catalogues_parse_and_agree() {
        assert_eq!(docket_app::text::disagreements(TRAY), Vec::<String>::new());
        for lang in Lang::ALL {
            Texts::with_resources(lang, TRAY).expect("tray.ftl adds to the built-in catalogues");
        }
    }

    /// A word in `tray.ftl` that neither the page nor the shell uses is
    /// one a translator keeps up for nothing (six were, and the window
    /// showed bare numbers beside the unused "109 items in step").
    #[test]
    fn every_tray_word_is_used() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut users = String::new();
        for dir in [root.join("src"), root.join("../ui")] {
            for entry in std::fs::read_dir(dir).unwrap() {
                users += &std::fs::read_to_string(entry.unwrap().path()).unwrap();
            }
        }
        let unused: Vec<String> = words(&texts(Lang::En))
            .into_keys()
            .filter(|id| !users.contains(&format!("\"{id}\"")))
            .collect();
        assert_eq!(unused, Vec::<String>::new());
    }

    #[test]
    fn menu_words_exist_in_both_languages() {
        let en = words(&texts(Lang::En));
        let de = words(&texts(Lang::De));
        assert_eq!(en["tray-menu-export-now"], "Export now");
        assert_eq!(de["tray-menu-export-now"], "Jetzt exportieren");
        assert_eq!(en.keys().collect::<Vec<_>>(), de.keys().collect::<Vec<_>>());
        assert!(en.values().all(|w| !w.starts_with('[')), "{en:?}");
    }
}
