//! One sweep per data source at a time on this machine (cli.md, "Overlapping
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

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
        "another sweep of data source {data_source_id} is running ({}); waited {} (--lock-wait); \
         try again when it has finished, or give --lock-wait SECS to wait for it",
        holder(*pid),
        seconds(*waited)
    )]
    Held {
        /// The data source, as given.
        data_source_id: String,
        /// The holder's PID, when it has written one.
        pid: Option<u32>,
        /// How long this run waited.
        waited: Duration,
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

/// Takes the lock for `data_source_id` in the default directory (see the
/// module docs), waiting up to `wait` for another holder to finish, polling
/// every 100 ms. A `wait` of zero tries once.
pub(crate) async fn acquire(data_source_id: &str, wait: Duration) -> Result<SweepLock, LockError> {
    let dir = lock_dir()?;
    acquire_in(&dir, data_source_id, wait).await
}

/// [`acquire`] in a given directory.
pub(crate) async fn acquire_in(
    dir: &Path,
    data_source_id: &str,
    wait: Duration,
) -> Result<SweepLock, LockError> {
    let path = lock_path(dir, data_source_id)?;
    let start = Instant::now();
    loop {
        match next_step(&path, data_source_id, start, wait)? {
            Step::Done(lock) => return Ok(lock),
            Step::Sleep(pause) => tokio::time::sleep(pause).await,
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
            Step::Sleep(pause) => std::thread::sleep(pause),
        }
    }
}

enum Step {
    Done(SweepLock),
    Sleep(Duration),
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
        });
    }
    Ok(Step::Sleep(POLL.min(wait - waited)))
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
    let mut options = OpenOptions::new();
    // No truncate: the file may name the current holder.
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o644);
    }
    let mut file = options
        .open(path)
        .map_err(|e| io("open the lock file", e))?;
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
        path: path.to_path_buf(),
        data_source_id: data_source_id.to_string(),
    }))
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
mod tests {
    use super::*;
    use std::io::BufRead;

    const ID: &str = "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
    const OTHER: &str = "ffffffff-5e6f-7a8b-9c0d-1e2f3a4b5c6d";

