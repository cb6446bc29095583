use serde_json::{json, Value};

use super::*;

fn document() -> Value {
    json!({
        "database_id": "2f26ee68df304251aad48ddc420cba3d",
        "data_source_id": "248104cd-477e-80af-bc30-000bd28de8f9",
        "as_of": "2026-11-22",
        "dry_run": false,
        "started_at": "2026-11-22T08:00:05Z",
        "from": ["To Do"],
        "to": "Overdue",
        "status_property": "Status",
        "restore_to": "Doing",
        "tasks": [
            {"id": "00000000000040008000000000000001", "title": "A", "url": "https://evil.example/",
             "status": "To Do", "outcome": "updated"},
            {"id": "00000000-0000-4000-8000-000000000002", "title": "B", "status": "Overdue",
             "outcome": "restored"},
            {"id": "00000000-0000-4000-8000-000000000003", "title": "C", "status": "To Do",
             "outcome": "failed"},
            {"id": "00000000-0000-4000-8000-000000000004", "title": "D", "status": "To Do",
             "outcome": "due_soon"}
        ],
        "exit_code": 0
    })
}

fn parsed(value: &Value) -> Result<Report, String> {
    parse(value.to_string().as_bytes())
}

#[test]
fn the_moved_and_restored_tasks_are_what_to_undo() {
    let report = parsed(&document()).unwrap();
    assert!(!report.several);
    let board = &report.boards[0];
    assert_eq!(
        board.data_source_id.as_ref().unwrap().to_string(),
        "248104cd-477e-80af-bc30-000bd28de8f9"
    );
    let plan = &board.plan;
    assert_eq!(plan.status_property, "Status");
    assert_eq!(plan.swept_at, Some("2026-11-22T08:00:05Z".parse().unwrap()));
    let moves: Vec<(&str, &str, &str)> = plan
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.swept_to.as_str(), t.back_to.as_str()))
        .collect();
    assert_eq!(
        moves,
        [
            ("00000000-0000-4000-8000-000000000001", "Overdue", "To Do"),
            ("00000000-0000-4000-8000-000000000002", "Doing", "Overdue"),
        ]
    );
}

#[test]
fn several_boards_are_read_each() {
    let mut other = document();
    other["name"] = json!("Ops");
    other["data_source_id"] = json!("348104cd-477e-80af-bc30-000bd28de8f9");
    other["tasks"] = json!([]);
    let mut first = document();
    first["name"] = json!("Eng");
    let report = parsed(&json!({"boards": [first, other], "exit_code": 0})).unwrap();
    assert!(report.several);
    assert_eq!(report.boards.len(), 2);
    assert_eq!(report.boards[1].name.as_deref(), Some("Ops"));
    assert!(report.boards[1].plan.tasks.is_empty());
}

#[test]
fn what_is_not_a_sweeps_document_says_what_is_wrong() {
    let not_json = parse(b"Moved 3 overdue tasks").unwrap_err();
    assert!(not_json.starts_with("is not JSON ("), "{not_json}");
    let array = parsed(&json!([1, 2])).unwrap_err();
    assert!(
        array.contains("not a sweep's document (not an object)"),
        "{array}"
    );
    let stale = parsed(&json!({"statuses": ["Doing"], "tasks": [], "dry_run": false})).unwrap_err();
    assert!(stale.contains("it has no 'to'"), "{stale}");
    let mut older = document();
    older.as_object_mut().unwrap().remove("status_property");
    let older = parsed(&older).unwrap_err();
    assert!(
        older.starts_with("was written by an older notion-sweep"),
        "{older}"
    );
    let mut dry = document();
    dry["dry_run"] = json!(true);
    let dry = parsed(&dry).unwrap_err();
    assert!(dry.contains("dry run"), "{dry}");
    let mut odd = document();
    odd["tasks"] = json!("all of them");
    let odd = parsed(&odd).unwrap_err();
    assert!(
        odd.starts_with("is not a sweep's document as undo reads it"),
        "{odd}"
    );
}

#[test]
fn ids_are_checked_and_tasks_listed_once() {
    let mut bad = document();
    bad["tasks"][0]["id"] = json!("../../v1/users");
    let bad = parsed(&bad).unwrap_err();
    assert!(
        bad.contains("'../../v1/users', which is not a Notion ID"),
        "{bad}"
    );
    let mut twice = document();
    twice["tasks"][1] = twice["tasks"][0].clone();
    let twice = parsed(&twice).unwrap_err();
    assert!(twice.contains("twice"), "{twice}");
    let mut no_status = document();
    no_status["tasks"][0]["status"] = Value::Null;
    assert!(parsed(&no_status)
        .unwrap_err()
        .contains("not the status it had before the sweep"));
    let mut no_restore_to = document();
    no_restore_to.as_object_mut().unwrap().remove("restore_to");
    assert!(parsed(&no_restore_to).unwrap_err().contains("restore_to"));
}

#[test]
fn a_report_larger_than_the_limit_is_refused_unread() {
    let path = std::env::temp_dir().join(format!("notion-sweep-huge-{}.json", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(REPORT_LIMIT + 1).unwrap();
    let error = read(path.to_str().unwrap()).unwrap_err();
    let _ = std::fs::remove_file(&path);
    assert!(
        error.message.contains("larger than 64 MiB"),
        "{}",
        error.message
    );
}
