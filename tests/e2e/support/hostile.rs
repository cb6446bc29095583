//! Small purpose-built HTTP servers on loopback, for answers the sandbox
//! cannot give: each logs every request and lets the test answer it, or
//! not, byte by byte. `notion` wraps an answer with the valid database and
//! schema reads a sweep needs first.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::binary::AS_OF;

pub const DATABASE: &str = "2f26ee68-df30-4251-aad4-8ddc420cba3d";
pub const SOURCE: &str = "248104cd-477e-80af-bc30-000bd28de8f9";
pub const TOKEN: &str = "ntn_hostile_test_token_0123456789";

/// One request as a test server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: String,
    pub at: Instant,
}

/// What a handler does with a request: write an answer (or not) on the stream.
pub type Handler = dyn Fn(&Seen, usize, &mut TcpStream) + Send + Sync;

/// A test server on 127.0.0.1 that logs every request and lets `handler` answer it.
pub struct Server {
    port: u16,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub fn spawn(handler: impl Fn(&Seen, usize, &mut TcpStream) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let count = Arc::new(AtomicUsize::new(0));
        let shared = log.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, handler, count) = (shared.clone(), handler.clone(), count.clone());
                thread::spawn(move || serve(stream, &log, &*handler, &count));
            }
        });
        Server { port, log }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    pub fn count(&self, method: &str, path_part: &str) -> usize {
        self.seen()
            .iter()
            .filter(|r| r.method == method && r.path.contains(path_part))
            .count()
    }
}

/// Reads requests off one connection until it closes; each is logged, then answered.
fn serve(stream: TcpStream, log: &Mutex<Vec<Seen>>, handler: &Handler, count: &AtomicUsize) {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let seen = Seen {
            method,
            path,
            body: String::from_utf8_lossy(&body).into_owned(),
            at: Instant::now(),
        };
        log.lock().unwrap().push(seen.clone());
        let n = count.fetch_add(1, Ordering::SeqCst);
        handler(&seen, n, &mut writer);
    }
}

/// Writes a whole answer; errors (the client went away) are ignored.
pub fn answer(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &str) {
    let mut text = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
}

pub fn ok(stream: &mut TcpStream, body: &Value) {
    answer(stream, "200 OK", &[], &body.to_string());
}

/// A valid database with one data source.
pub fn database() -> Value {
    json!({
        "object": "database", "id": DATABASE,
        "title": [{"plain_text": "Hostile"}],
        "data_sources": [{"id": SOURCE, "name": "Tasks"}],
    })
}

/// A valid schema for the default flags.
pub fn data_source() -> Value {
    json!({
        "object": "data_source", "id": SOURCE,
        "title": [{"plain_text": "Tasks"}],
        "parent": {"type": "database_id", "database_id": DATABASE},
        "properties": {
            "Name": {"id": "title", "name": "Name", "type": "title", "title": {}},
            "Status": {"id": "st", "name": "Status", "type": "status",
                "status": {"options": [{"name": "To Do"}, {"name": "Overdue"}]}},
            "Due Date": {"id": "dd", "name": "Due Date", "type": "date", "date": {}},
        },
    })
}

/// An overdue task, number `n`.
pub fn task(n: usize) -> Value {
    json!({
        "object": "page",
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "url": format!("https://www.notion.so/Task-{n}"),
        "in_trash": false,
        "properties": {
            "Name": {"id": "title", "type": "title", "title": [{"plain_text": format!("Task {n}")}]},
            "Status": {"id": "st", "type": "status", "status": {"name": "To Do"}},
            "Due Date": {"id": "dd", "type": "date", "date": {"start": "2026-11-20"}},
        },
    })
}

/// A page of query results.
pub fn results(rows: Vec<Value>, has_more: bool, cursor: Option<String>) -> Value {
    json!({"object": "list", "results": rows, "has_more": has_more, "next_cursor": cursor})
}

/// Answers the database and schema reads validly; anything else goes to `rest`.
pub fn notion(
    rest: impl Fn(&Seen, usize, &mut TcpStream) + Send + Sync + 'static,
) -> impl Fn(&Seen, usize, &mut TcpStream) + Send + Sync + 'static {
    move |seen, n, stream| {
        if seen.method == "GET" && seen.path.starts_with("/v1/databases/") {
            ok(stream, &database());
        } else if seen.method == "GET" && seen.path.starts_with("/v1/data_sources/") {
            ok(stream, &data_source());
        } else {
            rest(seen, n, stream);
        }
    }
}

pub fn env(server: &Server) -> Vec<(String, String)> {
    vec![
        ("NOTION_TOKEN".into(), TOKEN.into()),
        ("NOTION_API_URL".into(), server.url()),
        ("SWEEP_AS_OF".into(), AS_OF.into()),
        ("SWEEP_TZ".into(), "UTC".into()),
        ("NOTION_RATE".into(), "1000".into()),
        // Every test server serves the same data source id: each its own locks.
        ("NOTION_SWEEP_LOCK_DIR".into(), server_lock_dir(server)),
    ]
}

/// A lock directory of this server's own.
pub fn server_lock_dir(server: &Server) -> String {
    let port = server
        .url()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_string();
    let dir = std::env::temp_dir().join(format!(
        "notion-sweep-e2e-{}/hostile-locks-{port}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.display().to_string()
}
