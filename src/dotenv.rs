//! Reads `./.env`, the settings file in the working directory, and puts its
//! variables into the process environment (cli.md, "Settings files").
//!
//! This replaces the `dotenvy` crate because the contract differs from it in
//! ways users rely on:
//!
//! - only `.env` in the given directory is read, never one in a parent;
//! - an unquoted value runs to the end of the line, spaces included, as
//!   Docker's `--env-file` and systemd's `EnvironmentFile=` read it
//!   (`SWEEP_FROM=To Do,Blocked` is `To Do,Blocked`);
//! - a bad line is an error naming the file and the line, and the file is
//!   then not loaded at all (everything is parsed before anything is set);
//! - an error never quotes the line, which may hold a secret.
//!
//! The accepted shape of a line, after surrounding whitespace:
//!
//! - blank, or a comment: `#` is the first non-space character;
//! - `[export ]KEY=VALUE`, where KEY is `[A-Za-z_][A-Za-z0-9_]*` and `=`
//!   follows it directly (`export ` is allowed so the file can also be
//!   sourced by `sh`);
//! - VALUE unquoted: the rest of the line, whitespace trimmed. A ` #` inside
//!   it stays part of the value, as Docker and systemd keep it: a colour
//!   like `#ff0000` or a status named `Done #2` must survive, and a comment
//!   belongs on its own line;
//! - VALUE in single quotes: literal, closed on the same line;
//! - VALUE in double quotes: closed on the same line; `\"`, `\\` and `\n`
//!   are escapes, any other backslash is kept as written;
//! - after a closing quote only whitespace, or whitespace then `# comment`.
//!
//! A key given twice keeps its last value, as `sh` would.

// Used once wired into the run.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest `.env` read; a settings file is a few kilobytes, so anything
/// larger is a mistake (or `/dev/zero`) and must not be read into memory.
pub(crate) const MAX_DOTENV_BYTES: u64 = 1024 * 1024;

/// Why `.env` could not be loaded. Messages name the file and line but never
/// the content of a line, which may be a secret.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DotenvError {
    /// A line that is not blank, a comment or `KEY=VALUE`.
    #[error("{file}, line {line}: {problem}; nothing from the file was loaded (fix or remove the line, or quote the value)")]
    Syntax {
        /// The file, as given to [`load`] (`.env` for [`parse`]).
        file: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What shape was expected.
        problem: Problem,
    },
    /// The file holds bytes that are not UTF-8.
    #[error("{file}, line {line}: the line is not valid UTF-8; save the file as UTF-8 (nothing from the file was loaded)")]
    NotUtf8 {
        /// The file.
        file: PathBuf,
        /// 1-based line number of the first bad line.
        line: usize,
    },
    /// The file is larger than [`MAX_DOTENV_BYTES`].
    #[error("{file} is larger than 1 MiB, which no settings file needs; check that it is the right file (nothing from it was loaded)")]
    TooLarge {
        /// The file.
        file: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("could not read {file}: {source}; check its permissions, or remove it and set the variables in the environment")]
    Io {
        /// The file.
        file: PathBuf,
        /// The cause (never holds file content).
        source: std::io::Error,
    },
}

/// What was wrong with one line of `.env`: the shape that was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Problem {
    /// No `=` on a line that is not blank or a comment.
    #[error("expected KEY=VALUE, a comment starting with #, or a blank line")]
    NoEquals,
    /// The part before `=` is not a valid name.
    #[error("the name before = must be letters, digits and _, not start with a digit, and be followed directly by = (no spaces)")]
    BadKey,
    /// A quote opened the value but did not close on the same line.
    #[error("a value that starts with a quote must end with the same quote on the same line")]
    UnclosedQuote,
    /// Something other than whitespace or ` # comment` after a closing quote.
    #[error("only spaces or a ' # comment' may follow the closing quote")]
    TextAfterQuote,
    /// The value holds a NUL character, which no environment variable can.
    #[error("the value contains a NUL character, which an environment variable cannot hold")]
    Nul,
}

/// What [`load`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Loaded {
    /// The file read, or `None` when there was no `.env`.
    pub(crate) file: Option<PathBuf>,
    /// Keys set from the file, in file order.
    pub(crate) applied: Vec<String>,
    /// Keys in the file that were left alone because the real environment
    /// already had them (real variables win).
    pub(crate) skipped: Vec<String>,
}

