//! `quire init`, and the command line's exit codes: 0 success, 1 build or diagnostic errors,
//! 2 usage errors.

use std::fs;

use crate::common::{
    copy_bundled_book, describe, diagnostic_lines, quire, repo_root, run, scratch, skeleton,
    skeleton_built, snapshot,
};

#[test]
fn init_creates_a_book_skeleton() {
    let book = &skeleton().book;
    let toml_text = fs::read_to_string(book.join("book.toml"))
        .unwrap_or_else(|e| panic!("quire init should create book.toml: {e}"));
    let config: toml::Table = toml_text
        .parse()
        .unwrap_or_else(|e| panic!("the skeleton's book.toml is not TOML: {e}\n{toml_text}"));
    assert!(
        config
            .get("title")
            .and_then(|t| t.as_str())
            .is_some_and(|t| !t.trim().is_empty()),
        "the skeleton's book.toml should have a title:\n{toml_text}"
    );

    let manuscript = fs::read_to_string(book.join("manuscript/book.md"))
        .unwrap_or_else(|e| panic!("quire init should create manuscript/book.md: {e}"));
    assert!(
        manuscript.lines().any(|l| l.starts_with('#')),
        "manuscript/book.md should have a chapter heading:\n{manuscript}"
    );
    let references_a_note = manuscript.match_indices("[^").any(|(i, _)| {
        manuscript[i..]
            .split_once(']')
            .is_some_and(|(_, rest)| !rest.starts_with(':'))
    });
    assert!(
        references_a_note,
        "manuscript/book.md should reference a note ([^…]):\n{manuscript}"
    );
    assert!(
        manuscript
            .lines()
            .any(|l| l.starts_with("[^") && l.contains("]:")),
        "manuscript/book.md should define a note ([^…]: …):\n{manuscript}"
    );
    assert!(
        book.join("covers").is_dir(),
        "quire init should create covers/"
    );
}

#[test]
fn init_skeleton_builds_without_errors_or_warnings() {
    let skeleton = skeleton();
    let built = skeleton_built();
    let diagnostics = diagnostic_lines(&built.output.stderr);
    assert!(
        diagnostics.is_empty(),
        "building the skeleton should print no warnings or errors\n{}",
        describe(&built.output)
    );
    let init_diagnostics = diagnostic_lines(&skeleton.init.stderr);
    assert!(
        init_diagnostics.is_empty(),
        "quire init should print no warnings or errors\n{}",
        describe(&skeleton.init)
    );
    // The skeleton's note makes it into the EPUB as a note.
    let epub = built.read();
    let noterefs = epub
        .spine()
        .iter()
        .map(|path| epub.text(path).matches("doc-noteref").count())
        .sum::<usize>();
    assert!(noterefs >= 1, "the skeleton's EPUB has no note mark");
}

#[test]
fn init_refuses_a_non_empty_directory() {
    let dir = scratch("init-non-empty-");
    let book = dir.path().join("existing");
    fs::create_dir_all(&book).expect("create the folder");
    fs::write(book.join("book.toml"), "# mine, keep me\n").expect("write book.toml");
    fs::write(book.join("notes.txt"), "my notes\n").expect("write notes.txt");
    let before = snapshot(&book);

    let output = run(quire().arg("init").arg(&book));
    assert!(
        !output.status.success(),
        "quire init into a non-empty folder should fail\n{}",
        describe(&output)
    );
    assert!(
        !output.stderr.is_empty(),
        "quire init should say why it refuses\n{}",
        describe(&output)
    );
    assert!(
        snapshot(&book) == before,
        "quire init changed the non-empty folder"
    );
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let output = run(quire().arg("--bogus"));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let output = run(quire().args(["build", "--bogus"]));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
}

#[test]
fn building_a_missing_path_fails() {
    let dir = scratch("missing-");
    let missing = dir.path().join("no-such-book");
    let output = run(quire()
        .arg("build")
        .arg(&missing)
        .arg("--out")
        .arg(dir.path().join("out")));
    assert!(
        matches!(output.status.code(), Some(1 | 2)),
        "quire build of a missing path should exit 1 or 2\n{}",
        describe(&output)
    );
    assert!(
        !output.stderr.is_empty(),
        "and say why\n{}",
        describe(&output)
    );
}

#[test]
fn check_reports_success_and_writes_nothing() {
    let dir = scratch("check-");
    let book = dir.path().join("book");
    copy_bundled_book(&book);
    let before = snapshot(dir.path());

    let output = run(quire().arg("check").arg(&book).current_dir(dir.path()));
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        snapshot(dir.path()) == before,
        "quire check wrote into {}",
        dir.path().display()
    );

    // From inside the book, with the default path.
    let output = run(quire().arg("check").current_dir(&book));
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        snapshot(dir.path()) == before,
        "quire check (no path) wrote into the book"
    );
    assert!(repo_root().join("book.toml").is_file());
}

#[test]
fn help_names_the_commands() {
    let output = run(quire().arg("--help"));
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let help = String::from_utf8_lossy(&output.stdout);
    for command in ["build", "check", "init"] {
        assert!(
            help.contains(command),
            "--help should list `{command}`:\n{help}"
        );
    }
}

#[test]
fn build_without_a_path_builds_the_current_folder_into_out() {
    let dir = scratch("default-path-");
    let book = dir.path().join("book");
    copy_bundled_book(&book);
    let output = run(quire().arg("build").current_dir(&book));
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let epub = book.join("out/alarm-signal.epub");
    assert!(
        epub.is_file(),
        "`quire build` in the book's folder should write {}\n{}",
        epub.display(),
        describe(&output)
    );
}

#[test]
fn quiet_build_prints_nothing_on_success() {
    let dir = scratch("quiet-");
    let book = dir.path().join("book");
    copy_bundled_book(&book);
    let output = run(quire()
        .args(["build", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .arg(&book));
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        output.stdout.is_empty() && output.stderr.is_empty(),
        "--quiet should print nothing when all is well\n{}",
        describe(&output)
    );
    assert!(dir.path().join("out/alarm-signal.epub").is_file());
}
