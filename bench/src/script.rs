//! The usual sequential script, written here to be measured beside the
//! binary: query 100 overdue tasks (the sweep's filter, oldest first), then
//! for each one PATCH its status, wait for the answer, sleep 350 ms; query
//! again from the start (moved tasks leave the filter) until nothing is left.
//! A 429 is retried after its `Retry-After`, a 5xx or 409 after one second.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use notion_sandbox::{Board, Sandbox, SandboxConfig, NOTION_VERSION};
use serde_json::{json, Value};

use crate::board::serve;
use crate::run::StrategyRun;
use crate::setup::{AS_OF, TIMEOUT_SECS};

/// The script's pause after each answer.
pub const SCRIPT_SLEEP: Duration = Duration::from_millis(350);

/// Sweeps the board behind `sb` the script's way, in this process.
pub fn sequential(sb: &Sandbox, ds_id: &str) -> Result<StrategyRun, String> {
    let (runtime, script) = Script::new(sb)?;
    runtime.block_on(script.run(ds_id))
}

/// How long the sandbox takes to answer one overdue query on this board,
/// with no added latency: the median of five, on a fresh sandbox.
pub fn query_cost(board: &Board, ds_id: &str) -> Result<Duration, String> {
    let sb = serve(board.clone(), SandboxConfig::default())?;
    let (runtime, mut script) = Script::new(&sb)?;
    let url = format!("{}/v1/data_sources/{ds_id}/query", sb.url());
    let mut times = runtime.block_on(async {
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            script
                .send(reqwest::Method::POST, &url, &overdue_query())
                .await?;
            times.push(t.elapsed());
        }
        Ok::<_, String>(times)
    })?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// The script's query: the sweep's filter, by property name.
fn overdue_query() -> Value {
    json!({
        "filter": {"and": [
            {"property": "Status", "status": {"equals": "To Do"}},
            {"property": "Due Date", "date": {"before": AS_OF}},
        ]},
        "sorts": [{"property": "Due Date", "direction": "ascending"}],
        "page_size": 100,
    })
}

struct Script {
    http: reqwest::Client,
    base: String,
    token: String,
    sent: u64,
}

impl Script {
    fn new(sb: &Sandbox) -> Result<(tokio::runtime::Runtime, Script), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("could not start a runtime: {e}"))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(TIMEOUT_SECS))
            .build()
            .map_err(|e| format!("could not build an HTTP client: {e}"))?;
        let script = Script {
            http,
            base: sb.url(),
            token: sb.token(),
            sent: 0,
        };
        Ok((runtime, script))
    }

    async fn run(mut self, ds_id: &str) -> Result<StrategyRun, String> {
        let query_url = format!("{}/v1/data_sources/{ds_id}/query", self.base);
        let query = overdue_query();
        let patch = json!({"properties": {"Status": {"status": {"name": "Overdue"}}}});
        let started = Instant::now();
        let mut failed: HashSet<String> = HashSet::new();
        loop {
            let page = self
                .send(reqwest::Method::POST, &query_url, &query)
                .await
                .map_err(|e| format!("sequential: the query failed: {e}"))?;
            let ids: Vec<String> = page["results"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .filter_map(|r| r["id"].as_str().map(str::to_string))
                        .filter(|id| !failed.contains(id))
                        .collect()
                })
                .unwrap_or_default();
            if ids.is_empty() {
                break;
            }
            for id in ids {
                let url = format!("{}/v1/pages/{id}", self.base);
                if self
                    .send(reqwest::Method::PATCH, &url, &patch)
                    .await
                    .is_err()
                {
                    failed.insert(id);
                }
                tokio::time::sleep(SCRIPT_SLEEP).await;
            }
        }
        let client = format!("sent {}, failed tasks {}", self.sent, failed.len());
        Ok(StrategyRun {
            wall: started.elapsed(),
            peak_rss_kib: None,
            cpu: None,
            client,
            counts: None,
            problem: None,
        })
    }

    /// One request; 429 waits its Retry-After, 5xx/409/transport errors one
    /// second; at most five retries.
    async fn send(
        &mut self,
        method: reqwest::Method,
        url: &str,
        body: &Value,
    ) -> Result<Value, String> {
        let mut last = String::new();
        for _ in 0..6 {
            self.sent += 1;
            let answer = self
                .http
                .request(method.clone(), url)
                .bearer_auth(&self.token)
                .header("Notion-Version", NOTION_VERSION)
                .json(body)
                .send()
                .await;
            let wait = match answer {
                Ok(r) if r.status().is_success() => {
                    return r.json().await.map_err(|e| e.to_string());
                }
                Ok(r) if r.status().as_u16() == 429 => {
                    last = "429".into();
                    r.headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .map_or(Duration::from_secs(1), Duration::from_secs)
                }
                Ok(r) if r.status().is_server_error() || r.status().as_u16() == 409 => {
                    last = r.status().to_string();
                    Duration::from_secs(1)
                }
                Ok(r) => return Err(r.status().to_string()),
                Err(e) => {
                    last = e.to_string();
                    Duration::from_secs(1)
                }
            };
            tokio::time::sleep(wait).await;
        }
        Err(format!("gave up after retries: {last}"))
    }
}