/// Parses the text of a `.env` file into `(key, value)` pairs in file order
/// (a repeated key appears each time; the last one wins when applied).
/// Errors name the file as `.env` and the 1-based line.
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Pairs, DotenvError> {
    parse_named(text, Path::new(".env"))
}

/// [`parse`] with the file name to put in errors.
fn parse_named(text: &str, file: &Path) -> Result<Pairs, DotenvError> {
    // A BOM is what some Windows editors put first; it is not part of a key.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut pairs = Vec::new();
    for (index, line) in text.lines().enumerate() {
        match parse_line(line) {
            Ok(Some(pair)) => pairs.push(pair),
            Ok(None) => {}
            Err(problem) => {
                return Err(DotenvError::Syntax {
                    file: file.to_path_buf(),
                    line: index + 1,
                    problem,
                })
            }
        }
    }
    Ok(pairs)
}

/// One line: `None` for blank lines and comments.
fn parse_line(line: &str) -> Result<Option<(String, String)>, Problem> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    // `export KEY=…` for sh; `export=…` or `exportX=…` are plain keys.
    let line = match line.strip_prefix("export") {
        Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
        _ => line,
    };
    let Some((key, raw)) = line.split_once('=') else {
        return Err(Problem::NoEquals);
    };
    if !is_key(key) {
        return Err(Problem::BadKey);
    }
    let value = parse_value(raw.trim())?;
    // set_var panics on a NUL; refuse it here, where it can be reported.
    if value.contains('\0') {
        return Err(Problem::Nul);
    }
    Ok(Some((key.to_string(), value)))
}

/// `[A-Za-z_][A-Za-z0-9_]*`: what sh accepts as a variable name.
fn is_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The value after `=`, already trimmed.
fn parse_value(raw: &str) -> Result<String, Problem> {
    let (value, rest) = match raw.chars().next() {
        Some('\'') => {
            let body = &raw[1..];
            let end = body.find('\'').ok_or(Problem::UnclosedQuote)?;
            (body[..end].to_string(), &body[end + 1..])
        }
        Some('"') => double_quoted(&raw[1..])?,
        // Unquoted: everything, ` #` included (see the module docs).
        _ => return Ok(raw.to_string()),
    };
    check_after_quote(rest)?;
    Ok(value)
}

/// The body of a double-quoted value, up to its closing quote; returns the
/// unescaped value and the text after the quote.
fn double_quoted(body: &str) -> Result<(String, &str), Problem> {
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &body[i + 1..])),
            '\\' => match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                // Unknown escapes stay as written, as sh keeps `\t` in "".
                Some((_, other)) => {
                    value.push('\\');
                    value.push(other);
                }
                None => return Err(Problem::UnclosedQuote),
            },
            other => value.push(other),
        }
    }
    Err(Problem::UnclosedQuote)
}

/// After a closing quote: nothing, whitespace, or whitespace then `#…`.
fn check_after_quote(rest: &str) -> Result<(), Problem> {
    let trimmed = rest.trim_start();
    if trimmed.is_empty() {
        return Ok(());
    }
    // `"a"#b` would be `a#b` to sh, so demand the space to avoid surprises.
    if trimmed.starts_with('#') && trimmed.len() < rest.len() {
        return Ok(());
    }
    Err(Problem::TextAfterQuote)
}

/// The pairs of one `.env` file, in file order.
pub(crate) type Pairs = Vec<(String, String)>;

