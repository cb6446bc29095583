//! Conformance with the spec: every request the notion-sweep binary sends in
//! representative runs (method, path, query, headers, body) is checked
//! against Notion's own OpenAPI description of API version 2025-09-03
//! (`crates/notion-sandbox/conformance/notion-openapi.json`, MIT, from makenotion/notion-sdk-js,
//! copied into the repository so that the test needs nothing outside it),
//! with the small JSON Schema validator of `support::openapi`.

use std::collections::BTreeSet;

use notion_sandbox::{
    Board, GeneratedBoard, RecordedRequest, Sandbox, SandboxConfig, DEMO_DATABASE_ID,
    DEMO_DATA_SOURCE_ID,
};
use serde_json::{json, Value};

use crate::support::openapi::Spec;
use crate::support::*;

// ------------------------------------------------------------- the runs

/// The requests of one representative run.
struct Scenario {
    name: &'static str,
    requests: Vec<RecordedRequest>,
}

fn spawn(board: Board) -> Sandbox {
    Sandbox::spawn(board, SandboxConfig::default()).unwrap()
}

fn run_in(
    name: &'static str,
    sandbox: &Sandbox,
    args: &[&str],
    env: &[(String, String)],
    ok: bool,
) -> Scenario {
    let run = notion_sweep(args, env);
    if ok {
        run.expect_code(0);
    } else {
        assert_ne!(
            run.code, 0,
            "{name}: expected a failure\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
    }
    let requests = sandbox.requests();
    assert!(!requests.is_empty(), "{name}: no Notion request at all");
    Scenario { name, requests }
}

fn scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();

    // a sweep of a status board, several pages of results
    let spec = GeneratedBoard {
        seed: 21,
        trashed_fraction: 0.02,
        ..GeneratedBoard::new(260, as_of())
    };
    let sb = spawn(Board::generated(&spec));
    out.push(run_in(
        "sweep of a status board",
        &sb,
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sb),
        true,
    ));

    // a sweep of a select board with two --from states and custom names
    let spec = select_board(22, 150);
    let sb = spawn(Board::generated(&spec));
    out.push(run_in(
        "sweep of a select board, two --from",
        &sb,
        &[
            "sweep",
            &spec.database_id(),
            "--status-property",
            "Stage",
            "--date-property",
            "Deadline",
            "--from",
            "Backlog",
            "--from",
            "Todo",
            "--to",
            "Late",
        ],
        &env_for(&sb),
        true,
    ));

    // check and schema, on a database with two data sources
    let sb = spawn(Board::demo(as_of()));
    out.push(run_in(
        "check",
        &sb,
        &["check", DEMO_DATABASE_ID],
        &env_for(&sb),
        true,
    ));
    let sb = spawn(Board::demo_multi_source(as_of()));
    out.push(run_in(
        "schema",
        &sb,
        &["schema", DEMO_DATABASE_ID],
        &env_for(&sb),
        true,
    ));

    // a dry run, west of UTC (the filter gets wider than the UTC day)
    let sb = spawn(Board::demo(as_of()));
    let env = with(env_for(&sb), "SWEEP_TZ", "America/Los_Angeles");
    out.push(run_in(
        "dry run, America/Los_Angeles",
        &sb,
        &["sweep", DEMO_DATABASE_ID, "--dry-run", "--output", "json"],
        &env,
        true,
    ));

    // a data source id instead of the database, and --limit
    let sb = spawn(Board::demo(as_of()));
    out.push(run_in(
        "--data-source and --limit",
        &sb,
        &[
            "sweep",
            "--data-source",
            DEMO_DATA_SOURCE_ID,
            "--limit",
            "3",
        ],
        &env_for(&sb),
        true,
    ));

    // a run whose PATCH fails: a locked page (400) and a retried 500
    let spec = GeneratedBoard {
        seed: 23,
        ..GeneratedBoard::new(60, as_of())
    };
    let sb = spawn(Board::generated(&spec));
    let pages = sb.pages(&spec.data_source_id());
    let overdue = expected_overdue(
        &pages,
        "Status",
        "Due Date",
        &["To Do"],
        as_of(),
        chrono_tz::Tz::UTC,
    );
    let victim = overdue
        .iter()
        .nth(overdue.len() / 2)
        .expect("overdue tasks");
    sb.faults().lock_page(victim);
    sb.faults()
        .add_random(notion_sandbox::FaultKind::InternalServerError, 0.1);
    let s = run_in(
        "a sweep whose PATCH fails",
        &sb,
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sb),
        false,
    );
    assert!(
        s.requests
            .iter()
            .any(|r| r.method == "PATCH" && r.status == 400),
        "the locked page was patched and refused"
    );
    out.push(s);

    out
}

