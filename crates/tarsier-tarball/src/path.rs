//! Normalisation and safety checks of entry paths.
//!
//! A tar entry's path is attacker-controlled bytes. This module turns it into a clean,
//! `/`-separated path relative to the package root, or says why it cannot be trusted.

/// A path that passed the safety checks, split at the package root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryPath {
    /// The stripped path (`lib/index.js` for `package/lib/index.js`); empty when the entry is the
    /// root itself or a file directly at the top level.
    pub(crate) stripped: String,
}

/// Why a path was refused; used as the detail of
/// [`SkipReason::UnsafePath`](crate::SkipReason::UnsafePath).
pub(crate) type Unsafe = &'static str;

/// Normalises a raw tar path and strips its first component (the package root, whatever its name).
///
/// Empty and `.` components are dropped (`package//a/./b` is `a/b`). Invalid UTF-8 is replaced with
/// U+FFFD, as npm's tar extractor does when it writes the file. Refused: NUL bytes, backslashes
/// (a separator on Windows), absolute paths, `..` components, Windows drive prefixes (`C:`) in any
/// component, and names with no component at all.
pub(crate) fn normalize(raw: &[u8]) -> Result<EntryPath, Unsafe> {
    if raw.contains(&0) {
        return Err("the name contains a NUL byte");
    }
    let text = String::from_utf8_lossy(raw);
    if text.contains('\\') {
        return Err("the name contains a backslash, a path separator on Windows");
    }
    if text.starts_with('/') {
        return Err("absolute path");
    }
    let mut components = text.split('/').filter(|c| !c.is_empty() && *c != ".");
    let Some(root) = components.next() else {
        return Err("empty name");
    };
    let rest: Vec<&str> = components.collect();
    for component in std::iter::once(root).chain(rest.iter().copied()) {
        if component == ".." {
            return Err("the path contains a `..` component");
        }
        if has_drive_prefix(component) {
            return Err("the path contains a Windows drive prefix");
        }
    }
    Ok(EntryPath {
        stripped: rest.join("/"),
    })
}

/// Whether a component starts like a Windows drive (`C:`), which would make the rest of the path
/// drive-relative on Windows.
fn has_drive_prefix(component: &str) -> bool {
    let mut bytes = component.bytes();
    matches!(
        (bytes.next(), bytes.next()),
        (Some(letter), Some(b':')) if letter.is_ascii_alphabetic()
    )
}

/// The raw path for notes and error messages, with invalid UTF-8 replaced.
pub(crate) fn lossy(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::normalize;

    fn ok(raw: &str) -> String {
        normalize(raw.as_bytes()).unwrap().stripped
    }

    #[test]
    fn strips_any_root_and_normalises() {
        assert_eq!(ok("package/index.js"), "index.js");
        assert_eq!(ok("node-foo/lib/a.js"), "lib/a.js");
        assert_eq!(ok("./package//lib/./a.js"), "lib/a.js");
        assert_eq!(ok("package/"), "");
        assert_eq!(ok("README"), "");
        assert_eq!(ok("package/dir/"), "dir");
    }

    #[test]
    fn refuses_unsafe_paths() {
        for raw in [
            "/etc/passwd",
            "/package/index.js",
            "package/../../etc/passwd",
            "../package/x",
            "package/a/..",
            "package\\..\\x",
            "package/a\\b.js",
            "C:/Windows/x",
            "package/C:evil.js",
            "package/d:/x",
            "",
            "/",
            "./",
            "//",
        ] {
            assert!(normalize(raw.as_bytes()).is_err(), "{raw:?} was accepted");
        }
        assert!(normalize(b"package/a\0b").is_err());
    }

    #[test]
    fn keeps_odd_but_safe_names() {
        assert_eq!(ok("package/..foo/a..b"), "..foo/a..b");
        assert_eq!(ok("package/1:2.js"), "1:2.js");
        assert_eq!(ok("package/ab:c"), "ab:c");
        // Invalid UTF-8 is replaced, as npm does when writing the file.
        assert_eq!(
            normalize(b"package/caf\xe9.js").unwrap().stripped,
            "caf\u{fffd}.js"
        );
    }
}
