//! Made for shells: completions complete every subcommand's flags, and the
//! man page documents every command and flag.

use crate::support::*;

fn generated(args: &[&str]) -> String {
    let run = notion_sweep(args, &[]);
    run.expect_code(0);
    run.stdout
}

/// What bash completes for the words typed so far (the last one partial).
fn bash_completes(script: &str, words: &[&str]) -> Vec<String> {
    let path = std::env::temp_dir().join(format!(
        "notion-sweep-completion-{}.bash",
        fastrand::u64(..)
    ));
    std::fs::write(&path, script).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let line = format!(
        "source {path}; COMP_WORDS=({words}); COMP_CWORD={cword}; \
         _notion__sweep notion-sweep '{cur}' '{prev}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path = path.display(),
        words = quoted.join(" "),
        cword = words.len() - 1,
        cur = words[words.len() - 1],
        prev = words[words.len() - 2],
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &line])
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_file(path);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_the_flags_of_every_subcommand() {
    let script = generated(&["completions", "bash"]);
    let cases: [(&[&str], &str); 9] = [
        (&["notion-sweep", "sw"], "sweep"),
        (&["notion-sweep", "st"], "stale"),
        (&["notion-sweep", "di"], "digest"),
        (&["notion-sweep", "stale", "--move"], "--move-to"),
        (&["notion-sweep", "digest", "--si"], "--since"),
        (&["notion-sweep", "sweep", "--lock"], "--lock-wait"),
        (&["notion-sweep", "check", "--status"], "--status-property"),
        (&["notion-sweep", "schema", "--data"], "--data-source"),
        (&["notion-sweep", "demo", "--dry"], "--dry-run"),
    ];
    for (words, wanted) in cases {
        let got = bash_completes(&script, words);
        assert!(got.iter().any(|w| w == wanted), "{words:?}: {got:?}");
    }
}

#[test]
fn zsh_and_fish_scripts_know_every_subcommands_flags() {
    for shell in ["zsh", "fish"] {
        let script = generated(&["completions", shell]);
        for flag in [
            "lock-wait",
            "status-property",
            "data-source",
            "notify-empty",
            "move-to",
            "idle",
            "since",
        ] {
            assert!(script.contains(flag), "{shell}: {flag}");
        }
    }
}

#[test]
fn the_man_page_documents_every_command_and_flag() {
    let page = generated(&["man"]);
    for section in [
        "NOTION\\-SWEEP SWEEP",
        "NOTION\\-SWEEP CHECK",
        "NOTION\\-SWEEP SCHEMA",
        "NOTION\\-SWEEP STALE",
        "NOTION\\-SWEEP DIGEST",
    ] {
        assert!(page.contains(section), "{section}");
    }
    for flag in [
        "lock\\-wait",
        "status\\-property",
        "notify\\-empty",
        "token\\-file",
        "NOTION_DEADLINE",
        "move\\-to",
        "STALE_STATUS",
        "DIGEST_SINCE",
    ] {
        assert!(page.contains(flag), "{flag}");
    }
    assert!(!page.contains("notion-sweep-sweep(1)") && !page.contains("notion\\-sweep\\-sweep(1)"));
    // groff, where present, reads it without a warning.
    let path = std::env::temp_dir().join(format!("notion-sweep-{}.1", fastrand::u64(..)));
    std::fs::write(&path, &page).unwrap();
    if let Ok(out) = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(&path)
        .output()
    {
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "groff warnings");
    }
    let _ = std::fs::remove_file(path);
}
