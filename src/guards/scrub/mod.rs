//! Keeps secrets and terminal control out of every text that leaves the
//! process (docs/reliability.md, "Hostile answers").
//!
//! Text from a server (Notion's error `message`, a webhook's answer body,
//! task titles) may echo what we sent: the token, inside `Bearer …`, or a
//! webhook URL, whole, as its path only, percent-encoded or JSON-escaped.
//! A [`Scrubber`] knows a run's secrets in all those forms and replaces each
//! occurrence with `(redacted)`; [`escape_control`] shows control and bidi
//! characters escaped so a title can neither move the cursor nor forge a
//! log line.
//!
//! The run installs one scrubber with [`install`]; output code calls
//! [`scrubbed`] (secrets and control characters) and the log writer
//! [`ScrubbedStderr`] calls [`redacted`] (secrets only: the formatter's own
//! ANSI colours must survive; server text is escaped where it is formatted).

// Used once wired into the run.

use std::io::Write;
use std::sync::{Arc, RwLock};

/// What replaces a secret.
pub(crate) const REDACTED: &str = "(redacted)";

/// The shortest URL part (path, query) scrubbed on its own: shorter ones,
/// like `/` or `/hook`, are no secret alone and would blank ordinary text.
const MIN_URL_PART: usize = 8;

/// The shortest path segment or query value that may be a secret by itself.
const MIN_SECRET_SEGMENT: usize = 16;

/// Knows a run's secrets in every form a server might echo them, and
/// removes them from text. Its `Debug` output shows no secret.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    /// Every form of every secret, deduplicated.
    patterns: Vec<String>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the patterns: they are the secrets.
        f.debug_struct("Scrubber")
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

