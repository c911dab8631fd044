//! The reader's language: English or German, from the system unless the
//! user chose one.

use serde::{Deserialize, Serialize};

/// A language Docket Sync speaks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The two-letter code (`en`, `de`), also the catalogue folder.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// A language tag or locale name (`de`, `de-AT`, `de_CH.UTF-8`,
    /// `en_GB`): German for any `de`, English for any other language;
    /// `None` for an empty value and for `C`/`POSIX`, which name none.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim();
        let primary = tag
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "" | "c" | "posix" => None,
            "de" => Some(Lang::De),
            _ => Some(Lang::En),
        }
    }

    /// The system's language: on Linux the POSIX order (`LC_ALL`, then
    /// `LC_MESSAGES`, then `LANG`; GNU `LANGUAGE` first when set); on
    /// Windows and macOS the user's UI language (`sys-locale`). English
    /// when nothing says otherwise.
    pub fn from_system() -> Lang {
        system::tags()
            .iter()
            .find_map(|t| Lang::from_tag(t))
            .unwrap_or_default()
    }

    /// The user's choice if any (`"de"`, `"en"`, `"system"` or nothing),
    /// else the system's language.
    pub fn choose(setting: Option<&str>) -> Lang {
        match setting.map(str::trim) {
            None | Some("") | Some("system") => Lang::from_system(),
            Some(tag) => Lang::from_tag(tag).unwrap_or_else(Lang::from_system),
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(unix)]
#[cfg(not(target_os = "macos"))]
mod system {
    /// The locale variables in the order gettext reads them for messages.
    pub fn tags() -> Vec<String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let mut out = vec![];
        // LANGUAGE is a colon-separated priority list; gettext ignores it
        // when the locale is C, and so do we.
        let locale = var("LC_ALL")
            .or_else(|| var("LC_MESSAGES"))
            .or_else(|| var("LANG"));
        if let (Some(list), Some(l)) = (var("LANGUAGE"), locale.as_deref()) {
            if super::Lang::from_tag(l).is_some() {
                out.extend(list.split(':').map(str::to_string));
            }
        }
        out.extend(locale);
        out
    }
}

#[cfg(any(windows, target_os = "macos"))]
mod system {
    /// The user's preferred UI languages, most preferred first.
    pub fn tags() -> Vec<String> {
        sys_locale::get_locales().collect()
    }
}

#[cfg(not(any(unix, windows)))]
mod system {
    pub fn tags() -> Vec<String> {
        sys_locale::get_locale().into_iter().collect()
    }
}