/// Reads `dir/.env` without touching the environment: `Ok(None)` when the
/// file does not exist, else its pairs. The whole file is checked first.
pub(crate) fn read(dir: &Path) -> Result<Option<(PathBuf, Pairs)>, DotenvError> {
    let file = dir.join(".env");
    let io = |source| DotenvError::Io {
        file: file.clone(),
        source,
    };
    let handle = match std::fs::File::open(&file) {
        Ok(handle) => handle,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    // Read at most one byte past the limit, so a huge or endless file
    // (a device, a FIFO with a writer) fails without growing memory.
    let mut bytes = Vec::new();
    handle
        .take(MAX_DOTENV_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_DOTENV_BYTES {
        return Err(DotenvError::TooLarge { file });
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            return Err(DotenvError::NotUtf8 { file, line });
        }
    };
    let pairs = parse_named(&text, &file)?;
    Ok(Some((file, pairs)))
}

/// Reads `dir/.env` if it exists and sets each of its keys that the process
/// environment does not already have (real variables win). A missing file
/// is `Ok` with nothing loaded; a bad file sets nothing.
///
/// Call it before any other thread starts: it uses `std::env::set_var`.
pub(crate) fn load(dir: &Path) -> Result<Loaded, DotenvError> {
    let Some((file, pairs)) = read(dir)? else {
        return Ok(Loaded::default());
    };
    let mut loaded = Loaded {
        file: Some(file),
        ..Loaded::default()
    };
    // Decide against the environment as it was before the file, so a key
    // repeated in the file still takes its last value.
    let present: Vec<bool> = pairs
        .iter()
        .map(|(key, _)| std::env::var_os(key).is_some())
        .collect();
    for ((key, value), present) in pairs.into_iter().zip(present) {
        if present {
            if !loaded.skipped.contains(&key) {
                loaded.skipped.push(key);
            }
            continue;
        }
        // Keys and values were checked: no '=', no NUL, so this cannot panic.
        std::env::set_var(&key, value);
        if !loaded.applied.contains(&key) {
            loaded.applied.push(key);
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> (String, String) {
        let pairs = parse(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert_eq!(pairs.len(), 1, "{line:?}");
        pairs.into_iter().next().unwrap()
    }

    fn value(line: &str) -> String {
        one(line).1
    }

    fn problem(text: &str) -> (usize, Problem) {
        match parse(text) {
            Err(DotenvError::Syntax { line, problem, .. }) => (line, problem),
            other => panic!("{text:?}: expected a syntax error, got {other:?}"),
        }
    }

    /// A directory of its own for one test.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "notion-sweep-dotenv-{}-{name}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn unquoted_values_run_to_the_end_of_the_line() {
        assert_eq!(
            one("SWEEP_FROM=To Do,Blocked"),
            ("SWEEP_FROM".into(), "To Do,Blocked".into())
        );
        assert_eq!(value("A=  padded value  "), "padded value");
        assert_eq!(value("A=\tTab\t"), "Tab");
        assert_eq!(value("A="), "");
        assert_eq!(value("A=a=b=c"), "a=b=c");
        assert_eq!(value("A=it's"), "it's");
        assert_eq!(value("A=say \"hi\""), "say \"hi\"");
        assert_eq!(
            value("A=https://x.test/?a=1&b=2"),
            "https://x.test/?a=1&b=2"
        );
    }

    #[test]
    fn an_inline_hash_in_an_unquoted_value_is_kept() {
        assert_eq!(value("A=Done #2"), "Done #2");
        assert_eq!(value("A=#ff0000"), "#ff0000");
        assert_eq!(value("A=x # not a comment"), "x # not a comment");
    }

    #[test]
    fn quotes_are_removed() {
        assert_eq!(value("A='To Do'"), "To Do");
        assert_eq!(value("A=\"To Do\""), "To Do");
        assert_eq!(value("A=''"), "");
        assert_eq!(value("A=\"\""), "");
        assert_eq!(value("A=  'x'  "), "x");
        assert_eq!(value("A='x' # comment"), "x");
        assert_eq!(value("A=\"x\"\t# comment"), "x");
        assert_eq!(value("A='a # b'"), "a # b");
    }

    #[test]
    fn single_quotes_are_literal() {
        assert_eq!(value(r"A='a\nb\\c\'"), r"a\nb\\c\");
        assert_eq!(value("A='say \"hi\"'"), "say \"hi\"");
    }

    #[test]
    fn double_quotes_know_three_escapes() {
        assert_eq!(value(r#"A="a\"b""#), "a\"b");
        assert_eq!(value(r#"A="a\\b""#), "a\\b");
        assert_eq!(value(r#"A="a\nb""#), "a\nb");
        assert_eq!(value(r#"A="a\tb""#), "a\\tb");
        assert_eq!(value(r#"A="it's""#), "it's");
        assert_eq!(value(r#"A="ends in \\""#), "ends in \\");
    }

    #[test]
    fn export_prefix_is_accepted() {
        assert_eq!(one("export A=1"), ("A".into(), "1".into()));
        assert_eq!(one("export\tA=1"), ("A".into(), "1".into()));
        assert_eq!(one("  export   A='x y'"), ("A".into(), "x y".into()));
        // Not a prefix: names that merely start with "export".
        assert_eq!(one("export=1"), ("export".into(), "1".into()));
        assert_eq!(one("exported=1"), ("exported".into(), "1".into()));
    }

    #[test]
    fn blank_lines_and_comments_are_skipped() {
        let text = "\n   \n# comment\n   # indented comment\n\t\nA=1\r\n#B=2\nC=3";
        assert_eq!(
            parse(text).unwrap(),
            vec![("A".into(), "1".into()), ("C".into(), "3".into())]
        );
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn crlf_and_a_bom_are_tolerated() {
        assert_eq!(
            parse("\u{feff}A=1\r\nB='x'\r\n").unwrap(),
            vec![("A".into(), "1".into()), ("B".into(), "x".into())]
        );
    }

    #[test]
    fn keys_must_be_names() {
        for bad in [
            "=1",
            "1A=1",
            "A B=1",
            "A =1",
            "A-B=1",
            "A.B=1",
            "Ä=1",
            "export =1",
            "$A=1",
        ] {
            assert_eq!(problem(bad), (1, Problem::BadKey), "{bad:?}");
        }
        for good in ["_=1", "_A1=1", "a=1", "A_B_9=1"] {
            one(good);
        }
    }

    #[test]
    fn lines_without_equals_are_errors_with_their_number() {
        assert_eq!(problem("A=1\n\n# c\njust words\n"), (4, Problem::NoEquals));
        assert_eq!(problem("export A"), (1, Problem::NoEquals));
        assert_eq!(problem("A=1\nB"), (2, Problem::NoEquals));
    }

    #[test]
    fn quotes_must_close_on_the_same_line() {
        assert_eq!(problem("A='x"), (1, Problem::UnclosedQuote));
        assert_eq!(problem("A=\"x"), (1, Problem::UnclosedQuote));
        assert_eq!(problem("A=\"x\\\""), (1, Problem::UnclosedQuote));
        assert_eq!(problem("A=\"x\\"), (1, Problem::UnclosedQuote));
        assert_eq!(problem("A=\"multi\nline\""), (1, Problem::UnclosedQuote));
    }

    #[test]
    fn only_a_comment_may_follow_a_closing_quote() {
        assert_eq!(problem("A='x'y"), (1, Problem::TextAfterQuote));
        assert_eq!(problem("A='x' y"), (1, Problem::TextAfterQuote));
        assert_eq!(problem("A=\"x\"'y'"), (1, Problem::TextAfterQuote));
        assert_eq!(problem("A='x'#c"), (1, Problem::TextAfterQuote));
    }

    #[test]
    fn a_nul_is_refused_rather_than_panicking_later() {
        assert_eq!(problem("A=a\0b"), (1, Problem::Nul));
        assert_eq!(problem("A='\0'"), (1, Problem::Nul));
    }

    #[test]
    fn errors_never_quote_the_line() {
        let secret = "ntn_s3cr3tValue";
        for text in [
            format!("NOTION_TOKEN {secret}"),
            format!("NOTION_TOKEN='{secret}"),
            format!("NOTION_TOKEN='{secret}' trailing"),
            format!("NOTION TOKEN={secret}"),
            secret.to_string(),
        ] {
            let message = parse(&text).unwrap_err().to_string();
            assert!(!message.contains(secret), "{message}");
            assert!(!message.contains("s3cr3t"), "{message}");
            assert!(message.contains(".env, line 1"), "{message}");
        }
    }

    #[test]
    fn every_line_of_env_example_parses_when_uncommented() {
        let example = include_str!("../.env.example");
        let mut uncommented = String::new();
        let mut settings = 0;
        for line in example.lines() {
            // A commented-out setting is `# KEY=…`; prose comments stay.
            let body = line.trim_start().trim_start_matches('#').trim_start();
            let is_setting = body
                .split_once('=')
                .is_some_and(|(key, _)| is_key(key) && key.chars().all(|c| !c.is_lowercase()));
            if is_setting {
                settings += 1;
                uncommented.push_str(body);
            } else {
                uncommented.push_str(line);
            }
            uncommented.push('\n');
        }
        assert!(settings >= 20, "found only {settings} settings");
        let pairs = parse(&uncommented).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pairs.len(), settings);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("SWEEP_DATE_PROPERTY"), Some("Due Date"));
        assert_eq!(get("SWEEP_FROM"), Some("To Do"));
        assert_eq!(get("NOTION_TOKEN"), Some(""));
        // Each line on its own too, so a failure names its line.
        for (n, line) in uncommented.lines().enumerate() {
            if let Err(e) = parse(line) {
                panic!(".env.example line {}: {e}", n + 1);
            }
        }
    }

    #[test]
    fn random_input_never_panics() {
        let mut rng = fastrand::Rng::with_seed(0xd07e);
        let alphabet: Vec<char> = "AZaz_09= \t#'\"\\\nexport\r\0é€\u{feff}".chars().collect();
        for _ in 0..20_000 {
            let len = rng.usize(0..60);
            let text: String = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            if let Ok(pairs) = parse(&text) {
                for (key, value) in pairs {
                    assert!(is_key(&key), "{text:?}");
                    assert!(!value.contains('\0'), "{text:?}");
                }
            }
        }
        for _ in 0..2_000 {
            let bytes: Vec<u8> = (0..rng.usize(0..80)).map(|_| rng.u8(..)).collect();
            let _ = parse(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn read_missing_file_is_nothing() {
        let dir = temp_dir("missing");
        assert!(read(&dir).unwrap().is_none());
        assert_eq!(load(&dir).unwrap(), Loaded::default());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn read_never_looks_in_a_parent_directory() {
        let parent = temp_dir("parent");
        let child = parent.join("child");
        std::fs::create_dir_all(&child).unwrap();
        std::fs::write(parent.join(".env"), "A=1\n").unwrap();
        assert!(read(&child).unwrap().is_none());
        assert!(read(&parent).unwrap().is_some());
        std::fs::remove_dir_all(parent).unwrap();
    }

    #[test]
    fn read_names_the_file_and_line() {
        let dir = temp_dir("syntax");
        std::fs::write(dir.join(".env"), "A=1\nB='unclosed\n").unwrap();
        let message = read(&dir).unwrap_err().to_string();
        let expected = format!("{}, line 2:", dir.join(".env").display());
        assert!(message.starts_with(&expected), "{message}");
        assert!(!message.contains("unclosed"), "{message}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn non_utf8_names_the_line() {
        let dir = temp_dir("utf8");
        std::fs::write(dir.join(".env"), b"A=1\n# ok\nB=\xff\xfe\n").unwrap();
        match read(&dir) {
            Err(DotenvError::NotUtf8 { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn files_over_one_mib_are_refused() {
        let dir = temp_dir("large");
        let line = "A=0123456789012345678901234567890123456789\n";
        let text = line.repeat((MAX_DOTENV_BYTES as usize) / line.len() + 1);
        std::fs::write(dir.join(".env"), &text).unwrap();
        assert!(matches!(read(&dir), Err(DotenvError::TooLarge { .. })));
        // Exactly at the limit is fine.
        std::fs::write(dir.join(".env"), &text[..MAX_DOTENV_BYTES as usize - 1]).unwrap();
        let _ = read(&dir).unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_directory_named_env_is_an_io_error() {
        let dir = temp_dir("isdir");
        std::fs::create_dir(dir.join(".env")).unwrap();
        let error = read(&dir).unwrap_err();
        assert!(matches!(error, DotenvError::Io { .. }), "{error:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn load_applies_only_keys_not_already_set_and_never_half_loads() {
        // Names unique to this test: the process environment is shared.
        let dir = temp_dir("load");
        let (set, fresh, twice) = (
            "NOTION_SWEEP_DOTENV_TEST_SET",
            "NOTION_SWEEP_DOTENV_TEST_FRESH",
            "NOTION_SWEEP_DOTENV_TEST_TWICE",
        );
        std::env::set_var(set, "from the environment");
        std::fs::write(
            dir.join(".env"),
            format!("{set}=from the file\n{fresh}='To Do'\n{twice}=1\n{twice}=2\n"),
        )
        .unwrap();
        let loaded = load(&dir).unwrap();
        assert_eq!(loaded.file, Some(dir.join(".env")));
        assert_eq!(loaded.applied, vec![fresh.to_string(), twice.to_string()]);
        assert_eq!(loaded.skipped, vec![set.to_string()]);
        assert_eq!(std::env::var(set).unwrap(), "from the environment");
        assert_eq!(std::env::var(fresh).unwrap(), "To Do");
        assert_eq!(std::env::var(twice).unwrap(), "2");

        let untouched = "NOTION_SWEEP_DOTENV_TEST_UNTOUCHED";
        std::fs::write(dir.join(".env"), format!("{untouched}=1\nnot a line\n")).unwrap();
        assert!(load(&dir).is_err());
        assert!(std::env::var_os(untouched).is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
