//! Bounded reads and writes of what comes from or goes outside: HTTP
//! answers, local files (the token file, `.env`, the settings file) and
//! the step summary. No input from the network or the user makes the
//! program grow without bound or wait forever.
//!
//! `Response::bytes()` and `fs::read_to_string` read whatever they are
//! given, so a misbehaving server, a proxy's error page streaming forever,
//! or `--token-file /dev/zero` would fill memory. These read piece by piece
//! and stop one byte past the limit. A FIFO nobody writes to (or reads
//! from) would hang a cron job: local files are read and written within a
//! time limit.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long reading a local file may take: a FIFO or `<(command)` gets
/// this long to give its content.
pub(crate) const READ_WITHIN: Duration = Duration::from_secs(10);

/// How long appending to a local file may take.
pub(crate) const WRITE_WITHIN: Duration = Duration::from_secs(5);

/// Runs `work` on a thread of its own and waits for it at most `within`; a
/// thread still blocked then (in `open` of a FIFO, say) is left behind and
/// ends with the process.
fn within<T: Send + 'static>(
    within: Duration,
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    let (done, result) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("bounded-io".into())
        .spawn(move || {
            let _ = done.send(work());
        })?;
    result.recv_timeout(within).unwrap_or_else(|_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "nothing came within {}s (a FIFO that nobody writes to?)",
                within.as_secs()
            ),
        ))
    })
}

/// The first `limit + 1` bytes of the file at `path` (one past the limit
/// tells a larger file), read within [`READ_WITHIN`].
pub(crate) fn read_file(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let path = path.to_path_buf();
    within(READ_WITHIN, move || {
        let mut bytes = Vec::new();
        std::fs::File::open(&path)?
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    })
}

/// How long reading standard input may take: a pipe nobody closes must
/// not hang a cron job.
pub(crate) const STDIN_WITHIN: Duration = Duration::from_secs(60);

/// The first `limit + 1` bytes of standard input (one past the limit
/// tells a larger input), read within [`STDIN_WITHIN`].
pub(crate) fn read_stdin(limit: u64) -> std::io::Result<Vec<u8>> {
    within(STDIN_WITHIN, move || {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    })
}

/// Appends `bytes` to the file at `path` (made if missing) within
/// [`WRITE_WITHIN`], never waiting for a FIFO's reader.
pub(crate) fn append_file(path: &Path, bytes: Vec<u8>) -> std::io::Result<()> {
    let path = path.to_path_buf();
    within(WRITE_WITHIN, move || {
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK);
        }
        let mut file = options.open(&path)?;
        file.write_all(&bytes)?;
        file.flush()
    })
}

/// One MiB, the unit limits are stated in.
pub(crate) const MIB: usize = 1024 * 1024;

/// A limit in words: `4 MiB`, `1.5 MiB`, `64 KiB`, `100 bytes`.
fn size_text(limit: u64) -> String {
    let mib = MIB as u64;
    if limit >= mib && limit.is_multiple_of(mib) {
        format!("{} MiB", limit / mib)
    } else if limit >= mib {
        format!("{:.1} MiB", limit as f64 / mib as f64)
    } else if limit >= 1024 && limit.is_multiple_of(1024) {
        format!("{} KiB", limit / 1024)
    } else {
        format!("{limit} bytes")
    }
}

/// Why an HTTP answer's body was not read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    /// The body (or its announced Content-Length) passed the limit.
    #[error(
        "the answer was larger than {}, far more than this request should get, so it was not \
         read; if a proxy sits in between, check what it returns",
        size_text(*limit as u64)
    )]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The connection failed while the body was read. The URL is removed
    /// from the error: a webhook URL is a secret.
    #[error("the answer could not be read to its end: {0}")]
    Read(#[source] reqwest::Error),
}

