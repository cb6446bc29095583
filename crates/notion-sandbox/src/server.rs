//! The hyper 1 HTTP/1.1 server on loopback: moves bytes between the socket
//! and the [`Engine`], adds latency, drops or stalls connections on demand,
//! and tells the watcher what it answered. It runs in the caller's runtime,
//! or on a thread of its own for sync code.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::engine::{Engine, Outcome};
use crate::events::Event;
use crate::http::{RawRequest, Reply, NOTION_JSON};

/// Returned by the service to make hyper close the connection unanswered.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by the sandbox (fault injection)")]
pub(crate) struct Dropped;

/// Binds a loopback listener on a free port.
pub(crate) async fn bind(port: u16) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// Binds a loopback port and serves on a thread of its own, with its own
/// multi-thread runtime, until `shutdown` changes or its sender is dropped.
pub(crate) fn spawn(
    port: u16,
    engine: Arc<Engine>,
    shutdown: watch::Receiver<bool>,
) -> std::io::Result<(SocketAddr, std::thread::JoinHandle<()>)> {
    let (tx, ready) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("notion-sandbox".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("notion-sandbox-worker")
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                match bind(port).await {
                    Ok((listener, addr)) => {
                        let _ = tx.send(Ok(addr));
                        serve(listener, engine, shutdown).await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
            // dropping the runtime cancels connections still hanging
            rt.shutdown_background();
        })?;
    let addr = ready
        .recv()
        .map_err(|_| std::io::Error::other("sandbox thread died before binding"))??;
    Ok((addr, thread))
}

/// Accepts connections until `shutdown` changes or its sender is dropped.
pub(crate) async fn serve(
    listener: TcpListener,
    engine: Arc<Engine>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // e.g. too many open files: back off instead of spinning
                        tracing::warn!("sandbox: accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let engine = engine.clone();
                let mut stop = shutdown.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(engine.clone(), req));
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    // shutdown also ends connections that hang on purpose
                    tokio::select! {
                        _ = conn => {}
                        _ = stop.changed() => {}
                    }
                });
            }
            _ = shutdown.changed() => break,
        }
    }
}

fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut b = Response::builder()
        .status(reply.status)
        .header("content-type", reply.content_type);
    if let Some(id) = &reply.request_id {
        b = b.header("x-notion-request-id", id.as_str());
    }
    if let Some(secs) = reply.retry_after {
        b = b.header("retry-after", secs.to_string());
    }
    for (k, v) in &reply.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

async fn read_request(req: Request<Incoming>) -> RawRequest {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    RawRequest {
        method,
        path,
        query,
        headers,
        body,
    }
}

async fn handle(
    engine: Arc<Engine>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let started = Instant::now();
    let raw = read_request(req).await;
    if let Some(o) = engine.sinks.handle(&raw) {
        if let Some(wait) = o.hang {
            tokio::time::sleep(wait).await;
            engine.sinks.set_status(o.kind, o.index, o.reply.status);
        }
        engine.observe(Event::Sink {
            kind: o.kind,
            body: engine
                .sinks
                .requests(o.kind)
                .get(o.index)
                .and_then(|r| r.body.clone())
                .unwrap_or(serde_json::Value::Null),
            status: o.reply.status,
        });
        return Ok(to_response(o.reply));
    }
    if raw.method == "GET" && raw.path == "/_sandbox/board" {
        return Ok(to_response(Reply::new(
            200,
            NOTION_JSON,
            engine.workspace.export(),
        )));
    }
    let latency = engine.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (method, path) = (raw.method.clone(), raw.path.clone());
    let done = |status: u16| {
        engine.observe(Event::Request {
            method: method.clone(),
            path: path.clone(),
            status,
            elapsed: started.elapsed(),
        })
    };
    match engine.dispatch(&raw) {
        Outcome::Reply(r) => {
            done(r.status);
            Ok(to_response(r))
        }
        Outcome::Drop => {
            done(0);
            Err(Dropped)
        }
        Outcome::Hang { wait, reply, index } => {
            tokio::time::sleep(wait).await;
            engine.set_status(index, reply.status);
            done(reply.status);
            Ok(to_response(reply))
        }
    }
}