impl Scrubber {
    /// A scrubber that knows no secret yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Builds a scrubber from the run's secrets: tokens (any number, one per
    /// workspace) and notification URLs.
    pub(crate) fn from_secrets<'a>(
        tokens: impl IntoIterator<Item = &'a str>,
        urls: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut scrubber = Self::new();
        for token in tokens {
            scrubber.add_secret(token);
        }
        for url in urls {
            scrubber.add_url(url);
        }
        scrubber
    }

    /// Whether no secret is known.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Adds a secret such as a token, in the forms a server might echo it:
    /// as is, percent-encoded (either hex case), JSON-escaped (with and
    /// without `\/`) and HTML-escaped. Surrounding whitespace is dropped (a
    /// token file ends in a newline); an empty secret is ignored. A short
    /// secret is still scrubbed: being short does not make it public.
    pub(crate) fn add_secret(&mut self, secret: &str) {
        let secret = secret.trim();
        if secret.is_empty() {
            return;
        }
        let encoded = percent_encode(secret);
        let json = json_escape(secret);
        let forms = [
            secret.to_string(),
            encoded.to_ascii_lowercase(),
            encoded,
            json.replace('/', "\\/"),
            json,
            html_escape(secret),
        ];
        for form in forms {
            self.add_pattern(form);
        }
    }

    /// Adds a URL that is a secret (a webhook): the whole URL as given and
    /// as normalised, its path with the query, its path, its query, any
    /// password, and each path segment or query value of 16 characters or
    /// more that looks like a key (see [`looks_secret`]), each in every form
    /// [`add_secret`](Self::add_secret) knows. The segments are what protect
    /// the URL in forms nobody can list, such as partly encoded copies.
    pub(crate) fn add_url(&mut self, url: &str) {
        let url = url.trim();
        self.add_secret(url);
        // A prefix names the kind (`slack+https://…`); the rest is the URL.
        let bare = match url.split_once('+') {
            Some((kind, rest)) if kind.chars().all(|c| c.is_ascii_alphabetic()) => rest,
            _ => url,
        };
        let Ok(parsed) = url::Url::parse(bare) else {
            return;
        };
        self.add_secret(bare);
        self.add_secret(parsed.as_str());
        let path = parsed.path();
        let query = parsed.query().unwrap_or("");
        for part in [
            if query.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{query}")
            },
            path.to_string(),
            query.to_string(),
        ] {
            if part.len() >= MIN_URL_PART {
                self.add_secret(&part);
            }
        }
        if let Some(password) = parsed.password() {
            self.add_secret(password);
            self.add_secret(&percent_decode(password));
        }
        let segments = path.split('/');
        let values = query
            .split('&')
            .filter_map(|pair| pair.split_once('=').map(|(_, v)| v));
        for piece in segments.chain(values) {
            for candidate in [piece.to_string(), percent_decode(&piece.replace('+', " "))] {
                if looks_secret(&candidate) {
                    self.add_secret(&candidate);
                }
            }
        }
    }

    fn add_pattern(&mut self, pattern: String) {
        if !pattern.is_empty() && !self.patterns.contains(&pattern) {
            self.patterns.push(pattern);
        }
    }

    /// Replaces every occurrence of every known secret form with
    /// `(redacted)`. Overlapping or adjacent occurrences become one
    /// `(redacted)`, so no part of a longer secret survives beside a
    /// shorter one (this is "longest match first", and more).
    pub(crate) fn scrub(&self, text: &str) -> String {
        if self.patterns.is_empty() || text.is_empty() {
            return text.to_string();
        }
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for pattern in &self.patterns {
            // Overlapping occurrences count too ("aaa" twice in "aaaa"), so
            // step one character past each match start, not past the match.
            let step = pattern.chars().next().map_or(1, char::len_utf8);
            let mut from = 0;
            while let Some(at) = text
                .get(from..)
                .and_then(|rest| rest.find(pattern.as_str()))
            {
                let start = from + at;
                spans.push((start, start + pattern.len()));
                from = start + step;
            }
        }
        if spans.is_empty() {
            return text.to_string();
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0; // text[..copied] is done
        let mut spans = spans.into_iter().peekable();
        while let Some((start, mut end)) = spans.next() {
            // Merge everything that overlaps or touches this span.
            while let Some(&(next_start, next_end)) = spans.peek() {
                if next_start > end {
                    break;
                }
                end = end.max(next_end);
                spans.next();
            }
            // Spans start and end on char boundaries: patterns are whole
            // strings found in a str.
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = end;
        }
        out.push_str(&text[copied..]);
        out
    }

    /// [`scrub`](Self::scrub), then [`escape_control`]: for text from a
    /// server shown in text, markdown or logs.
    #[cfg(test)]
    pub(crate) fn clean(&self, text: &str) -> String {
        escape_control(&self.scrub(text))
    }
}

/// Whether a URL piece may be a key rather than a word: 16 characters or
/// more, and not only lowercase letters and `-`, `_`, `.` (so
/// `incoming-webhooks` stays, `T000B000XXXXXXXXXXXX` and hex ids go).
fn looks_secret(piece: &str) -> bool {
    piece.chars().count() >= MIN_SECRET_SEGMENT
        && !piece
            .chars()
            .all(|c| c.is_ascii_lowercase() || matches!(c, '-' | '_' | '.'))
}

/// Every byte but the URL-unreserved ones as `%XX` (upper-case hex).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` sequences decoded; anything else, and the result if it is not
/// UTF-8, kept as it was.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// The body of a JSON string holding `text` (no surrounding quotes).
fn json_escape(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_string()
}

