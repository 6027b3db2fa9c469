//! Collecting the files of a local checkout: `.gitignore` respected, `node_modules` skipped
//! unless asked for, symbolic links not followed. Files without an extension are opened for
//! their first bytes only, to keep the `node` scripts (`bin/cli` with `#!/usr/bin/env node`).

use std::path::{Path, PathBuf};

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Descend into `node_modules` directories.
    pub include_node_modules: bool,
}

/// A file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkedFile {
    /// Path to open.
    pub path: PathBuf,
    /// Path to report: relative to the current directory when under it, `/`-separated.
    pub display: String,
}

/// A path that could not be walked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    /// The path concerned.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// Collects the JavaScript files, `node` scripts without an extension, TypeScript files (which
/// the engine reports as not scanned) and `package.json` files under `roots`, sorted. Files
/// named explicitly are always included, whatever their name.
pub fn collect(roots: &[PathBuf], options: &WalkOptions) -> (Vec<WalkedFile>, Vec<WalkProblem>) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for root in roots {
        if root.is_file() {
            files.push(walked(root, &cwd));
            continue;
        }
        if !root.exists() {
            problems.push(WalkProblem {
                path: root.display().to_string(),
                reason: "no such file or directory".to_string(),
            });
            continue;
        }
        let include_nm = options.include_node_modules;
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .follow_links(false)
            .require_git(false)
            // One filter: `WalkBuilder::filter_entry` keeps only the last one it is given.
            .filter_entry(move |entry| {
                entry.file_name() != ".git"
                    && (include_nm || entry.file_name() != "node_modules" || entry.depth() == 0)
            })
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    let name = entry.file_name().to_string_lossy();
                    if is_file && (wanted(&name, entry.path()) || name == "package.json") {
                        files.push(walked(entry.path(), &cwd));
                    }
                }
                Err(e) => problems.push(WalkProblem {
                    path: root.display().to_string(),
                    reason: e.to_string(),
                }),
            }
        }
    }
    files.sort();
    files.dedup();
    (files, problems)
}

/// JavaScript and TypeScript files by name, and files without an extension that start with a
/// `node` shebang (only those are opened, for their first bytes).
fn wanted(name: &str, path: &Path) -> bool {
    match crate::source_kind(name, b"") {
        crate::SourceKind::JavaScript
        | crate::SourceKind::TypeScript
        | crate::SourceKind::TypeScriptJsx
        | crate::SourceKind::TypeDeclarations => true,
        crate::SourceKind::Other if crate::has_no_extension(name) => {
            let mut head = [0u8; 256];
            let read = std::fs::File::open(path)
                .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                .unwrap_or(0);
            crate::is_node_shebang(&head[..read])
        }
        crate::SourceKind::Other => false,
    }
}

/// `path` with `/` separators and no doubled one after the root (`/tmp/a`, not `//tmp/a`).
pub fn display_of(path: &Path) -> String {
    let joined = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    match joined.strip_prefix("//") {
        Some(rest) if path.has_root() => format!("/{rest}"),
        _ => joined,
    }
}

fn walked(path: &Path, cwd: &Path) -> WalkedFile {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let shown = shown.strip_prefix("./").unwrap_or(shown);
    let display = display_of(shown);
    WalkedFile {
        path: path.to_path_buf(),
        display,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `node_modules` is skipped unless asked for (the `.git` filter once replaced this one).
    #[test]
    fn node_modules_is_skipped_unless_asked_for() {
        let tmp = tempfile::Builder::new()
            .prefix("tarsier-walk-")
            .tempdir()
            .expect("a temporary directory");
        let root = tmp.path().to_path_buf();
        for dir in ["src", "node_modules/x", ".git"] {
            std::fs::create_dir_all(root.join(dir)).unwrap_or_default();
        }
        for file in ["src/a.js", "node_modules/x/b.js", ".git/c.js"] {
            std::fs::write(root.join(file), "1").unwrap_or_default();
        }
        let names = |include_node_modules| {
            let (files, _) = collect(
                std::slice::from_ref(&root),
                &WalkOptions {
                    include_node_modules,
                },
            );
            files
                .iter()
                .map(|f| f.path.strip_prefix(&root).unwrap_or(&f.path).to_path_buf())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(false), [PathBuf::from("src/a.js")]);
        assert_eq!(
            names(true),
            [
                PathBuf::from("node_modules/x/b.js"),
                PathBuf::from("src/a.js")
            ]
        );
        assert_eq!(display_of(Path::new("/tmp/a.js")), "/tmp/a.js");
        assert_eq!(display_of(Path::new("lib/a.js")), "lib/a.js");
    }
}
