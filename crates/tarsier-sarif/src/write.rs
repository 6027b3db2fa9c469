//! Writing SARIF (pretty JSON, atomically to a file) and reading it back.

use crate::error::SarifError;
use crate::model::{SARIF_VERSION, SarifLog};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Name used in errors for a writer or reader that has no file name.
const STREAM_OUT: &str = "<output>";
const STREAM_IN: &str = "<input>";

/// Writes `log` as pretty-printed JSON followed by a newline.
///
/// ```
/// use tarsier_sarif::{build_log, to_writer, RunInput};
/// let mut out = Vec::new();
/// to_writer(&build_log(&RunInput::default()), &mut out).unwrap();
/// assert!(out.ends_with(b"}\n"));
/// ```
pub fn to_writer<W: Write>(log: &SarifLog, writer: W) -> Result<(), SarifError> {
    write_to(log, writer).map_err(|reason| SarifError::Write {
        path: STREAM_OUT.to_string(),
        reason,
    })
}

fn write_to<W: Write>(log: &SarifLog, mut writer: W) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut writer, log).map_err(io::Error::from)?;
    writer.write_all(b"\n")?;
    writer.flush()
}

/// Writes `log` to `path` so that the file is either the old one or the complete new one: it writes
/// a temporary file beside `path`, syncs it, then renames it over `path`. A run killed half-way
/// leaves at most a hidden `.<name>.<pid>-<n>.tmp` file, never a partial file under `path`.
pub fn write_atomic(path: &Path, log: &SarifLog) -> Result<(), SarifError> {
    let err = |reason| SarifError::Write {
        path: path.display().to_string(),
        reason,
    };
    let file_name = path.file_name().ok_or_else(|| {
        err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not name a file",
        ))
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let (tmp, file) = create_temp(dir, &file_name.to_string_lossy()).map_err(err)?;
    let written = (|| {
        let mut w = BufWriter::new(file);
        write_to(log, &mut w)?;
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        // Best effort: the error that matters is the one above.
        let _ = fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}

/// Creates a new, uniquely named temporary file in `dir`.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last = None;
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            // A leftover of an earlier process with the same pid: try the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("cannot create a temporary file")))
}

/// Reads a SARIF 2.1.0 log. Unknown properties are ignored.
///
/// ```
/// let log = tarsier_sarif::from_reader(&br#"{"version":"2.1.0","runs":[]}"#[..]).unwrap();
/// assert!(log.runs.is_empty());
/// ```
pub fn from_reader<R: Read>(reader: R) -> Result<SarifLog, SarifError> {
    read_named(reader, STREAM_IN)
}

/// Reads a SARIF 2.1.0 log from a file; errors name the file.
pub fn from_path(path: &Path) -> Result<SarifLog, SarifError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|reason| SarifError::Read {
        path: name.clone(),
        reason,
    })?;
    read_named(BufReader::new(file), &name)
}

