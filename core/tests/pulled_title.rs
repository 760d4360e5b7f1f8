//! `check_pulled_title`: what a pull refuses to write (issue 9, item 11).

use ocikit_core::pack::check_pulled_title;

#[test]
fn git_components_are_refused_unless_allowed() {
    for title in [
        ".git",
        ".git/config",
        "docs/.git/hooks/pre-commit",
        ".GIT/config",
        "a\\.Git\\config",
        "GIT~1/config",
    ] {
        let error = check_pulled_title(title, false).expect_err(title);
        assert_eq!(error.code(), "PATH_UNSAFE", "{title}");
        check_pulled_title(title, true).unwrap_or_else(|e| panic!("{title}: {e}"));
    }
}

#[test]
fn names_that_only_look_like_git_pass() {
    for title in [
        ".gitignore",
        ".github/workflows/ci.yml",
        "git/config",
        "x.git/y",
        "a/.gitx",
    ] {
        check_pulled_title(title, false).unwrap_or_else(|e| panic!("{title}: {e}"));
    }
}

#[test]
fn the_title_rules_still_hold() {
    for title in ["", "/etc/passwd", "../escape", "a/../../b", "CON/x"] {
        let error = check_pulled_title(title, true).expect_err(title);
        assert_eq!(error.code(), "ANNOTATION_INVALID", "{title}");
    }
}
