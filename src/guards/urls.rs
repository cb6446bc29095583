//! URLs the program sends to: https, or plain http to a loopback host only,
//! so that a secret (a token, a webhook URL) never travels in clear.

use reqwest::Url;

/// An http(s) URL; plain http only to loopback hosts, so a secret is never sent in clear.
pub(crate) fn http_url(raw: &str, secret: bool) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| {
        if secret {
            "not a URL".to_string()
        } else {
            format!("not a URL ({e})")
        }
    })?;
    match url.scheme() {
        "https" => {}
        "http" => {
            if !is_loopback(&url) {
                return Err("plain http is allowed only to loopback hosts (localhost, 127.0.0.1, ::1); use https".into());
            }
        }
        _ => return Err("the scheme must be https".into()),
    }
    if url.host().is_none() {
        return Err("no host".into());
    }
    Ok(url)
}

/// The URL's host is this machine: never sent through a proxy (the
/// `HTTP_PROXY` of the environment would see the token in clear).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(http_url("https://api.notion.com", false).is_ok());
        assert!(http_url("http://127.0.0.1:8080", false).is_ok());
        assert!(http_url("http://localhost:1/", false).is_ok());
        assert!(http_url("http://[::1]:9", false).is_ok());
        assert!(http_url("http://api.notion.com", false).is_err());
        assert!(http_url("http://10.0.0.1", false).is_err());
        assert!(http_url("ftp://localhost", false).is_err());
        assert!(http_url("api.notion.com", false).is_err());
    }
}
