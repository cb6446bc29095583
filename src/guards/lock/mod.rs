//! One sweep per data source at a time on this machine (docs/reliability.md, "Overlapping
//! runs").
//!
//! Two sweeps that would write the same data source must never run at once,
//! so a writing sweep first takes an advisory lock on a file named after the
//! data source id. The lock is the operating system's (`File::try_lock`,
//! `flock(2)` on Linux and macOS, `LockFileEx` on Windows): it dies with the
//! process, so a crash or SIGKILL leaves no stale lock to clean up. The
//! file itself is never deleted, because deleting a lock file lets two
//! processes hold locks on two different files of the same name.
//!
//! After locking, the holder writes its PID and start time into the file,
//! so a second run can say who is in the way.
//!
//! Where the files live: `$NOTION_SWEEP_LOCK_DIR` when set; else
//! `$XDG_RUNTIME_DIR/notion-sweep/` when that is set and writable; else
//! `<temp dir>/notion-sweep-<uid>/`, created with mode 0700 and refused if
//! it is a symlink or belongs to another user (a shared `/tmp` must not let
//! another user hold our locks).

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OwnedMutexGuard;

use super::stop::{Stop, StopReason};

/// The environment variable that overrides where lock files live.
pub(crate) const LOCK_DIR_ENV: &str = "NOTION_SWEEP_LOCK_DIR";

/// How often a waiting run tries the lock again.
const POLL: Duration = Duration::from_millis(100);

/// The longest data source id (in bytes) that is not a Notion ID and is
/// still accepted; its hex form must stay a valid file name.
const MAX_OTHER_ID: usize = 100;

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LockError {
    /// Another process (or another guard in this one) holds it.
    #[error(
        "another sweep of data source {data_source_id} is running ({}); waited {} ({}); \
         try again when it has finished, or give --lock-wait SECS to wait for it",
        holder(*pid),
        seconds(*waited),
        if *deadline { "until the --deadline" } else { "--lock-wait" }
    )]
    Held {
        /// The data source, as given.
        data_source_id: String,
        /// The holder's PID, when it has written one.
        pid: Option<u32>,
        /// How long this run waited.
        waited: Duration,
        /// The run's `--deadline` ended the wait before `--lock-wait` did.
        deadline: bool,
    },
    /// SIGINT or SIGTERM while waiting for the lock.
    #[error("interrupted (SIGINT/SIGTERM) while waiting for another sweep of data source {data_source_id}; nothing was changed")]
    Interrupted {
        /// The data source, as given.
        data_source_id: String,
    },
    /// Something other than our own regular file stands at the lock path: a
    /// link (to a file that locking would empty), a FIFO, a directory.
    #[error(
        "the lock file {} is {what}; notion-sweep never follows a link nor uses a file it \
         did not make at its lock path: remove it, or set {LOCK_DIR_ENV} to a directory only \
         this user can write",
        path.display()
    )]
    NotAFile {
        /// The lock path.
        path: PathBuf,
        /// What stands there instead.
        what: &'static str,
    },
    /// The lock directory or file could not be used.
    #[error(
        "could not {action} {}: {source}; set {LOCK_DIR_ENV} to a directory this user can write",
        path.display()
    )]
    Io {
        /// What was being done ("create the lock directory", …).
        action: &'static str,
        /// The directory or file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The default lock directory in a shared temp dir is not ours.
    #[error(
        "the lock directory {} is not safe to use: {why}; remove it, or set {LOCK_DIR_ENV} \
         to a directory only this user can write",
        path.display()
    )]
    UnsafeDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong with it.
        why: &'static str,
    },
    /// An empty or absurdly long data source id.
    #[error(
        "cannot lock data source id of {len} bytes: expected a Notion ID (32 hex digits, \
         dashes optional); this is a bug, please report it"
    )]
    BadId {
        /// Its length (the id itself is not shown: it may be anything).
        len: usize,
    },
}

fn holder(pid: Option<u32>) -> String {
    match pid {
        Some(pid) => format!("PID {pid}"),
        None => "PID unknown".to_string(),
    }
}

/// `2s`, `0.3s`: whole seconds without a fraction.
fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() < 50 || duration.as_secs() >= 10 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{:.1}s", duration.as_secs_f64())
    }
}

/// A held lock on one data source; released when dropped (or when the
/// process dies, however it dies).
#[derive(Debug)]
pub(crate) struct SweepLock {
    file: File,
    /// This process's turn at the data source (another board of the same
    /// run waits for it); released after the file lock.
    _turn: Option<OwnedMutexGuard<()>>,
    #[cfg_attr(not(test), allow(dead_code))]
    path: PathBuf,
    #[cfg_attr(not(test), allow(dead_code))]
    data_source_id: String,
}

#[cfg(test)]
impl SweepLock {
    /// The lock file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The data source it locks, as given.
    pub(crate) fn data_source_id(&self) -> &str {
        &self.data_source_id
    }
}