    /// A lock directory of its own for one test.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "notion-sweep-lock-test-{}-{name}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn held_pid(result: Result<SweepLock, LockError>) -> Option<u32> {
        match result {
            Err(LockError::Held { pid, .. }) => pid,
            other => panic!("expected Held, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn two_guards_in_one_process_conflict() {
        // flock locks belong to the open file description, so a second open
        // in the same process is refused like another process would be.
        let dir = temp_dir("same");
        let first = acquire_in(&dir, ID, Duration::ZERO).await.unwrap();
        let second = acquire_in(&dir, ID, Duration::ZERO).await;
        let message = second.as_ref().unwrap_err().to_string();
        assert_eq!(held_pid(second), Some(std::process::id()));
        assert!(
            message.starts_with(&format!(
                "another sweep of data source {ID} is running (PID {}); waited 0s (--lock-wait)",
                std::process::id()
            )),
            "{message}"
        );
        drop(first);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn every_spelling_of_one_id_shares_the_lock() {
        let dir = temp_dir("spelling");
        let _held = acquire_in(&dir, ID, Duration::ZERO).await.unwrap();
        for spelling in [ID.replace('-', ""), ID.to_uppercase(), format!(" {ID} ")] {
            assert!(acquire_in(&dir, &spelling, Duration::ZERO).await.is_err());
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn different_ids_do_not_conflict() {
        let dir = temp_dir("different");
        let a = acquire_in(&dir, ID, Duration::ZERO).await.unwrap();
        let b = acquire_in(&dir, OTHER, Duration::ZERO).await.unwrap();
        assert_ne!(a.path(), b.path());
        assert_eq!(a.data_source_id(), ID);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn the_holder_is_named_in_the_file_and_forgotten_on_release() {
        let dir = temp_dir("pid");
        let lock = acquire_in(&dir, ID, Duration::ZERO).await.unwrap();
        let path = lock.path().to_path_buf();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(&format!("pid={}\nstarted=", std::process::id())),
            "{text}"
        );
        assert!(text.contains(&format!("data_source={ID}\n")), "{text}");
        drop(lock);
        // Released: the file stays but is empty, and the lock is free.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        let again = acquire_in(&dir, ID, Duration::ZERO).await.unwrap();
        drop(again);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_holder_without_a_pid_line_is_named_unknown() {
        let dir = temp_dir("nopid");
        let path = lock_path(&dir, ID).unwrap();
        let file = File::create(&path).unwrap();
        file.lock().unwrap();
        let result = acquire_in(&dir, ID, Duration::ZERO).await;
        assert!(result
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("(PID unknown)"));
        assert_eq!(held_pid(result), None);
        drop(file);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn the_wait_times_out_within_bounds() {
        let dir = temp_dir("timeout");
        let _held = acquire_in(&dir, ID, Duration::ZERO).await.unwrap();
        let start = Instant::now();
        let result = acquire_in(&dir, ID, Duration::from_millis(350)).await;
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(350), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
        let message = result.unwrap_err().to_string();
        assert!(message.contains("; waited 0."), "{message}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_waiting_run_gets_the_lock_when_it_is_released() {
        let dir = temp_dir("handover");
        let held = acquire_in(&dir, ID, Duration::ZERO).await.unwrap();
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(250)).await;
            drop(held);
        });
        let start = Instant::now();
        let lock = acquire_in(&dir, ID, Duration::from_secs(5)).await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(200));
        assert!(start.elapsed() < Duration::from_secs(2));
        release.await.unwrap();
        drop(lock);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_blocking_version_waits_too() {
        let dir = temp_dir("blocking");
        let _held = acquire_blocking_in(&dir, ID, Duration::ZERO).unwrap();
        let start = Instant::now();
        assert!(acquire_blocking_in(&dir, ID, Duration::from_millis(200)).is_err());
        assert!(start.elapsed() >= Duration::from_millis(200));
        assert!(start.elapsed() < Duration::from_millis(1500));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_lock_held_by_a_sigkilled_process_is_free_again() {
        // Another process (python3's fcntl.flock is flock(2), as std uses on
        // Linux) takes the lock, names itself, and is then killed with SIGKILL.
        let dir = temp_dir("sigkill");
        let path = lock_path(&dir, ID).unwrap();
        let script = "import fcntl, os, sys, time\n\
                      f = open(sys.argv[1], 'a+')\n\
                      fcntl.flock(f, fcntl.LOCK_EX)\n\
                      f.truncate(0); f.write('pid=%d\\n' % os.getpid()); f.flush()\n\
                      print('locked', flush=True)\n\
                      time.sleep(60)\n";
        let mut child = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is needed for this test");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked");
        let result = acquire_blocking_in(&dir, ID, Duration::ZERO);
        assert_eq!(held_pid(result), Some(child.id()));

        child.kill().unwrap(); // SIGKILL on unix: no chance to clean up
        child.wait().unwrap();
        let lock = acquire_blocking_in(&dir, ID, Duration::from_secs(2)).unwrap();
        drop(lock);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn lock_names_are_hex_and_dashes() {
        let canonical = "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
        assert_eq!(lock_name(ID).as_deref(), Some(canonical));
        assert_eq!(
            lock_name("1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D").as_deref(),
            Some(canonical)
        );
        assert_eq!(lock_name("Tasks").as_deref(), Some("x-5461736b73"));
        assert!(!lock_name("../../etc/passwd").unwrap().contains('/'));
        assert_eq!(lock_name(""), None);
        assert_eq!(lock_name("   "), None);
        assert_eq!(lock_name(&"a".repeat(MAX_OTHER_ID + 1)), None);
        assert!(matches!(
            lock_path(Path::new("/x"), ""),
            Err(LockError::BadId { len: 0 })
        ));
    }

    #[test]
    fn random_ids_never_panic_and_never_leave_the_directory() {
        let mut rng = fastrand::Rng::with_seed(0x10c);
        let alphabet: Vec<char> = "0123456789abcdefABCDEF-/.\\ \0é".chars().collect();
        for _ in 0..10_000 {
            let id: String = (0..rng.usize(0..40))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            if let Some(name) = lock_name(&id) {
                assert!(
                    name.chars()
                        .all(|c| c.is_ascii_hexdigit() || c == '-' || c == 'x'),
                    "{id:?} → {name:?}"
                );
                assert!(name.len() < 255, "{id:?}");
            }
        }
    }

    #[test]
    fn held_messages_read_well() {
        let error = LockError::Held {
            data_source_id: ID.into(),
            pid: Some(4242),
            waited: Duration::from_secs(30),
        };
        assert_eq!(
            error.to_string(),
            format!(
                "another sweep of data source {ID} is running (PID 4242); waited 30s (--lock-wait); \
                 try again when it has finished, or give --lock-wait SECS to wait for it"
            )
        );
        assert_eq!(seconds(Duration::from_millis(2500)), "2.5s");
        assert_eq!(seconds(Duration::from_millis(10)), "0s");
        assert_eq!(seconds(Duration::from_secs(90)), "90s");
    }

    #[cfg(unix)]
    #[test]
    fn the_temp_directory_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let base = temp_dir("private");
        let dir = private_temp_dir(&base).unwrap();
        assert_eq!(dir, base.join(format!("notion-sweep-{}", user_id())));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        // Loosened by someone: tightened again.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        private_temp_dir(&base).unwrap();
        assert_eq!(mode(&dir), 0o700);

        // A symlink planted in its place is refused.
        std::fs::remove_dir(&dir).unwrap();
        std::os::unix::fs::symlink(&base, &dir).unwrap();
        let error = private_temp_dir(&base).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");
        std::fs::remove_file(&dir).unwrap();

        // A directory of another user is refused (needs root to set up).
        if user_id() == 0 {
            std::fs::create_dir(&dir).unwrap();
            std::os::unix::fs::chown(&dir, Some(4242), None).unwrap();
            let error = private_temp_dir(&base).unwrap_err();
            assert!(error.to_string().contains("another user"), "{error}");
        }
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn the_runtime_directory_is_used_only_when_usable() {
        let runtime = temp_dir("runtime");
        let dir = runtime_lock_dir(&runtime).unwrap();
        assert_eq!(dir, runtime.join("notion-sweep"));
        assert!(dir.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        assert_eq!(runtime_lock_dir(Path::new("relative/run")), None);
        assert_eq!(runtime_lock_dir(&runtime.join("missing")), None);
        let file = runtime.join("a-file");
        std::fs::write(&file, "").unwrap();
        assert_eq!(runtime_lock_dir(&file), None);
        std::fs::remove_dir_all(runtime).unwrap();
    }

    // The only test that sets the variable: the environment is shared.
    #[test]
    fn the_lock_directory_can_be_overridden() {
        let base = temp_dir("override");
        let wanted = base.join("nested").join("locks");
        std::env::set_var(LOCK_DIR_ENV, &wanted);
        let dir = lock_dir();
        std::env::remove_var(LOCK_DIR_ENV);
        assert_eq!(dir.unwrap(), wanted);
        assert!(wanted.is_dir());
        let lock = acquire_blocking_in(&wanted, ID, Duration::ZERO).unwrap();
        assert!(lock.path().starts_with(&wanted));
        drop(lock);
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn an_unusable_directory_is_an_io_error_naming_it() {
        let base = temp_dir("unusable");
        let file = base.join("a-file");
        std::fs::write(&file, "").unwrap();
        let error = acquire_blocking_in(&file, ID, Duration::ZERO).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, LockError::Io { .. }), "{error:?}");
        assert!(message.contains(&file.display().to_string()), "{message}");
        assert!(message.contains(LOCK_DIR_ENV), "{message}");
        std::fs::remove_dir_all(base).unwrap();
    }
}
