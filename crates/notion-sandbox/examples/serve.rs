//! Serves a board with the options of `notion-sweep sandbox`, without the
//! notion-sweep binary:
//!
//!   cargo run -p notion-sandbox --example serve -- [--port N] [--board FILE]
//!       [--latency-ms MS] [--rate-limit R] [--fault-rate P] [--token T]
//!       [--today YYYY-MM-DD] [--seed N] [-v]
//!
//! Prints where it listens, the token it accepts and the webhook URLs;
//! with `-v`, every request and webhook message on stderr. Stops on Ctrl-C
//! or SIGTERM.

use std::time::Duration;

use notion_sandbox::{Event, Sandbox, ServeOptions, SinkKind, NOTION_VERSION};

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
    let mut verbose = false;
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
            "-v" | "--verbose" => verbose = true,
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
    let sandbox = Sandbox::serve(&o).await.unwrap_or_else(|e| {
        eprintln!("serve: {e}");
        std::process::exit(2)
    });
    if verbose {
        sandbox.watch(|e| match e {
            Event::Request {
                method,
                path,
                status,
                elapsed,
            } => eprintln!("{method} {path} {status} {} ms", elapsed.as_millis()),
            Event::Sink { kind, body, status } => eprintln!(
                "webhook {} answered {status}: {}",
                kind.as_str(),
                kind.message_text(body)
            ),
        });
    }
    println!(
        "Sandbox Notion (API {NOTION_VERSION}) listening on {}",
        sandbox.url()
    );
    println!("Token: {}", sandbox.token());
    for kind in SinkKind::ALL {
        println!("{} webhook: {}", kind.as_str(), sandbox.sink_url(kind));
    }
    shutdown.await;
}
