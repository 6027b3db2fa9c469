//! Hostile packages in one `tarsier scan` (issue 9): each gives a notification naming the package
//! and the reason, and a healthy package in the same scan keeps its complete results. Fixtures are
//! generated here, never committed as binaries.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use tarsier_tests::{pack_corpus, read_json, start_registry, tarsier, temp_dir};

/// One raw tar entry: a path written as-is (no sanitising), a type, data, a link target.
struct Entry<'a> {
    path: &'a [u8],
    kind: tar::EntryType,
    data: &'a [u8],
    link: Option<&'a [u8]>,
}

fn file<'a>(path: &'a str, data: &'a [u8]) -> Entry<'a> {
    Entry {
        path: path.as_bytes(),
        kind: tar::EntryType::Regular,
        data,
        link: None,
    }
}

/// A gzip'd tar of raw entries: names go straight into the header, so `../` and absolute paths
/// reach the unpacker as an attacker would write them.
fn raw_tgz(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut tar = Vec::new();
    for e in entries {
        let mut header = tar::Header::new_gnu();
        {
            let gnu = header.as_gnu_mut().unwrap();
            gnu.name[..e.path.len()].copy_from_slice(e.path);
            if let Some(link) = e.link {
                gnu.linkname[..link.len()].copy_from_slice(link);
            }
        }
        header.set_entry_type(e.kind);
        header.set_size(e.data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        tar.extend_from_slice(header.as_bytes());
        tar.extend_from_slice(e.data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.resize(tar.len() + 1024, 0);
    gzip(&tar)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Text that compresses like real code (a few times, not a thousand): pseudo-random identifiers.
fn code_like(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(
            format!(
                "var v{:x}=w{:x}+{};",
                x & 0x00ff_ffff,
                (x >> 24) & 0xffff,
                x % 97
            )
            .as_bytes(),
        );
    }
    out
}

#[test]
fn hostile_packages_get_notifications_and_healthy_results_stay_complete() {
    let (_runtime, registry) = start_registry();
    let healthy = pack_corpus("redirect-guard");
    registry.add_package("healthy", "1.0.0", healthy);

    let manifest = br#"{"name":"x","version":"1.0.0"}"#;
    let finding = b"module.exports = (req, res) => res.redirect(req.query.to);\n";
    // A gzip bomb: 48 MiB of zeros in one entry (compression ratio far above the limit).
    let zeros = vec![0u8; 48 * 1024 * 1024];
    let bomb = raw_tgz(&[
        file("package/package.json", manifest),
        file("package/zeros.js", &zeros),
    ]);
    drop(zeros);
    let escape = raw_tgz(&[
        file("package/package.json", manifest),
        file("package/../../../etc/evil.js", finding),
        file("/abs/evil.js", finding),
        file("package/index.js", finding),
    ]);
    let links = raw_tgz(&[
        file("package/package.json", manifest),
        Entry {
            path: b"package/passwd.js",
            kind: tar::EntryType::Symlink,
            data: b"",
            link: Some(b"/etc/passwd"),
        },
        Entry {
            path: b"package/hard.js",
            kind: tar::EntryType::Link,
            data: b"",
            link: Some(b"../../outside.js"),
        },
        Entry {
            path: b"package/dev",
            kind: tar::EntryType::Char,
            data: b"",
            link: None,
        },
        Entry {
            path: b"package/fifo",
            kind: tar::EntryType::Fifo,
            data: b"",
            link: None,
        },
    ]);
    let minified = code_like(50 * 1024 * 1024);
    let huge = raw_tgz(&[
        file("package/package.json", manifest),
        file("package/dist/app.min.js", &minified),
    ]);
    drop(minified);
    let deep = format!(
        "x = {}1{};\ny = {}{};\nz = {}{};\n",
        "(".repeat(10_000),
        ")".repeat(10_000),
        "[".repeat(10_000),
        "]".repeat(10_000),
        "function(){".repeat(10_000),
        "}".repeat(10_000)
    );
    let deep = raw_tgz(&[
        file("package/package.json", manifest),
        file("package/deep.js", deep.as_bytes()),
    ]);
    let bom_crlf = b"\xEF\xBB\xBF// header\r\n\r\nmodule.exports = (req, res) => res.redirect(req.query.to);\r\n";
    let odd_text = raw_tgz(&[
        file("package/package.json", manifest),
        file("package/latin1.js", b"var s = '\xe9\xe8';\n"),
        file(
            "package/binary.js",
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
        ),
        file("package/bom.js", bom_crlf),
    ]);
    let empty = raw_tgz(&[]);
    let not_gzip = b"this is not a gzip stream".to_vec();
    let mut truncated = pack_corpus("static-serve");
    truncated.truncate(truncated.len() / 2);
    for (name, tgz) in [
        ("bomb", bomb),
        ("escape", escape),
        ("links", links),
        ("huge-line", huge),
        ("deep", deep),
        ("odd-text", odd_text),
        ("empty", empty),
        ("not-gzip", not_gzip),
        ("truncated", truncated),
    ] {
        registry.add_package(name, "1.0.0", tgz);
    }

    let dir = temp_dir("hostile");
    let out = dir.join("hostile.sarif");
    let url = registry.url();
    let mut args = vec![
        "scan".to_string(),
        "--registry".to_string(),
        url.clone(),
        "--cache-dir".to_string(),
        dir.join("cache").display().to_string(),
        "-q".to_string(),
        "-o".to_string(),
        out.display().to_string(),
    ];
    for name in [
        "healthy",
        "bomb",
        "escape",
        "links",
        "huge-line",
        "deep",
        "odd-text",
        "empty",
        "not-gzip",
        "truncated",
    ] {
        args.push("--package".to_string());
        args.push(format!("{name}@1.0.0"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(tarsier(&args), 1);
    let log = read_json(&out);
    let run = &log["runs"][0];
    let notes: Vec<(String, String)> = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["descriptor"]["id"].as_str().unwrap().to_string(),
                n["message"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |code: &str, needle: &str| notes.iter().any(|(c, m)| c == code && m.contains(needle));
    assert!(has("unpack-failed", "bomb@1.0.0"), "{notes:#?}");
    assert!(has("unsafe-entry-path", "escape@1.0.0"), "{notes:#?}");
    assert!(
        has("entry-skipped", "links@1.0.0")
            && notes
                .iter()
                .filter(|(_, m)| m.contains("links@1.0.0"))
                .count()
                >= 4,
        "{notes:#?}"
    );
    assert!(has("file-too-large", "huge-line@1.0.0"), "{notes:#?}");
    assert!(
        has("file-not-text", "odd-text@1.0.0: latin1.js"),
        "{notes:#?}"
    );
    assert!(
        has("file-not-text", "odd-text@1.0.0: binary.js"),
        "{notes:#?}"
    );
    assert!(has("unpack-failed", "not-gzip@1.0.0"), "{notes:#?}");
    assert!(has("unpack-failed", "truncated@1.0.0"), "{notes:#?}");

    let results: Vec<(String, String, u64)> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"].as_str().unwrap().starts_with("express/"))
        .map(|r| {
            (
                r["properties"]["package"].as_str().unwrap().to_string(),
                r["properties"]["file"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect();
    // The healthy package is complete; the escaping entries were never read, the good one was.
    assert!(
        results.contains(&("healthy".into(), "lib/index.js".into(), 18)),
        "{results:?}"
    );
    assert!(
        results.contains(&("healthy".into(), "lib/index.js".into(), 28)),
        "{results:?}"
    );
    assert!(
        results.contains(&("escape".into(), "index.js".into(), 1)),
        "{results:?}"
    );
    assert!(
        !results.iter().any(|(_, f, _)| f.contains("evil")),
        "{results:?}"
    );
    // BOM and CRLF: the finding is on line 3 as an editor shows it.
    assert!(
        results.contains(&("odd-text".into(), "bom.js".into(), 3)),
        "{results:?}"
    );
    // Nothing was written outside the cache and the output.
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, vec!["cache", "hostile.sarif"]);
}
