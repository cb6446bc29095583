//! Where a summary goes: a webhook URL and the kind of service behind it,
//! told from the host or named by a prefix (`discord+https://…`).

use secrecy::SecretString;

use crate::guards::urls::http_url;
use crate::jobs::board::{Channel, ChannelKind};

const PREFIXES: &str = "slack+URL, discord+URL, teams+URL or json+URL";

/// Reads a target: `URL` of a known service, or `KIND+URL` for any other.
/// The error says what is wrong and what to do, and never contains the URL.
pub(crate) fn parse_channel(raw: &str) -> Result<Channel, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("a notification URL is empty; give a webhook URL, or leave it out".into());
    }
    let (named, bare) = match raw.split_once('+') {
        Some((prefix, rest))
            if !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            let kind = of_prefix(prefix).ok_or_else(|| {
                let shown: String = prefix.chars().take(12).collect();
                format!("unknown kind '{shown}+' before a notification URL; use {PREFIXES}")
            })?;
            (Some(kind), rest)
        }
        _ => (None, raw),
    };
    let url = http_url(bare, true)
        .map_err(|why| format!("a notification URL is not usable: {why} (value not shown)"))?;
    let kind = match named {
        Some(kind) => kind,
        None => kind_of_host(&url)?,
    };
    Ok(Channel {
        kind,
        url: SecretString::from(bare.to_string()),
    })
}

/// The kind a prefix names (`slack`, `discord`, `teams`, `json`, any case).
fn of_prefix(prefix: &str) -> Option<ChannelKind> {
    ChannelKind::ALL
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(prefix))
}

/// The kind of a URL without a prefix, from its host (and Discord's path).
fn kind_of_host(url: &url::Url) -> Result<ChannelKind, String> {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if host == "hooks.slack.com" {
        return Ok(ChannelKind::Slack);
    }
    if under("discord.com") || under("discordapp.com") {
        if url.path().starts_with("/api/webhooks/") {
            return Ok(ChannelKind::Discord);
        }
        return Err(
            "a Discord notification URL is not a webhook: it looks like \
             https://discord.com/api/webhooks/ID/TOKEN (value not shown)"
                .into(),
        );
    }
    if under("logic.azure.com") || under("powerplatform.com") {
        return Ok(ChannelKind::Teams);
    }
    if under("webhook.office.com") {
        return Err(
            "an Office 365 connector URL (webhook.office.com) cannot be used: those \
             connectors are retired; create a Teams webhook with the Workflows app and give its \
             URL (value not shown)"
                .into(),
        );
    }
    Err(format!(
        "cannot tell which service a notification URL is for from its host (value not shown); \
         name it with a prefix: {PREFIXES}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn kind(raw: &str) -> ChannelKind {
        parse_channel(raw)
            .unwrap_or_else(|e| panic!("{raw}: {e}"))
            .kind
    }

    #[test]
    fn the_host_tells_the_kind() {
        let slack = "https://hooks.slack.com/services/T0/B0/abc";
        assert_eq!(kind(slack), ChannelKind::Slack);
        assert_eq!(
            kind("https://discord.com/api/webhooks/1/tok"),
            ChannelKind::Discord
        );
        assert_eq!(
            kind("https://discordapp.com/api/webhooks/1/tok"),
            ChannelKind::Discord
        );
        assert_eq!(
            kind("https://canary.discord.com/api/webhooks/1/t"),
            ChannelKind::Discord
        );
        let logic = "https://prod-12.westeurope.logic.azure.com:443/workflows/a/triggers/manual/paths/invoke?sig=x";
        assert_eq!(kind(logic), ChannelKind::Teams);
        let power = "https://abc.environment.api.powerplatform.com/powerautomate/x?sig=y";
        assert_eq!(kind(power), ChannelKind::Teams);
        assert_eq!(
            parse_channel(&format!("  {slack} "))
                .unwrap()
                .url
                .expose_secret(),
            slack,
            "trimmed, no prefix"
        );
    }

    #[test]
    fn a_prefix_names_the_kind_of_any_url() {
        assert_eq!(kind("slack+http://127.0.0.1:9/hook"), ChannelKind::Slack);
        assert_eq!(
            kind("discord+https://proxy.example/api/webhooks/1/t"),
            ChannelKind::Discord
        );
        assert_eq!(
            kind("TEAMS+https://flows.example/x?sig=1"),
            ChannelKind::Teams
        );
        assert_eq!(kind("json+http://localhost:8080/in"), ChannelKind::Json);
        // A prefix wins over the host.
        assert_eq!(
            kind("json+https://hooks.slack.com/services/a"),
            ChannelKind::Json
        );
        let target = parse_channel("discord+https://proxy.example/a+b").unwrap();
        assert_eq!(target.url.expose_secret(), "https://proxy.example/a+b");
    }

    #[test]
    fn refusals_say_what_to_do_and_never_echo_the_url() {
        let cases = [
            ("https://hooks.example.com/secretpart", "slack+URL"),
            ("https://discord.com/channels/secretpart", "api/webhooks"),
            (
                "https://x.webhook.office.com/webhookb2/secretpart",
                "Workflows",
            ),
            ("http://hooks.slack.com/services/secretpart", "https"),
            ("http://10.0.0.1/secretpart", "loopback"),
            ("ftp+https://x.example/secretpart", "unknown kind 'ftp+'"),
            ("slack+secretpart", "not a URL"),
            ("mailto:secretpart", "https"),
            ("", "empty"),
        ];
        for (raw, hint) in cases {
            let error = parse_channel(raw).expect_err(raw);
            assert!(error.contains(hint), "{raw}: {error}");
            assert!(!error.contains("secretpart"), "{raw}: {error}");
        }
    }
}
