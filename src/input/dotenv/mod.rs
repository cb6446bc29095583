//! Reads `./.env`, the settings file in the working directory, and puts its
//! variables into the process environment (README.md, "Settings files").
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

use std::path::{Path, PathBuf};

use crate::guards::limits;

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
    /// Not a regular file (a FIFO, a device, a directory).
    #[error("{file} is not a regular file (a FIFO, a device, a directory?); notion-sweep reads ./.env only as a file: remove it, or set the variables in the environment")]
    NotAFile {
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
    match std::fs::metadata(&file) {
        Ok(meta) if meta.is_file() => {}
        // A FIFO or a device as ./.env is never meant: refused at once,
        // so that no command waits for it.
        Ok(_) => return Err(DotenvError::NotAFile { file }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    }
    // Read at most one byte past the limit, so a huge or endless file
    // fails without growing memory, and within a time limit.
    let bytes = limits::read_file(&file, MAX_DOTENV_BYTES).map_err(io)?;
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
mod tests;
