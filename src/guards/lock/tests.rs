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
    let first = acquire_in(&dir, ID, Duration::ZERO, &Stop::default())
        .await
        .unwrap();
    let second = acquire_in(&dir, ID, Duration::ZERO, &Stop::default()).await;
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
    let _held = acquire_in(&dir, ID, Duration::ZERO, &Stop::default())
        .await
        .unwrap();
    for spelling in [ID.replace('-', ""), ID.to_uppercase(), format!(" {ID} ")] {
        assert!(
            acquire_in(&dir, &spelling, Duration::ZERO, &Stop::default())
                .await
                .is_err()
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn different_ids_do_not_conflict() {
    let dir = temp_dir("different");
    let a = acquire_in(&dir, ID, Duration::ZERO, &Stop::default())
        .await
        .unwrap();
    let b = acquire_in(&dir, OTHER, Duration::ZERO, &Stop::default())
        .await
        .unwrap();
    assert_ne!(a.path(), b.path());
    assert_eq!(a.data_source_id(), ID);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_holder_is_named_in_the_file_and_forgotten_on_release() {
    let dir = temp_dir("pid");
    let lock = acquire_in(&dir, ID, Duration::ZERO, &Stop::default())
        .await
        .unwrap();
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
    let again = acquire_in(&dir, ID, Duration::ZERO, &Stop::default())
        .await
        .unwrap();
    drop(again);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_holder_without_a_pid_line_is_named_unknown() {
    let dir = temp_dir("nopid");
    let path = lock_path(&dir, ID).unwrap();
    let file = File::create(&path).unwrap();
    file.lock().unwrap();
    let result = acquire_in(&dir, ID, Duration::ZERO, &Stop::default()).await;
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
    let _held = acquire_in(&dir, ID, Duration::ZERO, &Stop::default())
        .await
        .unwrap();
    let start = Instant::now();
    let result = acquire_in(&dir, ID, Duration::from_millis(350), &Stop::default()).await;
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
    let held = acquire_in(&dir, ID, Duration::ZERO, &Stop::default())
        .await
        .unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(250)).await;
        drop(held);
    });
    let start = Instant::now();
    let lock = acquire_in(&dir, ID, Duration::from_secs(5), &Stop::default())
        .await
        .unwrap();
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
        deadline: false,
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