#[test]
fn every_request_the_client_sends_conforms_to_notions_openapi_description() {
    let spec = Spec::load();
    let mut problems = Vec::new();
    let mut operations = BTreeSet::new();
    let mut total = 0;
    for s in scenarios() {
        for r in &s.requests {
            total += 1;
            let mut op = None;
            let errors = spec.check(r, &mut op);
            operations.extend(op);
            let query = r
                .query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            for e in errors {
                problems.push(format!("[{}] {} {}{query}: {e}", s.name, r.method, r.path));
            }
        }
    }
    problems.dedup();
    eprintln!("checked {total} requests against the OpenAPI description: {operations:?}");
    assert!(
        problems.is_empty(),
        "{} mismatches with the OpenAPI description in {total} requests:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let expected: BTreeSet<String> = [
        "retrieve-a-database",
        "retrieve-a-data-source",
        "query-data-source",
        "patch-page",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert!(
        expected.is_subset(&operations),
        "the runs did not exercise every operation the client uses: {operations:?}"
    );
}

// ------------------------------------------------------- the validator itself

fn request(method: &str, path_and_query: &str, body: Option<Value>) -> RecordedRequest {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (path_and_query.to_string(), None),
    };
    let mut headers = vec![
        ("authorization".to_string(), "Bearer ntn_x".to_string()),
        ("notion-version".to_string(), "2025-09-03".to_string()),
    ];
    if body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
    }
    RecordedRequest {
        method: method.into(),
        path,
        query,
        headers,
        body,
        status: 200,
        at: std::time::Instant::now(),
    }
}

fn mismatches(r: &RecordedRequest) -> Vec<String> {
    Spec::load().check(r, &mut None)
}

#[track_caller]
fn assert_caught(r: &RecordedRequest, needle: &str) {
    let errors = mismatches(r);
    assert!(
        errors.iter().any(|e| e.contains(needle)),
        "expected a mismatch containing {needle:?}, got {errors:?}"
    );
}

const DS: &str = "/v1/data_sources/248104cd-477e-80af-bc30-000bd28de8f9";

#[test]
fn the_validator_accepts_a_good_request() {
    let r = request(
        "POST",
        &format!("{DS}/query?filter_properties=title&filter_properties=fk%255EY"),
        Some(json!({
            "filter": {"and": [{"property": "Status", "status": {"equals": "To Do"}}]},
            "sorts": [{"property": "Due Date", "direction": "ascending"}],
            "page_size": 100,
            "start_cursor": "abc"
        })),
    );
    assert_eq!(mismatches(&r), Vec::<String>::new());
    let r = request(
        "PATCH",
        "/v1/pages/59833787-2cf9-4fdf-8782-e53db20768a5",
        Some(json!({"properties": {"Status": {"status": {"name": "Overdue"}}}})),
    );
    assert_eq!(mismatches(&r), Vec::<String>::new());
}

#[test]
fn the_validator_catches_wrong_bodies_with_their_json_path() {
    let q = |body: Value| request("POST", &format!("{DS}/query"), Some(body));
    assert_caught(
        &q(json!({"sorts": [{"property": "Due", "direction": "up"}]})),
        "$.sorts[0].direction: \"up\" is not one of",
    );
    assert_caught(
        &q(json!({"page_size": "100"})),
        "$.page_size: expected integer, got string",
    );
    assert_caught(
        &q(json!({"filter": [1]})),
        "$.filter: expected object, got array",
    );
    assert_caught(
        &q(json!({"sorts": [{"direction": "ascending"}]})),
        "$.sorts[0].property: required but missing",
    );
    let patch = |body: Value| {
        request(
            "PATCH",
            "/v1/pages/59833787-2cf9-4fdf-8782-e53db20768a5",
            Some(body),
        )
    };
    assert_caught(
        &patch(json!({"properties": "Status=Overdue"})),
        "$.properties: expected object, got string",
    );
    assert_caught(
        &patch(json!({"in_trash": "yes"})),
        "$.in_trash: expected boolean",
    );
    assert_caught(
        &patch(json!({"icon": {"emoji": "x", "url": "y"}})),
        "$.icon.url: not a property the spec allows here",
    );
    let mut not_json = patch(json!(null));
    not_json.body = Some(json!("{not json"));
    assert_caught(&not_json, "the body is not JSON");
}

