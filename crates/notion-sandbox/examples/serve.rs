//! Serves a board the way `notion-sweep sandbox` does, without the
//! notion-sweep binary:
//!
//!   cargo run -p notion-sandbox --example serve -- [--port N] [--board FILE]
//!       [--latency-ms MS] [--rate-limit R] [--fault-rate P] [--token T]
//!       [--today YYYY-MM-DD] [--seed N] [-v]
//!
//! Stops on Ctrl-C or SIGTERM.

use std::time::Duration;

use notion_sandbox::{serve, ServeOptions};

fn usage(msg: &str) -> ! {
    eprintln!("serve: {msg}");
    eprintln!("usage: serve [--port N] [--board FILE] [--latency-ms MS] [--rate-limit R] [--fault-rate P] [--token T] [--today YYYY-MM-DD] [--seed N] [-v]");
    std::process::exit(2)
}

fn parse<T: std::str::FromStr>(flag: &str, v: Option<String>) -> T {
    let v = v.unwrap_or_else(|| usage(&format!("{flag} needs a value")));
    v.parse()
        .unwrap_or_else(|_| usage(&format!("invalid value for {flag}: {v}")))
}

#[tokio::main]
async fn main() {
    let mut o = ServeOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => o.port = parse(&a, args.next()),
            "--board" => o.board = Some(parse(&a, args.next())),
            "--latency-ms" => o.latency = Duration::from_millis(parse(&a, args.next())),
            "--rate-limit" => o.rate_limit = Some(parse(&a, args.next())),
            "--fault-rate" => o.fault_rate = parse(&a, args.next()),
            "--token" => o.token = parse(&a, args.next()),
            "--today" => o.today = Some(parse(&a, args.next())),
            "--seed" => o.seed = Some(parse(&a, args.next())),
            "-v" | "--verbose" => o.verbose = true,
            // `notion-sweep sandbox` is the command the conformance scripts run
            "sandbox" => {}
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let shutdown = async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    };
    if let Err(e) = serve(o, shutdown).await {
        eprintln!("serve: {e}");
        std::process::exit(2);
    }
}
