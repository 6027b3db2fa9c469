//! Bundled native executables (ELF, PE, Mach-O) and archives (zip, gzip, xz, 7z, rar, bzip2, tar)
//! in a package that declares no native build.
//!
//! A package declares a native build with `"gypfile": true`, a `binding.gyp`, an install script
//! that runs a native build or prebuild tool (`node-gyp`, `prebuild-install`, `node-pre-gyp`,
//! `cmake-js`, `node-gyp-build`), or `os`/`cpu` fields (platform packages that ship one
//! prebuilt binary, as esbuild's do). Executables are errors, archives warnings.

use tarsier_model::Severity;

use crate::Ctx;
use crate::install::INSTALL_HOOKS;
use crate::rule_ids::NATIVE_BINARY;

/// What kind of binary a file's first bytes say it is, if any.
pub fn binary_kind(bytes: &[u8]) -> Option<(&'static str, bool)> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\x7fELF") {
        return Some(("an ELF executable", true));
    }
    if starts(b"MZ") && is_pe(bytes) {
        return Some(("a Windows PE executable", true));
    }
    if [
        &[0xfe, 0xed, 0xfa, 0xce][..],
        &[0xfe, 0xed, 0xfa, 0xcf],
        &[0xce, 0xfa, 0xed, 0xfe],
        &[0xcf, 0xfa, 0xed, 0xfe],
    ]
    .iter()
    .any(|m| starts(m))
    {
        return Some(("a Mach-O executable", true));
    }
    if starts(&[0xca, 0xfe, 0xba, 0xbe]) {
        return Some(("a Mach-O universal binary (or Java class)", true));
    }
    if starts(b"PK\x03\x04") {
        return Some(("a zip archive", false));
    }
    if starts(&[0x1f, 0x8b]) {
        return Some(("a gzip archive", false));
    }
    if starts(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        return Some(("an xz archive", false));
    }
    if starts(&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c]) {
        return Some(("a 7z archive", false));
    }
    if starts(b"Rar!\x1a\x07") {
        return Some(("a rar archive", false));
    }
    if starts(b"BZh") && bytes.get(4..10) == Some(&[0x31, 0x41, 0x59, 0x26, 0x53, 0x59][..]) {
        return Some(("a bzip2 archive", false));
    }
    if bytes.get(257..262) == Some(&b"ustar"[..]) {
        return Some(("a tar archive", false));
    }
    None
}

/// `MZ` followed, at the offset stored at 0x3c, by `PE\0\0`.
fn is_pe(bytes: &[u8]) -> bool {
    let Some(&[a, b, c, d]) = bytes.get(0x3c..0x40) else {
        return false;
    };
    let Ok(at) = usize::try_from(u32::from_le_bytes([a, b, c, d])) else {
        return false;
    };
    at.checked_add(4)
        .and_then(|end| bytes.get(at..end))
        .is_some_and(|sig| sig == b"PE\0\0")
}

fn declares_native_build(ctx: &Ctx<'_, '_>) -> bool {
    let m = &ctx.package.manifest;
    if m.get("gypfile").and_then(serde_json::Value::as_bool) == Some(true)
        || m.get("os").is_some()
        || m.get("cpu").is_some()
        || ctx.package.file("binding.gyp").is_some()
    {
        return true;
    }
    const TOOLS: &[&str] = &[
        "node-gyp",
        "prebuild",
        "node-pre-gyp",
        "cmake-js",
        "node-gyp-build",
        "napi",
    ];
    INSTALL_HOOKS.iter().any(|hook| {
        ctx.package
            .script(hook)
            .is_some_and(|s| TOOLS.iter().any(|t| s.contains(t)))
    })
}

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    if declares_native_build(ctx) {
        return;
    }
    let found: Vec<(&str, &str, bool)> = ctx
        .package
        .files
        .iter()
        .filter_map(|&(path, bytes)| binary_kind(bytes).map(|(k, exe)| (path, k, exe)))
        .collect();
    for (path, kind, executable) in found {
        let severity = if executable {
            Severity::Error
        } else {
            Severity::Warning
        };
        let message = format!(
            "{path} in {} is {kind}, but the package declares no native build",
            ctx.package.spec()
        );
        ctx.report_file(NATIVE_BINARY, severity, message, path, kind);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Options, PackageInput, analyze};

    #[test]
    fn magic_numbers() {
        assert!(binary_kind(b"\x7fELF\x02\x01\x01").unwrap().1);
        let mut pe = vec![0u8; 0x80];
        pe[0] = b'M';
        pe[1] = b'Z';
        pe[0x3c] = 0x40;
        pe[0x40..0x44].copy_from_slice(b"PE\0\0");
        assert_eq!(binary_kind(&pe).unwrap().0, "a Windows PE executable");
        assert_eq!(binary_kind(b"MZ is a text file"), None);
        let mut bad_offset = pe.clone();
        bad_offset[0x3c..0x40].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(binary_kind(&bad_offset), None);
        assert!(!binary_kind(b"PK\x03\x04rest").unwrap().1);
        assert_eq!(binary_kind(b"module.exports = 1"), None);
        assert_eq!(binary_kind(b""), None);
    }

    #[test]
    fn declared_builds_are_exempt() {
        let elf: &[u8] = b"\x7fELF\x02\x01\x01\x00";
        let run = |manifest: &'static [u8], extra: Option<(&'static str, &'static [u8])>| {
            let mut files: Vec<(&str, &[u8])> = vec![("package.json", manifest), ("bin/tool", elf)];
            files.extend(extra);
            let p = PackageInput::from_files("pkg", "1.0.0", &files).unwrap();
            analyze(&p, None, &Options::default())
                .findings
                .into_iter()
                .filter(|f| f.rule_id == NATIVE_BINARY)
                .count()
        };
        assert_eq!(run(b"{}", None), 1);
        assert_eq!(run(br#"{"gypfile": true}"#, None), 0);
        assert_eq!(run(br#"{"os": ["linux"], "cpu": ["x64"]}"#, None), 0);
        assert_eq!(
            run(
                br#"{"scripts": {"install": "prebuild-install || node-gyp rebuild"}}"#,
                None
            ),
            0
        );
        assert_eq!(run(b"{}", Some(("binding.gyp", b"{}"))), 0);
    }
}
