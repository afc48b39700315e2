//! Embeds the published rule sets (`rules/<product>/<version>/…`) into the crate, so the binary
//! and the wasm carry them. Documentation (`*.md`) is left out; test cases (`cases.json`) are
//! embedded only in the native build, where `kredo test` can run them without a `rules/` folder.

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
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("rules");
    println!("cargo:rerun-if-changed=rules");
    let with_cases = env::var_os("CARGO_FEATURE_NATIVE").is_some();
    let mut code = String::from(
        "/// (path inside the version, bytes)\ntype File = (&'static str, &'static [u8]);\n/// (product, version, files)\ntype Version = (&'static str, &'static str, &'static [File]);\nstatic EMBEDDED: &[Version] = &[\n",
    );
    let mut products: Vec<_> = fs::read_dir(&root)?.collect::<Result<_, _>>()?;
    products.sort_by_key(|e| e.file_name());
    for product in products.iter().filter(|p| p.path().is_dir()) {
        let mut versions: Vec<_> = fs::read_dir(product.path())?.collect::<Result<_, _>>()?;
        versions.sort_by_key(|e| e.file_name());
        for version in versions
            .iter()
            .filter(|v| v.path().join("manifest.json").is_file())
        {
            let mut files = Vec::new();
            files_under(&version.path(), &version.path(), &mut files)?;
            writeln!(
                code,
                "    ({:?}, {:?}, &[",
                product.file_name().to_string_lossy(),
                version.file_name().to_string_lossy()
            )?;
            for (rel, path) in files {
                if rel.ends_with(".md") || (rel == "cases.json" && !with_cases) {
                    continue;
                }
                writeln!(
                    code,
                    "        ({rel:?}, include_bytes!({:?})),",
                    path.display().to_string()
                )?;
            }
            code.push_str("    ]),\n");
        }
    }
    code.push_str("];\n");
    fs::write(
        PathBuf::from(env::var("OUT_DIR")?).join("embedded_rules.rs"),
        code,
    )?;
    Ok(())
}
