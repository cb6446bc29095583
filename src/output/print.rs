//! Where text leaves the process: standard output for results, the GitHub
//! step summary file, standard error for errors. Everything written is
//! scrubbed of the run's secrets, and control characters from outside are
//! shown escaped.

use std::io::Write;
use std::path::Path;

use crate::guards::{limits, scrub};

/// Writes text for people, scrubbed of the run's secrets, line by line (a
/// report of 20,000 tasks is not copied whole again). Our own line breaks
/// stay; any other control character (from a title, a name, a server's
/// message) is shown escaped.
fn write_safe(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    let scrubbed = scrub::redacted(text);
    let mut lines = scrubbed.split('\n').peekable();
    while let Some(line) = lines.next() {
        out.write_all(scrub::escape_control(line).as_bytes())?;
        if lines.peek().is_some() {
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// Writes to standard output, scrubbed of the run's secrets; a closed pipe
/// (`| head`) is not an error worth a panic.
pub(crate) fn print(text: &str) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = write_safe(&mut out, text);
    let _ = out.flush();
}

/// Writes a JSON document to standard output, scrubbed of the run's
/// secrets. Nothing else is escaped: the serializer escaped what JSON must,
/// and titles in a document are the real titles.
pub(crate) fn print_document(json: &str) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = out.write_all(scrub::redacted(json).as_bytes());
    let _ = out.flush();
}

/// Says what went wrong on standard error, once, scrubbed.
pub(crate) fn error(message: &str) {
    eprintln!("error: {}", scrub::scrubbed(message));
}

/// GitHub Actions: markdown appended to the job's step summary file,
/// whatever `--output` is, so a workflow needs no redirection; within a
/// time limit, never waiting for a FIFO's reader.
pub(crate) fn append_step_summary(path: &Path, markdown: &str) {
    let mut safe = Vec::new();
    let appended = write_safe(&mut safe, markdown).and_then(|()| limits::append_file(path, safe));
    if let Err(e) = appended {
        tracing::warn!(
            "could not append the summary to GITHUB_STEP_SUMMARY ({}): {e}",
            path.display()
        );
    }
}