#[test]
fn the_validator_catches_wrong_paths_parameters_and_headers() {
    assert_caught(
        &request("GET", "/v1/tasks/1", None),
        "no path of the spec matches",
    );
    assert_caught(
        &request(
            "DELETE",
            "/v1/databases/2f26ee68df304251aad48ddc420cba3d",
            None,
        ),
        "DELETE is not an operation of /v1/databases/{database_id}",
    );
    assert_caught(
        &request("GET", &format!("{DS}?page_size=10"), None),
        "query parameter `page_size` is not declared",
    );
    assert_caught(
        &request(
            "GET",
            "/v1/pages/59833787-2cf9-4fdf-8782-e53db20768a5?filter_properties=a&filter_properties=b",
            None,
        ),
        "sent 2 times, but the spec declares a single value",
    );
    assert_caught(&request("GET", DS, Some(json!({}))), "takes no body");
    let mut r = request("GET", DS, None);
    r.headers.retain(|(k, _)| k != "notion-version");
    assert_caught(&r, "Notion-Version is missing");
    let mut r = request("GET", DS, None);
    r.headers[0].1 = "ntn_x".into();
    assert_caught(&r, "Authorization is not `Bearer <token>`");
    let mut r = request("POST", &format!("{DS}/query"), Some(json!({})));
    r.headers.retain(|(k, _)| k != "content-type");
    assert_caught(&r, "a body without Content-Type");
    // literal segments win: /v1/users/me is get-self, not get-user
    let mut op = None;
    let _ = Spec::load().check(&request("GET", "/v1/users/me", None), &mut op);
    assert_eq!(op.as_deref(), Some("get-self"));
}

#[test]
fn the_validator_handles_refs_one_of_any_of_nullable_and_const() {
    let spec = Spec::from_value(json!({
        "components": {"schemas": {
            "id": {"type": "string"},
            "parent": {"oneOf": [
                {"type": "object", "required": ["page_id"], "properties": {"page_id": {"$ref": "#/components/schemas/id"}}, "additionalProperties": false},
                {"type": "object", "required": ["database_id"], "properties": {"database_id": {"$ref": "#/components/schemas/id"}}, "additionalProperties": false}
            ]},
            "kind": {"anyOf": [{"const": "a"}, {"const": "b"}]},
            "maybe": {"type": "string", "nullable": true},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
            "odd": {"type": "string", "pattern": "^x"}
        }}
    }));
    let check = |schema: &str, v: Value| {
        let mut e = Vec::new();
        spec.validate(
            &json!({"$ref": format!("#/components/schemas/{schema}")}),
            &v,
            "$",
            &mut e,
        );
        e
    };
    assert!(check("parent", json!({"page_id": "x"})).is_empty());
    let e = check("parent", json!({"page_id": 1}));
    assert!(e[0].contains("matches none of the oneOf branches"), "{e:?}");
    assert!(
        e[0].contains("$.page_id: expected string, got integer"),
        "{e:?}"
    );
    assert!(check("kind", json!("b")).is_empty());
    assert!(!check("kind", json!("c")).is_empty());
    assert!(check("maybe", json!(null)).is_empty());
    assert!(!check("maybe", json!(3)).is_empty());
    assert!(check("tags", json!(["a", "b", "c"]))[0].contains("at most 2"));
    assert!(check("tags", json!(["a", 2]))[0].starts_with("$[1]: expected string"));
    // a keyword the validator does not know is a failure, never a pass
    assert!(check("odd", json!("x"))[0].contains("does not support"));
    let mut e = Vec::new();
    spec.validate(
        &json!({"$ref": "#/components/schemas/nope"}),
        &json!(1),
        "$",
        &mut e,
    );
    assert!(e[0].contains("points nowhere"));
}
