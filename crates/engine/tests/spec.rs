//! The copies of the specification in `docs/spec/` (the code cites them, not `shared/spec/`)
//! stay the shared originals, and every citation of a section of `docs/spec/rules.md` in the code
//! and the cards names a section that exists.

use std::path::{Path, PathBuf};

/// The specification texts copied into `docs/spec/`.
const SPECS: [&str; 4] = [
    "rules.md",
    "card-twente-po.txt",
    "formats.md",
    "security.md",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The copy's text below its first line (which says where it comes from) and the blank line.
fn copy_body(name: &str) -> String {
    let text = std::fs::read_to_string(root().join("docs/spec").join(name)).expect("docs/spec");
    let (first, rest) = text.split_once('\n').expect("a first line");
    assert!(
        first.contains(&format!("shared/spec/{name}")),
        "{name}: {first}"
    );
    rest.strip_prefix('\n')
        .expect("a blank line after it")
        .to_string()
}

/// `shared/spec/` beside the repository or beside one of its ancestors (a worktree).
fn shared_spec() -> Option<PathBuf> {
    let root = root().canonicalize().ok()?;
    root.ancestors()
        .map(|dir| dir.join("shared/spec"))
        .find(|dir| dir.join("rules.md").is_file())
}

#[test]
fn the_copies_equal_the_shared_originals() {
    let Some(shared) = shared_spec() else {
        eprintln!("shared/spec not found beside the repository: the copies are not compared");
        return;
    };
    for name in SPECS {
        let original = std::fs::read_to_string(shared.join(name)).expect("the original");
        assert!(
            copy_body(name) == original,
            "docs/spec/{name} differs from {}: copy it again",
            shared.join(name).display()
        );
    }
}

/// Every `rules.md §N` (also `§N–§M`) in the sources and cards names a heading `## N.`.
#[test]
fn citations_name_existing_sections() {
    let rules = copy_body("rules.md");
    let sections: Vec<u32> = rules
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|l| l.split('.').next()?.parse().ok())
        .collect();
    assert!(sections.len() >= 9, "{sections:?}");
    let mut files = Vec::new();
    collect(&root().join("crates"), &mut files);
    collect(&root().join("cards"), &mut files);
    let mut checked = 0;
    for file in files.iter().filter(|f| !f.ends_with("tests/spec.rs")) {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (at, _) in text.match_indices("rules.md §") {
            let after = &text[at + "rules.md ".len()..];
            for part in after.split(['–', '-', ',']).take(2) {
                let Some(number) = part.trim().strip_prefix('§') else {
                    break;
                };
                let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
                let n: u32 = digits.parse().expect("a section number");
                assert!(
                    sections.contains(&n),
                    "{}: rules.md §{n} does not exist",
                    file.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "only {checked} citations found");
}

/// Code and cards cite the copies in `docs/spec/`, not `shared/spec/` outside the repository.
#[test]
fn citations_name_the_copies_in_the_repository() {
    let mut files = Vec::new();
    collect(&root().join("crates"), &mut files);
    collect(&root().join("cards"), &mut files);
    let outside: Vec<String> = files
        .iter()
        .filter(|f| !f.ends_with("tests/spec.rs"))
        .filter(|f| {
            std::fs::read_to_string(f)
                .unwrap_or_default()
                .contains("shared/spec/")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        outside.is_empty(),
        "cite docs/spec/ (the copies) instead of shared/spec/: {outside:?}"
    );
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "rs" || e == "toml" || e == "typ")
        {
            out.push(path);
        }
    }
}
