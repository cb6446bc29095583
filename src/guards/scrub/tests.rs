use super::*;
use std::sync::Mutex;

const TOKEN: &str = "ntn_4b7Qx9ZpL2mN8vR3tY6wK1sD5fG0hJ";
const SLACK: &str = "https://hooks.slack.com/services/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";
const SLACK_KEY: &str = "Xk9Lm2Np4Qr6St8Uv0Wx2Yz4";
const DISCORD: &str = "https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567";
const DISCORD_KEY: &str =
    "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567";
const TEAMS: &str = "https://prod-12.westeurope.logic.azure.com:443/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Qw3rTy_uI0pAsDfGhJkLzXcVbNm1234567890abcdEF";
const TEAMS_SIG: &str = "Qw3rTy_uI0pAsDfGhJkLzXcVbNm1234567890abcdEF";

fn scrubber() -> Scrubber {
    Scrubber::from_secrets([TOKEN], [SLACK, DISCORD, TEAMS])
}

fn assert_clean(text: &str) {
    for secret in [
        TOKEN,
        SLACK_KEY,
        DISCORD_KEY,
        TEAMS_SIG,
        "T0A1B2C3D/B0E4F5G6H",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(!text.contains("0123456789abcdef0123456789abcdef"), "{text}");
}

#[test]
fn a_token_echoed_in_a_json_error_is_redacted() {
    let body = format!(
        r#"{{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid: {TOKEN}"}}"#
    );
    let out = scrubber().scrub(&body);
    assert_clean(&out);
    assert!(out.contains("API token is invalid: (redacted)\""), "{out}");
}

#[test]
fn a_bearer_header_echoed_back_is_redacted() {
    let out = scrubber().scrub(&format!("Authorization: Bearer {TOKEN}\r\n"));
    assert_eq!(out, "Authorization: Bearer (redacted)\r\n");
}

#[test]
fn a_webhook_path_echoed_in_html_is_redacted() {
    let body = "<html><body><p>No route for POST /services/T0A1B2C3D/B0E4F5G6H/Xk9Lm2Np4Qr6St8Uv0Wx2Yz4</p></body></html>";
    let out = scrubber().scrub(body);
    assert_clean(&out);
    assert_eq!(
        out,
        "<html><body><p>No route for POST (redacted)</p></body></html>"
    );
}

#[test]
fn whole_urls_are_one_redaction() {
    let s = scrubber();
    assert_eq!(
        s.scrub(&format!("posting to {SLACK} failed")),
        "posting to (redacted) failed"
    );
    assert_eq!(s.scrub(&format!("[{DISCORD}]")), "[(redacted)]");
    assert_eq!(s.scrub(&format!("url={TEAMS}")), "url=(redacted)");
    // With a kind prefix.
    let prefixed = Scrubber::from_secrets([], [format!("slack+{SLACK}").as_str()]);
    assert_eq!(prefixed.scrub(SLACK), REDACTED);
    assert_eq!(prefixed.scrub(&format!("slack+{SLACK}")), REDACTED);
}

#[test]
fn percent_encoded_urls_are_redacted() {
    let s = scrubber();
    let upper = percent_encode(SLACK);
    assert!(upper.contains("%2F"));
    assert_eq!(s.scrub(&format!("u={upper}&x=1")), "u=(redacted)&x=1");
    assert_eq!(s.scrub(&upper.to_ascii_lowercase()), REDACTED);
    // Partly encoded (only the slashes): the secret segment still goes.
    let partly = SLACK.replace('/', "%2f");
    assert_clean(&s.scrub(&partly));
    // The token percent-encoded (it has no reserved characters, so its
    // encoding is itself) and in a form body.
    assert_clean(&s.scrub(&format!("token={TOKEN}&next=1")));
    // Teams' signature, decoded or not.
    assert_clean(&s.scrub(&format!("sig={}", percent_encode(TEAMS_SIG))));
}

#[test]
fn secrets_with_reserved_characters_are_redacted_encoded() {
    let s = Scrubber::from_secrets(["k/e+y=v&\"q"], []);
    assert_eq!(s.scrub("a=k%2Fe%2By%3Dv%26%22q"), "a=(redacted)");
    assert_eq!(s.scrub("a=k%2fe%2by%3dv%26%22q"), "a=(redacted)");
    assert_eq!(s.scrub(r#"{"m":"k/e+y=v&\"q"}"#), r#"{"m":"(redacted)"}"#);
    assert_eq!(s.scrub(r#"{"m":"k\/e+y=v&\"q"}"#), r#"{"m":"(redacted)"}"#);
    assert_eq!(s.scrub("<p>k/e+y=v&amp;&quot;q</p>"), "<p>(redacted)</p>");
}

#[test]
fn json_escaped_urls_are_redacted() {
    let s = scrubber();
    let escaped = SLACK.replace('/', "\\/");
    let out = s.scrub(&format!(r#"{{"url":"{escaped}"}}"#));
    assert_eq!(out, r#"{"url":"(redacted)"}"#);
    let discord = DISCORD.replace('/', "\\/");
    assert_clean(&s.scrub(&discord));
}

#[test]
fn html_escaped_queries_are_redacted() {
    let s = scrubber();
    let html = TEAMS.replace('&', "&amp;");
    assert_eq!(
        s.scrub(&format!("<a href=\"{html}\">")),
        "<a href=\"(redacted)\">"
    );
}

#[test]
fn secrets_split_by_nothing_and_repeated_are_all_redacted() {
    let s = scrubber();
    let out = s.scrub(&format!("{TOKEN}{TOKEN} {SLACK_KEY}{TOKEN}"));
    assert_eq!(out, "(redacted) (redacted)");
    let out = s.scrub(&format!("x{TOKEN}"));
    assert_eq!(out, "x(redacted)");
}

#[test]
fn short_secrets_are_scrubbed_too() {
    let s = Scrubber::from_secrets(["abc"], []);
    assert_eq!(s.scrub("xabcx abc"), "x(redacted)x (redacted)");
    let s = Scrubber::from_secrets(["a"], []);
    assert_eq!(s.scrub("banana"), "b(redacted)n(redacted)n(redacted)");
}

#[test]
fn overlapping_secrets_leave_nothing_behind() {
    let s = Scrubber::from_secrets(["xab", "abcdefgh"], []);
    assert_eq!(s.scrub("1xabcdefgh2"), "1(redacted)2");
    let s = Scrubber::from_secrets(["ntn_abc", "ntn_abcdef"], []);
    assert_eq!(s.scrub("ntn_abcdef!"), "(redacted)!");
    let s = Scrubber::from_secrets(["aaa"], []);
    assert_eq!(s.scrub("aaaa b"), "(redacted) b");
}

#[test]
fn empty_and_padded_secrets() {
    let s = Scrubber::from_secrets(["", "  ", "\n"], [""]);
    assert!(s.is_empty());
    assert_eq!(s.scrub("anything"), "anything");
    let s = Scrubber::from_secrets(["ntn_secret\n"], []);
    assert_eq!(s.scrub("ntn_secret"), REDACTED);
}

#[test]
fn short_url_parts_and_words_are_not_patterns() {
    let s = Scrubber::from_secrets([], ["http://127.0.0.1:8080/hook"]);
    assert_eq!(s.scrub("/hook and / stay"), "/hook and / stay");
    assert_eq!(s.scrub("http://127.0.0.1:8080/hook"), REDACTED);
    let s = Scrubber::from_secrets([], ["https://example.com/incoming-webhooks/abc"]);
    assert_eq!(s.scrub("incoming-webhooks"), "incoming-webhooks");
    assert!(looks_secret("T0A1B2C3DB0E4F5G6H"));
    assert!(!looks_secret("incoming-webhooks"));
    assert!(!looks_secret("Short1"));
}

#[test]
fn urls_with_passwords() {
    let s = Scrubber::from_secrets([], ["https://user:pa%24%24word@proxy.example/x"]);
    assert_eq!(s.scrub("pa$$word"), REDACTED);
    assert_eq!(s.scrub("pa%24%24word"), REDACTED);
}

#[test]
fn unparseable_urls_are_still_secrets() {
    let s = Scrubber::from_secrets([], ["not a url at all"]);
    assert_eq!(s.scrub("see not a url at all here"), "see (redacted) here");
}

#[test]
fn debug_shows_no_secret() {
    let text = format!("{:?}", scrubber());
    assert_clean(&text);
    assert!(text.starts_with("Scrubber"));
}

#[test]
fn non_ascii_text_around_secrets_survives() {
    let s = Scrubber::from_secrets(["ключ"], []);
    assert_eq!(s.scrub("é ключ 日本"), "é (redacted) 日本");
    assert_eq!(s.scrub("ключключ"), REDACTED);
}

#[test]
fn escape_control_shows_controls() {
    assert_eq!(escape_control("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
    assert_eq!(escape_control("line\nforged INFO"), "line\\nforged INFO");
    assert_eq!(escape_control("a\rb\tc"), "a\\rb\\tc");
    assert_eq!(escape_control("\0\u{7}\u{7f}"), "\\u{0}\\u{7}\\u{7f}");
    assert_eq!(escape_control("\u{9b}31m\u{85}"), "\\u{9b}31m\\u{85}");
    assert_eq!(
        escape_control("evil\u{202e}txt.exe\u{2066}\u{2069}"),
        "evil\\u{202e}txt.exe\\u{2066}\\u{2069}"
    );
    assert_eq!(escape_control("a\u{2028}b"), "a\\u{2028}b");
    for plain in ["", "Fix the bug", "é 日本 🦀", "back\\slash", "a\u{200d}b"] {
        assert_eq!(escape_control(plain), plain);
    }
}

#[test]
fn clean_scrubs_then_escapes() {
    let s = scrubber();
    let text = format!("\u{1b}]0;{TOKEN}\u{7}\nnext");
    assert_eq!(s.clean(&text), "\\u{1b}]0;(redacted)\\u{7}\\nnext");
}

#[test]
fn random_text_never_panics_and_never_keeps_a_secret() {
    let mut rng = fastrand::Rng::with_seed(0x5c2b);
    let alphabet: Vec<char> = "AB01_/%2F:\\ é\u{1b}\n\u{202e}\u{0}".chars().collect();
    for _ in 0..3_000 {
        let secret_count = rng.usize(0..4);
        let secrets: Vec<String> = (0..secret_count)
            .map(|_| {
                (0..rng.usize(1..6))
                    .map(|_| ['A', 'B', '0', '1', '_', 'é'][rng.usize(..6)])
                    .collect()
            })
            .collect();
        let url: String = (0..rng.usize(0..40))
            .map(|_| alphabet[rng.usize(..alphabet.len())])
            .collect();
        let s = Scrubber::from_secrets(secrets.iter().map(String::as_str), [url.as_str()]);
        let text: String = (0..rng.usize(0..80))
            .map(|_| {
                if rng.u8(..10) == 0 && !secrets.is_empty() {
                    secrets[rng.usize(..secrets.len())].clone()
                } else {
                    alphabet[rng.usize(..alphabet.len())].to_string()
                }
            })
            .collect();
        let out = s.scrub(&text);
        for secret in &secrets {
            assert!(
                !out.contains(secret.as_str()),
                "{secret:?} in {out:?} from {text:?}"
            );
        }
        let cleaned = s.clean(&text);
        assert!(!cleaned.chars().any(must_escape), "{cleaned:?}");
    }
    // Arbitrary bytes, lossily decoded, through every function.
    let s = scrubber();
    for _ in 0..2_000 {
        let bytes: Vec<u8> = (0..rng.usize(0..120)).map(|_| rng.u8(..)).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = s.clean(&text);
        let _ = percent_decode(&text);
        let mut url = Scrubber::new();
        url.add_url(&text);
    }
}

/// A `MakeWriter` into a shared buffer, for reading what was logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

// The only test that installs a scrubber: the installed one is global.
#[test]
fn the_installed_scrubber_serves_scrubbed_and_the_log_writer() {
    let before = scrubbed("plain\nline");
    assert_eq!(before, "plain\\nline");

    install(scrubber());
    assert_eq!(scrubbed(&format!("{TOKEN}\u{1b}")), "(redacted)\\u{1b}");
    assert_eq!(redacted(&format!("{TOKEN}\u{1b}")), "(redacted)\u{1b}");

    // A writer given a secret in pieces still scrubs the whole line.
    let captured = Captured::default();
    {
        let mut writer = ScrubbedWriter::new(captured.clone());
        let line = format!("first {SLACK} line\nsecond {TOKEN} end");
        for piece in line.as_bytes().chunks(5) {
            writer.write_all(piece).unwrap();
            writer.flush().unwrap();
        }
    }
    assert_eq!(
        captured.text(),
        "first (redacted) line\nsecond (redacted) end"
    );

    // Through tracing's formatter, colours on: secrets go, colours stay.
    let captured = Captured::default();
    let make = {
        let captured = captured.clone();
        move || captured.clone()
    };
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Scrubbing(make))
        .with_ansi(true)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::warn!(url = SLACK, "Slack answered 404 for {SLACK}: {TOKEN}");
        tracing::trace!(body = %format!("echo {TOKEN}"), "raw answer");
    });
    let logged = captured.text();
    assert_clean(&logged);
    assert!(logged.contains("(redacted)"), "{logged}");
    assert!(
        logged.contains('\u{1b}'),
        "ANSI colours were lost: {logged:?}"
    );
    assert_eq!(logged.lines().count(), 2, "{logged}");
}