fn read_named<R: Read>(reader: R, name: &str) -> Result<SarifLog, SarifError> {
    let log: SarifLog = serde_json::from_reader(reader).map_err(|e| {
        if e.is_io() {
            SarifError::Read {
                path: name.to_string(),
                reason: io::Error::from(e),
            }
        } else {
            SarifError::Parse {
                path: name.to_string(),
                reason: e,
            }
        }
    })?;
    if log.version != SARIF_VERSION {
        return Err(SarifError::UnsupportedVersion {
            path: name.to_string(),
            version: log.version,
        });
    }
    Ok(log)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{RunInput, build_log};

    fn log(version: &str) -> SarifLog {
        build_log(&RunInput {
            tool_version: version,
            execution_successful: true,
            ..RunInput::default()
        })
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn pretty_json_with_trailing_newline() {
        let mut out = Vec::new();
        to_writer(&log("1.0.0"), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("{\n  \"$schema\": "), "{text}");
        assert!(text.ends_with("}\n"));
        assert!(!text.ends_with("\n\n"));
    }

    #[test]
    fn write_atomic_creates_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.sarif");
        write_atomic(&path, &log("1.0.0")).unwrap();
        assert_eq!(from_path(&path).unwrap(), log("1.0.0"));
        write_atomic(&path, &log("2.0.0")).unwrap();
        let back = from_path(&path).unwrap();
        assert_eq!(back.runs[0].tool.driver.version.as_deref(), Some("2.0.0"));
        assert!(leftovers(dir.path()).is_empty());
        let mut bytes = Vec::new();
        to_writer(&back, &mut bytes).unwrap();
        assert_eq!(fs::read(&path).unwrap(), bytes);
    }

    #[test]
    fn write_atomic_failure_names_the_file_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a directory: the rename fails after the temporary file was written.
        let target = dir.path().join("taken");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("keep"), "x").unwrap();
        let err = write_atomic(&target, &log("1.0.0")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("cannot write SARIF to `"), "{msg}");
        assert!(msg.contains("taken"), "{msg}");
        assert!(leftovers(dir.path()).is_empty());
        assert!(target.join("keep").exists());

        let missing = dir.path().join("no/such/dir/out.sarif");
        let err = write_atomic(&missing, &log("1.0.0")).unwrap_err();
        assert!(matches!(err, SarifError::Write { .. }));
        assert!(err.to_string().contains("out.sarif"), "{err}");
    }

    #[test]
    fn from_path_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.sarif");
        let err = from_path(&missing).unwrap_err();
        assert!(matches!(err, SarifError::Read { .. }));
        assert!(err.to_string().contains("missing.sarif"), "{err}");

        let bad = dir.path().join("bad.sarif");
        fs::write(&bad, "{\"version\": \"2.1.0\", \"runs\": [{]}").unwrap();
        let err = from_path(&bad).unwrap_err();
        assert!(matches!(err, SarifError::Parse { .. }));
        let msg = err.to_string();
        assert!(msg.contains("bad.sarif") && msg.contains("line 1"), "{msg}");

        let old = dir.path().join("old.sarif");
        fs::write(&old, r#"{"version": "2.0.0", "runs": []}"#).unwrap();
        let err = from_path(&old).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` is SARIF version `2.0.0`, but tarsier reads only version 2.1.0",
                old.display()
            )
        );
    }

    #[test]
    fn reading_tolerates_unknown_and_missing_fields() {
        let text = r#"{
          "version": "2.1.0",
          "somethingNew": {"a": 1},
          "runs": [{
            "tool": {"driver": {"name": "other", "fullName": "Other tool",
              "rules": [{"id": "X1", "properties": {"tags": ["a"], "security-severity": "3.0",
                         "kind": "problem"}}]}},
            "results": [{
              "ruleId": "X1",
              "level": "none",
              "message": {"text": "hi"},
              "baselineState": "unchanged",
              "partialFingerprints": {"primaryLocationLineHash": "abc"},
              "properties": {"package": "send", "extra": [1, 2]},
              "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.js", "index": 0},
                             "region": {"startLine": 3, "charOffset": 9}}}]
            }]
          }]
        }"#;
        let log = from_reader(text.as_bytes()).unwrap();
        let run = &log.runs[0];
        assert_eq!(run.tool.driver.name, "other");
        let rule = &run.tool.driver.rules[0];
        let props = rule.properties.as_ref().unwrap();
        assert_eq!(props.security_severity.as_deref(), Some("3.0"));
        assert_eq!(props.other["kind"], "problem");
        let r = &run.results[0];
        assert_eq!(r.level, Some(crate::model::Level::None));
        assert_eq!(
            r.baseline_state,
            Some(crate::model::BaselineState::Unchanged)
        );
        let p = r.properties.as_ref().unwrap();
        assert_eq!(p.package.as_deref(), Some("send"));
        assert_eq!(p.other["extra"], serde_json::json!([1, 2]));
        let region = r.locations[0]
            .physical_location
            .as_ref()
            .unwrap()
            .region
            .as_ref()
            .unwrap();
        assert_eq!(region.start_line, Some(3));
        // Extra properties kept in a bag survive a round trip.
        let mut out = Vec::new();
        to_writer(&log, &mut out).unwrap();
        let again = from_reader(&out[..]).unwrap();
        assert_eq!(again, log);
    }

    #[test]
    fn deeply_nested_input_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = from_reader(text.as_bytes()).unwrap_err();
        assert!(matches!(err, SarifError::Parse { .. }), "{err}");
    }
}