impl Drop for SweepLock {
    fn drop(&mut self) {
        // Empty the file first, so it never names a finished run; the file
        // stays (see the module docs). Failures change nothing that matters:
        // closing the file releases the lock regardless.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// The turns of this process at each lock file: boards of one run that
/// share a data source take it one after the other.
static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(Mutex::default);

/// Takes the lock for `data_source_id` in the default directory (see the
/// module docs). Another board of this run on the same data source is
/// waited for as long as it takes; another process, up to `wait`, polling
/// every 100 ms (a `wait` of zero tries once). A stop (a signal, the
/// `--deadline`) ends either wait.
pub(crate) async fn acquire(
    data_source_id: &str,
    wait: Duration,
    stop: &Stop,
) -> Result<SweepLock, LockError> {
    let dir = lock_dir()?;
    let path = lock_path(&dir, data_source_id)?;
    let turn = TURNS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(path)
        .or_default()
        .clone();
    let turn = tokio::select! {
        turn = turn.lock_owned() => turn,
        reason = stop.stopped() => return Err(stopped(data_source_id, Duration::ZERO, reason)),
    };
    let mut lock = acquire_in(&dir, data_source_id, wait, stop).await?;
    lock._turn = Some(turn);
    Ok(lock)
}

/// Why a wait for the lock ended early.
fn stopped(data_source_id: &str, waited: Duration, reason: StopReason) -> LockError {
    match reason {
        StopReason::DeadlineReached { .. } => LockError::Held {
            data_source_id: data_source_id.to_string(),
            pid: None,
            waited,
            deadline: true,
        },
        _ => LockError::Interrupted {
            data_source_id: data_source_id.to_string(),
        },
    }
}

/// The file lock in a given directory, waiting up to `wait` for another
/// holder; a stop ends the wait.
pub(crate) async fn acquire_in(
    dir: &Path,
    data_source_id: &str,
    wait: Duration,
    stop: &Stop,
) -> Result<SweepLock, LockError> {
    let path = lock_path(dir, data_source_id)?;
    let start = Instant::now();
    loop {
        match next_step(&path, data_source_id, start, wait)? {
            Step::Done(lock) => return Ok(lock),
            Step::Sleep(pause, holder) => tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                reason = stop.stopped() => {
                    return Err(match stopped(data_source_id, start.elapsed(), reason) {
                        LockError::Held { data_source_id, waited, deadline, .. } => {
                            LockError::Held { data_source_id, pid: holder, waited, deadline }
                        }
                        other => other,
                    });
                }
            },
        }
    }
}

/// [`acquire_in`] for tests outside the async runtime: sleeps the thread.
#[cfg(test)]
pub(crate) fn acquire_blocking_in(
    dir: &Path,
    data_source_id: &str,
    wait: Duration,
) -> Result<SweepLock, LockError> {
    let path = lock_path(dir, data_source_id)?;
    let start = Instant::now();
    loop {
        match next_step(&path, data_source_id, start, wait)? {
            Step::Done(lock) => return Ok(lock),
            Step::Sleep(pause, _) => std::thread::sleep(pause),
        }
    }
}

enum Step {
    Done(SweepLock),
    /// Held by the process of that PID (if it wrote one): try again after this.
    Sleep(Duration, Option<u32>),
}

/// One try; says how long to sleep before the next, or gives up when the
/// wait is over.
fn next_step(
    path: &Path,
    data_source_id: &str,
    start: Instant,
    wait: Duration,
) -> Result<Step, LockError> {
    let pid = match try_lock(path, data_source_id)? {
        Ok(lock) => return Ok(Step::Done(lock)),
        Err(pid) => pid,
    };
    let waited = start.elapsed();
    if waited >= wait {
        return Err(LockError::Held {
            data_source_id: data_source_id.to_string(),
            pid,
            waited,
            deadline: false,
        });
    }
    Ok(Step::Sleep(POLL.min(wait - waited), pid))
}

/// Tries the lock once: the guard, or the holder's PID if it is taken.
fn try_lock(
    path: &Path,
    data_source_id: &str,
) -> Result<Result<SweepLock, Option<u32>>, LockError> {
    let io = |action, source| LockError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    let mut file = open_own_file(path).map_err(|e| match e {
        Opened::NotAFile(what) => LockError::NotAFile {
            path: path.to_path_buf(),
            what,
        },
        Opened::Io(e) => io("open the lock file", e),
    })?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(Err(read_pid(&mut file))),
        Err(TryLockError::Error(e)) => return Err(io("lock the lock file", e)),
    }
    // Naming the holder is a courtesy: the lock is held whether or not
    // this write succeeds (a full disk must not stop a sweep).
    let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let _ = file.set_len(0).and_then(|()| {
        file.seek(SeekFrom::Start(0))?;
        write!(
            file,
            "pid={}\nstarted={started}\ndata_source={data_source_id}\n",
            std::process::id()
        )?;
        file.flush()
    });
    Ok(Ok(SweepLock {
        file,
        _turn: None,
        path: path.to_path_buf(),
        data_source_id: data_source_id.to_string(),
    }))
}