/// Reads a response body of at most `limit` bytes. Fails at once when the
/// announced Content-Length passes the limit, and otherwise as soon as the
/// bytes received do, so memory stays within about `limit` plus one chunk
/// whatever the server sends.
pub(crate) async fn read_body_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    if let Some(announced) = response.content_length() {
        if announced > limit as u64 {
            return Err(BodyError::TooLarge { limit });
        }
    }
    // Reserve what is announced (now known to be within the limit), but
    // never trust it for more.
    let reserve = response.content_length().unwrap_or(0).min(limit as u64) as usize;
    let mut body = Vec::with_capacity(reserve);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| BodyError::Read(e.without_url()))?
    {
        if chunk.len() > limit - body.len() {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Why the token file could not be read. No variant holds any of the
/// file's content: it is a secret.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenFileError {
    /// Opening failed (missing, no permission, …).
    #[error(
        "could not open the token file {}: {source}; check the path given to --token-file \
         (NOTION_TOKEN_FILE) and that this user may read it",
        path.display()
    )]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Reading failed (a directory, an I/O error).
    #[error(
        "could not read the token file {}: {source}; --token-file must name a file that holds \
         only the token",
        path.display()
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// More than `limit` bytes.
    #[error(
        "the token file {} is larger than {}, but a token is one short line; check that \
         --token-file names the token file",
        path.display(),
        size_text(*limit)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// Not UTF-8 text.
    #[error(
        "the token file {} is not UTF-8 text; it must hold only the token (ntn_…)",
        path.display()
    )]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
}

