//! `notion-sweep completions SHELL` and `notion-sweep man`: made from the
//! same definitions as `--help`, so they can never disagree with it.

use std::io::Write;

use clap::CommandFactory;

use crate::input::cli::Cli;
use crate::output::exit::{exit_of, Ending, Exit};
use crate::output::print;

/// The program's name, as shells and `man` know it.
const BIN: &str = "notion-sweep";

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell) -> Exit {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, BIN, &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == clap_complete::Shell::Bash {
        script = mend_bash(&script);
    }
    write_out(script.as_bytes());
    exit_of(Ending::Done)
}

/// clap_complete's bash script names a subcommand's state after the
/// binary with its `-` turned into `__subcmd__` in the `case` labels, but
/// into `__` where it sets the state, so nothing completed after the
/// subcommand of a hyphenated name. The labels are made to match.
fn mend_bash(script: &str) -> String {
    let wrong = format!("{}__subcmd__", BIN.replace('-', "__subcmd__"));
    let right = format!("{}__subcmd__", BIN.replace('-', "__"));
    script.replace(&wrong, &right)
}

/// Prints the man page, in roff: one page for the program and every
/// command with all its flags, variables and defaults.
pub(super) fn man() -> Exit {
    match page() {
        Ok(page) => {
            write_out(&page);
            exit_of(Ending::Done)
        }
        Err(e) => {
            print::error(&format!("could not write the man page: {e}"));
            exit_of(Ending::Internal)
        }
    }
}

/// The page: the program's sections, then a section per command with its
/// synopsis, description, options and examples.
fn page() -> std::io::Result<Vec<u8>> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    let commands: Vec<&clap::Command> = command
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .collect();
    page.extend_from_slice(b".SH COMMANDS\n");
    for sub in &commands {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        page.extend_from_slice(
            format!(
                ".TP\n\\fB{} {}\\fR\n{}\n",
                BIN.replace('-', "\\-"),
                sub.get_name(),
                roff_text(&about)
            )
            .as_bytes(),
        );
    }
    for sub in commands {
        let name = format!("{BIN} {}", sub.get_name());
        let heading = name.to_uppercase().replace('-', "\\-");
        page.extend_from_slice(format!(".SH \"{heading}\"\n").as_bytes());
        let sub = sub.clone().bin_name(name);
        let man = clap_mangen::Man::new(sub.clone());
        let mut part = Vec::new();
        man.render_description_section(&mut part)?;
        man.render_synopsis_section(&mut part)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut part)?;
        }
        if let Some(examples) = sub.get_after_help() {
            part.extend_from_slice(b".SH EXAMPLES\n.nf\n");
            part.extend_from_slice(roff_text(&examples.to_string()).as_bytes());
            part.extend_from_slice(b"\n.fi\n");
        }
        // A command's own headings sit under its section.
        let part = String::from_utf8_lossy(&part).replace(".SH ", ".SS ");
        page.extend_from_slice(part.as_bytes());
    }
    man.render_extra_section(&mut page)?;
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// Plain text made safe for roff: backslashes doubled, and no line may
/// start with a control character.
fn roff_text(text: &str) -> String {
    text.replace('\\', "\\e")
        .lines()
        .map(|line| {
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes the script as made: it holds no secret and no server text.
fn write_out(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}
