//! A row Notion sends that holds a lone UTF-16 surrogate (a title cut in
//! the middle of an emoji) is that row's oddity, not the page's: the title
//! reads U+FFFD and every task of the page is swept.

use serde_json::json;

use crate::support::hostile::*;
use crate::support::*;

#[test]
fn a_lone_surrogate_in_a_title_is_read_as_a_replacement_character() {
    let server = Server::spawn(notion(|seen, _, stream| {
        if seen.path.contains("/query") {
            // The same page each time: rows already handled are passed over.
            let body = results(vec![task(1), task(2), task(3)], false, None)
                .to_string()
                .replace("Task 2", "Task \\ud83d 2");
            answer(stream, "200 OK", &[], &body);
        } else if seen.method == "PATCH" {
            ok(stream, &json!({"object": "page"}));
        } else {
            answer(stream, "404 Not Found", &[], "{}");
        }
    }));
    let run = notion_sweep(&["sweep", DATABASE, "--output", "json"], &env(&server));
    run.expect_code(0);
    let doc = run.json();
    let titles: Vec<&str> = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Task \u{fffd} 2"), "{titles:?}");
    assert_eq!(doc["updated"], 3, "every task of the page was swept");
    assert_eq!(server.count("PATCH", "/v1/pages/"), 3);
}