/// `text` as an HTML page would show it (`&` → `&amp;`, …).
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Whether `c` is shown escaped by [`escape_control`].
fn must_escape(c: char) -> bool {
    c.is_control() // C0, DEL and C1 (NEL and CSI included)
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        // Line and paragraph separators end a line in some viewers.
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Shows control characters escaped, so text from a server can neither
/// move the cursor, recolour the terminal, nor start a forged log line:
/// LF as `\n`, CR as `\r`, TAB as `\t` (escaped too: a tab in a title would
/// break column alignment and is never meant), every other C0 control, DEL
/// and C1 control as `\u{..}` (ESC is `\u{1b}`), and the bidi embedding,
/// override and isolate characters (U+202A–U+202E, U+2066–U+2069) and the
/// line/paragraph separators U+2028/U+2029 as `\u{..}`. Everything else,
/// backslashes included, is unchanged.
pub(crate) fn escape_control(text: &str) -> String {
    if !text.chars().any(must_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if must_escape(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// The run's scrubber, once [`install`]ed.
static INSTALLED: RwLock<Option<Arc<Scrubber>>> = RwLock::new(None);

/// Makes `scrubber` the one [`scrubbed`], [`redacted`] and the log writer
/// use from now on (replacing any earlier one: install one scrubber that
/// knows every board's secrets).
pub(crate) fn install(scrubber: Scrubber) {
    // A panic elsewhere while holding the lock must not stop scrubbing.
    let mut slot = INSTALLED.write().unwrap_or_else(|e| e.into_inner());
    *slot = Some(Arc::new(scrubber));
}

fn installed() -> Option<Arc<Scrubber>> {
    INSTALLED.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Secrets removed with the installed scrubber (the text unchanged when
/// none is installed); control characters kept. For the log writer.
pub(crate) fn redacted(text: &str) -> String {
    match installed() {
        Some(scrubber) => scrubber.scrub(text),
        None => text.to_string(),
    }
}

/// Secrets removed with the installed scrubber, then control characters
/// escaped: for any text from outside shown to the user or logged.
pub(crate) fn scrubbed(text: &str) -> String {
    escape_control(&redacted(text))
}

/// A writer that passes whole lines to `inner` with secrets removed (by the
/// installed scrubber, looked up at write time so logging can start before
/// the secrets are known). Lines are buffered because a secret split across
/// two writes could not be recognised; the rest is written on drop.
pub(crate) struct ScrubbedWriter<W: Write> {
    inner: W,
    buffer: Vec<u8>,
}

/// Past this many bytes without a newline the buffer is written anyway, so
/// one huge log line cannot grow memory without bound.
const MAX_BUFFERED: usize = 1024 * 1024;

impl<W: Write> ScrubbedWriter<W> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            buffer: Vec::new(),
        }
    }

    /// Writes the buffered bytes up to and including the last newline (all
    /// of them when `all`), scrubbed.
    fn emit(&mut self, all: bool) -> std::io::Result<()> {
        let end = if all || self.buffer.len() > MAX_BUFFERED {
            self.buffer.len()
        } else {
            match self.buffer.iter().rposition(|&b| b == b'\n') {
                Some(newline) => newline + 1,
                None => return Ok(()),
            }
        };
        if end == 0 {
            return Ok(());
        }
        let chunk: Vec<u8> = self.buffer.drain(..end).collect();
        let text = redacted(&String::from_utf8_lossy(&chunk));
        self.inner.write_all(text.as_bytes())
    }
}

impl<W: Write> Write for ScrubbedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        self.emit(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // Only whole lines: the rest may be half of a secret.
        self.emit(false)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for ScrubbedWriter<W> {
    fn drop(&mut self) {
        // Nowhere to report a failed log write; losing it is all we can do.
        let _ = self.emit(true);
        let _ = self.inner.flush();
    }
}

/// The log writer for `tracing_subscriber::fmt().with_writer(ScrubbedStderr)`:
/// standard error with every line scrubbed of secrets, at any verbosity.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ScrubbedStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for ScrubbedStderr {
    type Writer = ScrubbedWriter<std::io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbedWriter::new(std::io::stderr())
    }
}

/// Any `MakeWriter` with its lines scrubbed, as [`ScrubbedStderr`] does for
/// standard error (used by the tests, with a writer they can read).
#[cfg(test)]
#[derive(Debug, Clone, Default)]
pub(crate) struct Scrubbing<M>(pub(crate) M);

#[cfg(test)]
impl<'a, M: tracing_subscriber::fmt::MakeWriter<'a>> tracing_subscriber::fmt::MakeWriter<'a>
    for Scrubbing<M>
{
    type Writer = ScrubbedWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbedWriter::new(self.0.make_writer())
    }
}

#[cfg(test)]
mod tests;