/// Reads the token file: at most `limit` bytes of UTF-8, returned as they
/// are (the caller trims the newline). Reads at most `limit + 1` bytes, so
/// `/dev/zero` or a huge file fails at once without growing memory. A FIFO
/// or `<(command)` named on purpose is read like `cat` would, waiting for
/// its writer, but never past the limit nor past [`READ_WITHIN`].
pub(crate) fn read_token_file(path: &Path, limit: u64) -> Result<String, TokenFileError> {
    let too_large = || TokenFileError::TooLarge {
        path: path.to_path_buf(),
        limit,
    };
    // A regular file says its size: refuse a large one without reading it.
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_file() && meta.len() > limit {
            return Err(too_large());
        }
    }
    let bytes = read_file(path, limit).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            TokenFileError::Open {
                path: path.to_path_buf(),
                source,
            }
        }
        _ => TokenFileError::Read {
            path: path.to_path_buf(),
            source,
        },
    })?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|_| TokenFileError::NotUtf8 {
        path: path.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// What the one-shot test server sends after reading the request.
    #[derive(Clone)]
    enum Answer {
        /// This head, then `len` bytes of body as chunks (or as they are
        /// when the head has a Content-Length), then the end of the body.
        Stream {
            head: String,
            len: u64,
            chunked: bool,
        },
        /// This head, then nothing, holding the connection open.
        HeadOnly(String),
        /// A chunked body cut off after `len` bytes: the connection closes.
        CutOff(u64),
    }

    /// Serves one answer on loopback; the handle yields the body bytes
    /// written before the client went away.
    async fn serve(answer: Answer) -> (String, tokio::task::JoinHandle<u64>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/services/T000/B000/SECRETSECRETSECRET",
            listener.local_addr().unwrap()
        );
        let handle = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => return 0,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let chunk = vec![b'x'; 64 * 1024];
            let (head, len, chunked, finish) = match answer {
                Answer::Stream { head, len, chunked } => (head, len, chunked, true),
                Answer::HeadOnly(head) => {
                    let _ = socket.write_all(head.as_bytes()).await;
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return 0;
                }
                Answer::CutOff(len) => (ok_head(None), len, true, false),
            };
            if socket.write_all(head.as_bytes()).await.is_err() {
                return 0;
            }
            let mut sent = 0u64;
            while sent < len {
                let n = chunk.len().min((len - sent) as usize);
                let result = if chunked {
                    let mut piece = format!("{n:x}\r\n").into_bytes();
                    piece.extend_from_slice(&chunk[..n]);
                    piece.extend_from_slice(b"\r\n");
                    socket.write_all(&piece).await
                } else {
                    socket.write_all(&chunk[..n]).await
                };
                if result.is_err() {
                    return sent;
                }
                sent += n as u64;
            }
            if finish && chunked {
                let _ = socket.write_all(b"0\r\n\r\n").await;
            }
            let _ = socket.shutdown().await;
            sent
        });
        (url, handle)
    }

    fn ok_head(content_length: Option<u64>) -> String {
        match content_length {
            Some(n) => format!("HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n\r\n"),
            None => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_string(),
        }
    }

    async fn get(url: &str) -> reqwest::Response {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .unwrap()
    }

    async fn fetch(answer: Answer, limit: usize) -> Result<Vec<u8>, BodyError> {
        let (url, server) = serve(answer).await;
        let result = read_body_limited(get(&url).await, limit).await;
        server.abort();
        result
    }

    #[tokio::test]
    async fn a_gigabyte_stream_fails_fast_and_is_not_read() {
        let (url, server) = serve(Answer::Stream {
            head: ok_head(None),
            len: 1 << 30,
            chunked: true,
        })
        .await;
        let start = Instant::now();
        let result = read_body_limited(get(&url).await, MIB).await;
        let elapsed = start.elapsed();
        let error = result.unwrap_err();
        assert!(
            matches!(error, BodyError::TooLarge { limit } if limit == MIB),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with("the answer was larger than 1 MiB"),
            "{error}"
        );
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        // The client hung up: the server could send little beyond the limit
        // (what socket buffers hold), nowhere near the gigabyte.
        let written = tokio::time::timeout(Duration::from_secs(20), server)
            .await
            .expect("the server should notice the client left")
            .unwrap();
        assert!(
            written < 64 * MIB as u64,
            "the server wrote {written} bytes"
        );
        assert!(
            written > MIB as u64,
            "the server wrote only {written} bytes"
        );
    }

    #[tokio::test]
    async fn a_large_content_length_fails_before_any_body_arrives() {
        let head = ok_head(Some(10 << 30));
        let start = Instant::now();
        let error = fetch(Answer::HeadOnly(head), 4 * MIB).await.unwrap_err();
        assert!(matches!(error, BodyError::TooLarge { .. }), "{error:?}");
        assert!(error.to_string().contains("larger than 4 MiB"), "{error}");
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn bodies_within_the_limit_are_read_whole() {
        for (len, chunked) in [
            (0, false),
            (0, true),
            (1, false),
            (200_000, true),
            (200_000, false),
        ] {
            let head = ok_head((!chunked).then_some(len));
            let body = fetch(Answer::Stream { head, len, chunked }, MIB)
                .await
                .unwrap();
            assert_eq!(body.len() as u64, len);
            assert!(body.iter().all(|&b| b == b'x'));
        }
    }

    #[tokio::test]
    async fn the_limit_is_exact() {
        let limit = 100_000;
        for chunked in [true, false] {
            let at = |len: u64| Answer::Stream {
                head: ok_head((!chunked).then_some(len)),
                len,
                chunked,
            };
            let body = fetch(at(limit as u64), limit).await.unwrap();
            assert_eq!(body.len(), limit);
            let error = fetch(at(limit as u64 + 1), limit).await.unwrap_err();
            assert!(matches!(error, BodyError::TooLarge { .. }), "{error:?}");
        }
        let empty = Answer::Stream {
            head: ok_head(Some(0)),
            len: 0,
            chunked: false,
        };
        assert!(fetch(empty, 0).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_cut_off_body_is_a_read_error_without_the_url() {
        let error = fetch(Answer::CutOff(10_000), MIB).await.unwrap_err();
        assert!(matches!(error, BodyError::Read(_)), "{error:?}");
        let message = format!("{error} {error:?}");
        assert!(!message.contains("SECRET"), "{message}");
        assert!(!message.contains("/services/"), "{message}");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size_text(MIB as u64), "1 MiB");
        assert_eq!(size_text(16 * MIB as u64), "16 MiB");
        assert_eq!(size_text(3 * MIB as u64 / 2), "1.5 MiB");
        assert_eq!(size_text(64 * 1024), "64 KiB");
        assert_eq!(size_text(4097), "4097 bytes");
        assert_eq!(size_text(0), "0 bytes");
    }

    /// A file of its own for one test.
    fn temp_file(name: &str, content: &[u8]) -> PathBuf {
        let path = std::env::temp_dir().join(format!(
            "notion-sweep-limits-{}-{name}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::write(&path, content).unwrap();
        path
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_fails_fast() {
        let start = Instant::now();
        let error = read_token_file(Path::new("/dev/zero"), 4096).unwrap_err();
        assert!(
            matches!(error, TokenFileError::TooLarge { limit: 4096, .. }),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "the token file /dev/zero is larger than 4 KiB, but a token is one short line; \
             check that --token-file names the token file"
        );
        assert!(start.elapsed() < Duration::from_secs(2));
        // A huge limit still stops: it is the limit that bounds the read.
        let error = read_token_file(Path::new("/dev/zero"), MIB as u64).unwrap_err();
        assert!(matches!(error, TokenFileError::TooLarge { .. }));
    }

    #[test]
    fn a_token_file_is_read_as_it_is() {
        let path = temp_file("ok", b"ntn_abc123\n");
        assert_eq!(read_token_file(&path, 4096).unwrap(), "ntn_abc123\n");
        // Exactly at the limit is fine; one byte over is not.
        assert_eq!(read_token_file(&path, 11).unwrap(), "ntn_abc123\n");
        let error = read_token_file(&path, 10).unwrap_err();
        assert!(
            matches!(error, TokenFileError::TooLarge { .. }),
            "{error:?}"
        );
        assert!(!error.to_string().contains("ntn_abc"), "{error}");
        let empty = temp_file("empty", b"");
        assert_eq!(read_token_file(&empty, 4096).unwrap(), "");
        std::fs::remove_file(path).unwrap();
        std::fs::remove_file(empty).unwrap();
    }

    #[test]
    fn a_large_file_is_refused_without_its_content() {
        let content = "ntn_secret".repeat(100_000);
        let path = temp_file("large", content.as_bytes());
        let error = read_token_file(&path, 4096).unwrap_err();
        let message = format!("{error} {error:?}");
        assert!(!message.contains("ntn_secret"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn non_utf8_missing_and_directories_are_clear_errors() {
        let path = temp_file("binary", b"ntn_\xff\xfe secret");
        let error = read_token_file(&path, 4096).unwrap_err();
        assert!(matches!(error, TokenFileError::NotUtf8 { .. }), "{error:?}");
        assert!(!format!("{error} {error:?}").contains("secret"));
        std::fs::remove_file(&path).unwrap();

        let error = read_token_file(&path, 4096).unwrap_err();
        assert!(matches!(error, TokenFileError::Open { .. }), "{error:?}");
        assert!(error.to_string().contains("--token-file"), "{error}");

        let error = read_token_file(&std::env::temp_dir(), 4096).unwrap_err();
        assert!(
            matches!(
                error,
                TokenFileError::Read { .. } | TokenFileError::Open { .. }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn random_files_never_panic() {
        let mut rng = fastrand::Rng::with_seed(0x11a1);
        let path = temp_file("random", b"");
        for _ in 0..300 {
            let limit = rng.u64(0..64);
            let len = rng.usize(0..80);
            let bytes: Vec<u8> = (0..len)
                .map(|_| if rng.bool() { rng.u8(..) } else { b'a' })
                .collect();
            std::fs::write(&path, &bytes).unwrap();
            let result = read_token_file(&path, limit);
            let expected_ok = len as u64 <= limit && std::str::from_utf8(&bytes).is_ok();
            assert_eq!(result.is_ok(), expected_ok, "{bytes:?} limit {limit}");
            if let Ok(text) = result {
                assert_eq!(text.as_bytes(), &bytes[..]);
            }
        }
        std::fs::remove_file(path).unwrap();
    }
}