/// Why the lock file could not be opened.
enum Opened {
    /// Something else than a regular file of its own stands at the path.
    NotAFile(&'static str),
    Io(std::io::Error),
}

/// Opens (or makes) the lock file, never through a link, never blocking on
/// a FIFO, and only when it is a regular file with no other name: locking
/// empties the file, which must never be anyone else's.
fn open_own_file(path: &Path) -> Result<File, Opened> {
    let mut options = OpenOptions::new();
    // No truncate: the file may name the current holder.
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return Opened::NotAFile("a symbolic link");
        }
        if path.is_dir() {
            return Opened::NotAFile("a directory");
        }
        Opened::Io(e)
    })?;
    let meta = file.metadata().map_err(Opened::Io)?;
    if !meta.is_file() {
        return Err(Opened::NotAFile("not a regular file (a FIFO, a device?)"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(Opened::NotAFile("a file with another name (a hard link)"));
        }
    }
    Ok(file)
}

/// The `pid=` line of a lock file, if the holder has written it yet.
fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    // A lock file is a few lines; never read more than a page of it.
    file.take(4096).read_to_string(&mut text).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("pid="))
        .and_then(|pid| pid.trim().parse().ok())
}

/// The lock file for a data source in `dir`.
pub(crate) fn lock_path(dir: &Path, data_source_id: &str) -> Result<PathBuf, LockError> {
    let name = lock_name(data_source_id).ok_or(LockError::BadId {
        len: data_source_id.len(),
    })?;
    Ok(dir.join(format!("{name}.lock")))
}

/// A file name from a data source id, made only of hex digits and dashes.
/// A Notion ID, with or without dashes and in any case, becomes its
/// canonical dashed lower-case form, so every spelling of one data source
/// shares one lock. Anything else becomes `x-` and the hex of its bytes.
fn lock_name(data_source_id: &str) -> Option<String> {
    let id = data_source_id.trim();
    let hex: String = id.chars().filter(|&c| c != '-').collect();
    if hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        let h = hex.to_ascii_lowercase();
        return Some(format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        ));
    }
    if id.is_empty() || id.len() > MAX_OTHER_ID {
        return None;
    }
    let bytes: String = id.bytes().map(|b| format!("{b:02x}")).collect();
    Some(format!("x-{bytes}"))
}

/// The directory for lock files, created if needed (see the module docs).
pub(crate) fn lock_dir() -> Result<PathBuf, LockError> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var(LOCK_DIR_ENV) {
        // The user's choice: created if missing, otherwise used as it is.
        let dir = PathBuf::from(dir);
        create_private_dir(&dir)?;
        return Ok(dir);
    }
    // Per-user and cleaned at logout: the best place, when usable.
    if let Some(dir) = var("XDG_RUNTIME_DIR").and_then(|r| runtime_lock_dir(Path::new(&r))) {
        return Ok(dir);
    }
    private_temp_dir(&std::env::temp_dir())
}

/// `<runtime>/notion-sweep`, if `runtime` is an absolute directory in which
/// it can be made and written; `None` sends [`lock_dir`] to the temp dir.
fn runtime_lock_dir(runtime: &Path) -> Option<PathBuf> {
    if !runtime.is_absolute() || !runtime.is_dir() {
        return None;
    }
    let dir = runtime.join("notion-sweep");
    (create_private_dir(&dir).is_ok() && is_writable(&dir)).then_some(dir)
}

/// `<base>/notion-sweep-<uid>`, made or checked to be this user's own.
fn private_temp_dir(base: &Path) -> Result<PathBuf, LockError> {
    let dir = base.join(format!("notion-sweep-{}", user_id()));
    create_private_dir(&dir)?;
    check_own_dir(&dir)?;
    Ok(dir)
}

#[cfg(unix)]
fn user_id() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn user_id() -> String {
    // Windows temp dirs are per user already.
    std::env::var("USERNAME")
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Creates `dir` and missing parents, mode 0700 on unix.
fn create_private_dir(dir: &Path) -> Result<(), LockError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| LockError::Io {
        action: "create the lock directory",
        path: dir.to_path_buf(),
        source,
    })
}

/// A directory in a shared temp dir must be a real directory of ours that
/// nobody else can write; one we own with loose permissions is tightened.
#[cfg(unix)]
fn check_own_dir(dir: &Path) -> Result<(), LockError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let unsafe_dir = |why| LockError::UnsafeDir {
        path: dir.to_path_buf(),
        why,
    };
    let meta = std::fs::symlink_metadata(dir).map_err(|source| LockError::Io {
        action: "inspect the lock directory",
        path: dir.to_path_buf(),
        source,
    })?;
    if meta.file_type().is_symlink() {
        return Err(unsafe_dir("it is a symbolic link"));
    }
    if !meta.is_dir() {
        return Err(unsafe_dir("it is not a directory"));
    }
    if meta.uid() != user_id() {
        return Err(unsafe_dir("it belongs to another user"));
    }
    if meta.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|_| {
            unsafe_dir("others may write to it and its mode could not be set to 0700")
        })?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_own_dir(_dir: &Path) -> Result<(), LockError> {
    Ok(())
}

#[cfg(unix)]
fn is_writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(path.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

#[cfg(not(unix))]
fn is_writable(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

#[cfg(test)]
mod tests;
