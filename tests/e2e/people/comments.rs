//! `--comment`: one comment on the page of each task written, saying what
//! changed; counted in the document; none for a dry run; a missing
//! capability is one warning, one attempt, and the moves still happen.

use notion_sandbox::{GeneratedBoard, PropertyValue, Sandbox, SandboxConfig};
use serde_json::json;

use crate::support::*;

/// The plain text of each comment on a page, oldest first.
fn comments(sandbox: &Sandbox, page_id: &str) -> Vec<String> {
    sandbox
        .comments(page_id)
        .iter()
        .map(|c| {
            c["rich_text"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["plain_text"].as_str().unwrap())
                .collect()
        })
        .collect()
}

/// How many comments were asked of Notion.
fn comment_posts(sandbox: &Sandbox) -> usize {
    requests(sandbox, "POST")
        .iter()
        .filter(|r| r.path == "/v1/comments")
        .count()
}

/// A board of 40 tasks (twelve overdue) on a sandbox of its own.
fn served(seed: u64, config: SandboxConfig) -> Served {
    let spec = GeneratedBoard {
        seed,
        ..GeneratedBoard::new(40, as_of())
    };
    Served::new(spec, config)
}

#[test]
fn each_successful_write_gets_one_comment_saying_what_changed() {
    let served = served(41, SandboxConfig::default());
    // One overdue task cannot be written: it gets no comment.
    let locked = served.expected.iter().next().unwrap().clone();
    served.sandbox.faults().lock_page(&locked);
    let run = served.sweep(&["--comment", "--output", "json"]);
    run.expect_code(4);
    let doc = run.json();
    let updated = ids_with(&doc, "updated");
    assert_eq!(updated.len() + 1, served.expected.len());
    assert!(!updated.contains(&locked));
    for page in &served.before {
        let said = comments(&served.sandbox, &page.id);
        if !updated.contains(&page.id) {
            assert!(said.is_empty(), "{}: {said:?}", page.id);
            continue;
        }
        assert_eq!(said.len(), 1, "{}: {said:?}", page.id);
        let Some(PropertyValue::Date(due)) = page.properties.get("Due Date") else {
            panic!("an overdue task has a due date");
        };
        let text = &said[0];
        assert!(
            text.starts_with("notion-sweep moved this task from 'To Do' to 'Overdue': it was due "),
            "{text}"
        );
        assert!(text.contains(&due.start[..10]), "{text} of {due:?}");
        assert!(text.ends_with(&format!("before {AS_OF}.")), "{text}");
    }
    assert_eq!(
        doc["comments"],
        json!({ "added": updated.len(), "failed": 0 })
    );
    assert_eq!(comment_posts(&served.sandbox), updated.len());
}

#[test]
fn a_dry_run_adds_no_comment_and_a_run_without_the_flag_counts_none() {
    let served = served(42, SandboxConfig::default());
    let run = served.sweep(&["--comment", "--dry-run", "--output", "json"]);
    run.expect_code(0);
    assert_eq!(comment_posts(&served.sandbox), 0);
    assert_eq!(run.json()["comments"], json!({ "added": 0, "failed": 0 }));
    let run = served.sweep(&["--output", "json"]);
    run.expect_code(0);
    assert_eq!(comment_posts(&served.sandbox), 0);
    assert!(
        run.json().get("comments").is_none(),
        "no comments key without --comment"
    );
    assert!(served
        .before
        .iter()
        .all(|p| served.sandbox.comments(&p.id).is_empty()));
}

#[test]
fn without_the_insert_comments_capability_one_warning_one_attempt_and_the_moves() {
    let served = served(
        43,
        SandboxConfig {
            can_comment: false,
            ..SandboxConfig::default()
        },
    );
    let run = served.sweep(&["--comment", "--output", "json"]);
    run.expect_code(0);
    assert_eq!(served.moved(), served.expected, "every overdue task moved");
    let doc = run.json();
    assert_eq!(doc["updated"], served.expected.len());
    assert_eq!(comment_posts(&served.sandbox), 1, "no more comments tried");
    assert_eq!(doc["comments"], json!({ "added": 0, "failed": 1 }));
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("Insert comments"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(served
        .before
        .iter()
        .all(|p| served.sandbox.comments(&p.id).is_empty()));
}
