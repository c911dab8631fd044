//! Tidy (after rust-analyzer's): the house rules a compiler does not
//! check, over the whole repository.
//!
//! - every Rust module under a crate's `src/` opens with a `//!` header
//!   that says what it is for;
//! - no library crate names a CLI command in text a person reads (Rust
//!   string literals, also those spanning lines, and the shared Fluent
//!   catalogues): the fix is an action, and each front end says it in
//!   its own words;
//! - the front ends (the CLI, the tray) depend on `docket-app` alone of
//!   the product's crates (their tests may look further);
//! - what firms deploy carries no fake Microsoft: no crate the front ends
//!   link (their normal dependencies, followed through the workspace) is
//!   the emulator or the test kit;
//! - no crate's code embeds a file of another crate (`include_str!`,
//!   `include_bytes!` with a path out of its own folder): what a crate
//!   needs of another comes through that crate's API;
//! - ARCHITECTURE.md names every crate of the workspace.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository root")
        .to_path_buf()
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if !matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("target" | "node_modules" | ".git" | "gen")
            ) {
                files(&p, ext, out);
            }
        } else if p.extension().and_then(|x| x.to_str()) == Some(ext) {
            out.push(p);
        }
    }
}

/// The crates: `crates/*` plus `src-tauri` and `xtask`.
fn crates() -> Vec<PathBuf> {
    let root = root();
    let mut out: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    for extra in ["src-tauri", "xtask"] {
        if root.join(extra).join("Cargo.toml").exists() {
            out.push(root.join(extra));
        }
    }
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

#[test]
fn every_module_has_a_header() {
    let mut missing = vec![];
    for c in crates() {
        let mut rs = vec![];
        files(&c.join("src"), "rs", &mut rs);
        for f in rs {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty() && !l.starts_with("#!["))
                .unwrap_or_default();
            if !first.starts_with("//!") {
                missing.push(rel(&f));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "these modules do not open with a `//!` header saying what they are for:\n{}",
        missing.join("\n")
    );
}

/// `docketsync <command>` as a person would be told to type it.
fn names_a_command(line: &str) -> bool {
    const COMMANDS: &[&str] = &[
        "signin",
        "signout",
        "sync",
        "status",
        "doctor",
        "run",
        "demo",
        "client-secret",
        "source-credential",
        "check",
        "export",
        "help",
    ];
    line.match_indices("docketsync ").any(|(i, m)| {
        let rest = &line[i + m.len()..];
        COMMANDS.iter().any(|c| rest.starts_with(c))
    })
}

/// The string literals of Rust source before its `#[cfg(test)]` module,
/// each with the line it starts on, and with a `\`-newline continuation
/// read as Rust reads it (the next line's leading spaces dropped).
/// Comments are skipped; so are char literals (`'"'`). A small lexer, not
/// a parser: enough for the house style.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let code = match source.find("#[cfg(test)]") {
        Some(at) => &source[..at],
        None => source,
    };
    let c: Vec<char> = code.chars().collect();
    let mut out = vec![];
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        match (c[i], c.get(i + 1).copied()) {
            ('\n', _) => line += 1,
            ('/', Some('/')) => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            ('/', Some('*')) => {
                i += 2;
                while i < c.len() && !(c[i] == '*' && c.get(i + 1) == Some(&'/')) {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
                i += 1;
            }
            // A char literal ('"', '\''); a lifetime has no closing quote.
            ('\'', Some('\\')) => i += 3,
            ('\'', Some(_)) if c.get(i + 2) == Some(&'\'') => i += 2,
            ('r', Some('"' | '#')) if i == 0 || !c[i - 1].is_alphanumeric() => {
                let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
                if c.get(i + 1 + hashes) == Some(&'"') {
                    let (start, mut text) = (line, String::new());
                    i += hashes + 2;
                    let closes =
                        |i: usize| c[i] == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#'));
                    while i < c.len() && !closes(i) {
                        line += usize::from(c[i] == '\n');
                        text.push(c[i]);
                        i += 1;
                    }
                    i += hashes;
                    out.push((start, text));
                }
            }
            ('"', _) => {
                let (start, mut text) = (line, String::new());
                i += 1;
                while i < c.len() && c[i] != '"' {
                    match (c[i], c.get(i + 1).copied()) {
                        ('\\', Some('\n')) => {
                            line += 1;
                            i += 2;
                            while i < c.len() && c[i].is_whitespace() {
                                line += usize::from(c[i] == '\n');
                                i += 1;
                            }
                            continue;
                        }
                        ('\\', Some(e)) => {
                            text.push('\\');
                            text.push(e);
                            i += 1;
                        }
                        (ch, _) => {
                            line += usize::from(ch == '\n');
                            text.push(ch);
                        }
                    }
                    i += 1;
                }
                out.push((start, text));
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[test]
fn no_library_crate_names_a_cli_command_in_user_text() {
    let mut found = vec![];
    for c in crates() {
        let name = c.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        // The CLI itself, and the tools around the product (the test kit
        // drives the CLI by its commands).
        if matches!(
            name,
            "docketsync" | "xtask" | "m365-emulator" | "docket-testkit"
        ) {
            continue;
        }
        let mut rs = vec![];
        files(&c.join("src"), "rs", &mut rs);
        for f in rs {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for (n, literal) in string_literals(&text) {
                if names_a_command(&literal) {
                    let first = literal.lines().next().unwrap_or_default();
                    found.push(format!("{}:{n}: \"{first}\"", rel(&f)));
                }
            }
        }
        let mut ftl = vec![];
        files(&c.join("locales"), "ftl", &mut ftl);
        for f in ftl {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                if !line.trim_start().starts_with('#') && names_a_command(line) {
                    found.push(format!("{}:{}: {}", rel(&f), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "library text names a CLI command (say the fix as a docket_text::Action; the CLI words it):\n{}",
        found.join("\n")
    );
}

/// The product crates (`docket-*`) a manifest depends on outside its
/// dev- and build-dependencies.
fn product_dependencies(manifest: &str) -> Vec<String> {
    normal_dependencies(manifest)
        .into_iter()
        .filter(|name| name.starts_with("docket-"))
        .collect()
}

/// The names of the normal dependencies in `manifest` (also
/// target-specific ones; not dev- or build-dependencies).
fn normal_dependencies(manifest: &str) -> Vec<String> {
    let mut section = "";
    let mut out = vec![];
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let normal = section.ends_with("dependencies]")
            && !section.ends_with("dev-dependencies]")
            && !section.ends_with("build-dependencies]");
        let name = line.split(['=', ' ', '.']).next().unwrap_or_default();
        if normal && !name.is_empty() && !name.starts_with('#') {
            out.push(name.to_string());
        }
    }
    out
}

/// A manifest's `[package] name`.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && line.starts_with("name") {
            return line.split('"').nth(1).map(str::to_string);
        }
    }
    None
}

#[test]
fn the_product_links_no_emulator() {
    use std::collections::{BTreeMap, BTreeSet};
    let manifests: BTreeMap<String, String> = crates()
        .iter()
        .filter_map(|c| {
            let text = std::fs::read_to_string(c.join("Cargo.toml")).ok()?;
            Some((package_name(&text)?, text))
        })
        .collect();
    for must in [
        "docketsync",
        "docket-tray",
        "m365-emulator",
        "docket-testkit",
    ] {
        assert!(manifests.contains_key(must), "no workspace crate {must}");
    }
    // What the front ends link, followed through the workspace's crates.
    let mut linked = BTreeSet::new();
    let mut todo = vec!["docketsync".to_string(), "docket-tray".to_string()];
    while let Some(name) = todo.pop() {
        if let Some(manifest) = manifests.get(&name) {
            for dep in normal_dependencies(manifest) {
                if manifests.contains_key(&dep) && linked.insert(dep.clone()) {
                    todo.push(dep);
                }
            }
        }
    }
    assert!(linked.contains("docket-app"), "{linked:?}");
    let fakes: Vec<&str> = ["m365-emulator", "docket-testkit"]
        .into_iter()
        .filter(|f| linked.contains(*f))
        .collect();
    assert!(
        fakes.is_empty(),
        "the product links {fakes:?} (a normal dependency of {linked:?}): only tests may"
    );
}

#[test]
fn front_ends_depend_on_docket_app_alone() {
    let mut found = vec![];
    for front in ["crates/docketsync", "src-tauri"] {
        let manifest = std::fs::read_to_string(root().join(front).join("Cargo.toml"))
            .expect("front end manifest");
        let deps = product_dependencies(&manifest);
        assert!(deps.iter().any(|d| d == "docket-app"), "{front}: {deps:?}");
        for d in deps.into_iter().filter(|d| d != "docket-app") {
            found.push(format!("{front}/Cargo.toml: {d}"));
        }
    }
    assert!(
        found.is_empty(),
        "a front end depends on a crate below docket-app (re-export what it needs from docket-app):\n{}",
        found.join("\n")
    );
}

/// The paths `include_str!`/`include_bytes!`/`resources!` name in
/// `source` (the first literal, also inside `concat!`), each with its line.
fn included_paths(source: &str) -> Vec<(usize, String)> {
    let mut out = vec![];
    // `resources![dir: …]` (docket-text's catalogue list) names a folder.
    for mac in ["include_str!(", "include_bytes!(", "resources!["] {
        for (at, _) in source.match_indices(mac) {
            let mut rest = source[at + mac.len()..].trim_start();
            if let Some(inner) = rest.strip_prefix("concat!(") {
                rest = inner.trim_start();
            }
            if let Some(path) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                let line = source[..at].matches('\n').count() + 1;
                out.push((line, path.to_string()));
            }
        }
    }
    out.sort();
    out
}

/// `path`, relative to `dir`, with `..` and `.` resolved (no file system).
fn resolve(dir: &Path, path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in dir.join(path).components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn no_crate_embeds_another_crates_files() {
    let mut found = vec![];
    for c in crates() {
        let mut rs = vec![];
        files(&c.join("src"), "rs", &mut rs);
        rs.push(c.join("build.rs"));
        for f in rs {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let dir = f.parent().expect("a file is in a folder");
            for (n, path) in included_paths(&text) {
                if !resolve(dir, &path).starts_with(&c) {
                    found.push(format!("{}:{n}: {path}", rel(&f)));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "a crate embeds a file from outside its folder (let the crate it belongs to embed it and expose it):\n{}",
        found.join("\n")
    );
}

#[test]
fn architecture_names_every_crate() {
    let arch = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let missing: Vec<String> = crates()
        .iter()
        .map(|c| rel(c))
        .filter(|c| !arch.contains(&format!("`{c}`")) && !arch.contains(&format!("`{c}/`")))
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name: {}",
        missing.join(", ")
    );
}

#[test]
fn the_checks_catch_what_they_look_for() {
    assert!(names_a_command("fix: run `docketsync signin`"));
    assert!(names_a_command("\"IT: `docketsync client-secret set`\""));
    assert!(!names_a_command("docketsync's state folder"));
    assert!(names_a_command("then `docketsync export --dry-run`"));
    assert_eq!(
        normal_dependencies(
            "[package]\nname = \"a\"\n[dependencies]\nm365-emulator = { path = \"x\" }\n\
             [dev-dependencies]\ndocket-testkit.workspace = true\n"
        ),
        ["m365-emulator"]
    );
    assert_eq!(
        package_name("[package]\nname = \"docket-tray\"\n[lib]\nname = \"x\"\n").as_deref(),
        Some("docket-tray")
    );
    let manifest = "[dependencies]\ndocket-app = { path = \"a\" }\ndocket-text.workspace = true\n\
                    [target.'cfg(unix)'.dependencies]\ndocket-paths = \"0.1\"\n\
                    [dev-dependencies]\ndocket-store = \"0.1\"\n[build-dependencies]\ndocket-x = \"1\"\n";
    assert_eq!(
        product_dependencies(manifest),
        ["docket-app", "docket-text", "docket-paths"]
    );
    let embeds =
        "const T: &str = include_str!(concat!(\n    \"../../crates/x/locales/\", \"en\"));\n\
                  const B: &[u8] = include_bytes!(\"../sample/a.csv\");\n\
                  const R: &[Resource] = resources![\"../../x/locales\": \"cli\"];";
    assert_eq!(
        included_paths(embeds),
        [
            (1, "../../crates/x/locales/".to_string()),
            (3, "../sample/a.csv".to_string()),
            (4, "../../x/locales".to_string())
        ]
    );
    let tray = root().join("src-tauri");
    assert!(!resolve(&tray.join("src"), "../../crates/x/locales/").starts_with(&tray));
    assert!(resolve(&tray.join("src"), "../icons/a.png").starts_with(&tray));
    let source = r##"
        // A comment may say `docketsync sync`.
        let quote = '"'; let lifetime: &'a str = "a"; /* "docketsync run" */
        #[error(
            "an export is running (another \
             `docketsync sync`)"
        )]
        const RAW: &str = r#"say "docketsync doctor""#;
        #[cfg(test)]
        mod tests { const T: &str = "docketsync status"; }
    "##;
    let named: Vec<(usize, String)> = string_literals(source)
        .into_iter()
        .filter(|(_, l)| names_a_command(l))
        .collect();
    assert_eq!(
        named,
        [
            (
                5,
                "an export is running (another `docketsync sync`)".to_string()
            ),
            (8, r#"say "docketsync doctor""#.to_string())
        ]
    );
}
