//! Embeds the published rule sets (the `rules/` tree: `common/`, each product's
//! `timeline.json` and version overlays, with their cases) into the native binary, so `kredo`
//! runs with no `rules/` folder. Documentation (`*.md`) and `published.json` are left out. The
//! wasm embeds none: the page loads the rule sets it is served with (`www/rules.json`, see
//! `crate::bundle`).
//!
//! `KREDO_RULES_DIR` names another rules root to embed instead. The root may be made of
//! symlinks, so every directory and file is watched by its own path.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn files_under(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            files_under(&path, base, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-env-changed=KREDO_RULES_DIR");
    println!("cargo:rerun-if-changed=src/build.rs");
    let root = match env::var_os("KREDO_RULES_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("rules"),
    };
    println!("cargo:rerun-if-changed={}", root.display());
    let out = PathBuf::from(env::var("OUT_DIR")?).join("embedded_rules.rs");
    // The wasm carries no rule sets: the page loads them as data (`crate::bundle`).
    if env::var_os("CARGO_FEATURE_NATIVE").is_none() {
        fs::write(out, "static EMBEDDED: &[(&str, &[u8])] = &[];\n")?;
        return Ok(());
    }
    let with_cases = true;
    let mut code = String::from(
        "/// (path relative to the rules root, bytes)\nstatic EMBEDDED: &[(&str, &[u8])] = &[\n",
    );
    let mut files = Vec::new();
    files_under(&root, &root, &mut files)?;
    for (rel, path) in files {
        let name = rel.rsplit('/').next().unwrap_or_default();
        // Only files inside a product or `common/`, not the guide at the root.
        if !rel.contains('/')
            || name.ends_with(".md")
            || name == "published.json"
            || ((name == "cases.json" || name == "synth.json") && !with_cases)
        {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({rel:?}, include_bytes!({:?})),",
            path.display().to_string()
        )?;
    }
    code.push_str("];\n");
    fs::write(out, code)?;
    Ok(())
}
