//! What a person asks of a served sandbox (`notion-sweep sandbox`, the
//! crate's `serve` example): the options, checked into a board and
//! settings, and the errors meant for that person. Serving is
//! [`crate::Sandbox::serve`]; what is printed is the caller's.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;

use crate::bucket::RateLimit;
use crate::engine::{FaultConfig, FaultKind, SandboxConfig, SANDBOX_TOKEN};
use crate::model::Board;

/// What to serve and how.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Loopback port; 0 for any free port (see [`crate::Sandbox::url`]).
    pub port: u16,
    /// A board file (JSON, see docs/sandbox.md); `None` for the demo board.
    pub board: Option<PathBuf>,
    /// Added to every Notion request.
    pub latency: Duration,
    /// Notion's rate limit in requests per second (429 with Retry-After
    /// past it); `None` for no limit.
    pub rate_limit: Option<f64>,
    /// Fraction (0 to 1) of Notion requests answered with a random 500,
    /// 502, 503 or 504.
    pub fault_rate: f64,
    /// The token the sandbox accepts.
    pub token: String,
    /// Pin the sandbox's day (else the board's `today`, else the real date).
    pub today: Option<NaiveDate>,
    /// Seed ids, faults and orders, to replay a session; `None`: fresh ids.
    pub seed: Option<u64>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            port: 0,
            board: None,
            latency: Duration::ZERO,
            rate_limit: None,
            fault_rate: 0.0,
            token: SANDBOX_TOKEN.to_string(),
            today: None,
            seed: None,
        }
    }
}

/// Why the sandbox could not be served (messages meant for a user).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The board file could not be read.
    #[error("could not read the board file {}: {source}", path.display())]
    BoardUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The board file is not a valid board.
    #[error("the board file {} is not a valid board: {message} (see crates/notion-sandbox/docs/sandbox.md for the format)", path.display())]
    BoardInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its place.
        message: String,
    },
    /// The fault rate is not a fraction.
    #[error("invalid fault rate {0}: expected a fraction from 0 to 1, e.g. 0.1")]
    FaultRate(f64),
    /// The rate limit is not a positive number.
    #[error("invalid rate limit {0}: expected requests per second greater than 0, e.g. 3")]
    RateLimit(f64),
    /// The token is empty.
    #[error("the sandbox token must not be empty")]
    EmptyToken,
    /// Something else listens on the port.
    #[error(
        "port {0} on 127.0.0.1 is already in use: choose another port, or 0 for any free port"
    )]
    PortInUse(u16),
    /// The port could not be bound for another reason.
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Listen {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
}

impl ServeOptions {
    /// The board and the settings these options ask for, checked.
    pub fn prepare(&self) -> Result<(Board, SandboxConfig), ServeError> {
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(ServeError::FaultRate(self.fault_rate));
        }
        let rate_limit = match self.rate_limit {
            None => None,
            Some(r) if r.is_finite() && r > 0.0 => Some(RateLimit {
                per_second: r,
                burst: (r.ceil() as u32).max(1),
            }),
            Some(r) => return Err(ServeError::RateLimit(r)),
        };
        if self.token.trim().is_empty() {
            return Err(ServeError::EmptyToken);
        }
        let board = match &self.board {
            None => Board::demo(
                self.today
                    .unwrap_or_else(|| chrono::Utc::now().date_naive()),
            ),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| {
                    ServeError::BoardUnreadable {
                        path: path.clone(),
                        source,
                    }
                })?;
                Board::from_json(&text).map_err(|e| ServeError::BoardInvalid {
                    path: path.clone(),
                    message: e.to_string(),
                })?
            }
        };
        let each = self.fault_rate / 4.0;
        let faults = [
            FaultKind::InternalServerError,
            FaultKind::BadGateway,
            FaultKind::ServiceUnavailable,
            FaultKind::GatewayTimeout,
        ]
        .into_iter()
        .filter(|_| each > 0.0)
        .fold(FaultConfig::default(), |f, kind| f.with_random(kind, each));
        let config = SandboxConfig {
            token: self.token.clone(),
            latency: self.latency,
            rate_limit,
            faults,
            port: self.port,
            today: self.today,
            seed: self.seed.unwrap_or(0),
            id_seed: self.seed,
            ..SandboxConfig::default()
        };
        Ok((board, config))
    }
}

impl ServeError {
    /// Why the port could not be bound, said plainly when it is in use.
    pub(crate) fn listen(port: u16, source: std::io::Error) -> ServeError {
        match source.kind() {
            std::io::ErrorKind::AddrInUse => ServeError::PortInUse(port),
            _ => ServeError::Listen { port, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        let bad = |o: ServeOptions| o.prepare().unwrap_err().to_string();
        assert!(bad(ServeOptions {
            fault_rate: 1.5,
            ..Default::default()
        })
        .contains("fraction from 0 to 1"));
        assert!(bad(ServeOptions {
            rate_limit: Some(0.0),
            ..Default::default()
        })
        .contains("greater than 0"));
        let dir = std::env::temp_dir().join(format!("sbx-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("board.json");
        std::fs::write(&file, r#"{"databases": [{"id": "nope"}]}"#).unwrap();
        let msg = bad(ServeOptions {
            board: Some(file.clone()),
            ..Default::default()
        });
        assert!(
            msg.contains("not a valid board") && msg.contains("board.json"),
            "{msg}"
        );
        let msg = bad(ServeOptions {
            board: Some(dir.join("missing.json")),
            ..Default::default()
        });
        assert!(msg.starts_with("could not read the board file"), "{msg}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
