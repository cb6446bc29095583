//! A proxy from the environment is never used for loopback: the token and
//! webhook URLs to this machine never pass through it.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SinkKind};

use crate::support::*;

/// A proxy on loopback that counts the connections it gets and answers 502.
fn proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            count.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    (url, seen)
}

#[test]
fn loopback_is_never_proxied() {
    let spec = GeneratedBoard::new(20, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let (proxy, seen) = proxy();
    let mut env = env_for(&sandbox);
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
        env = with(env, name, &proxy);
    }
    let run = notion_sweep(&["sweep", &spec.database_id()], &env);
    run.expect_code(0);
    assert_eq!(seen.load(Ordering::SeqCst), 0, "the proxy saw a connection");
    assert_eq!(sandbox.sink_messages(SinkKind::Slack).len(), 1);
}
