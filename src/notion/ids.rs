//! Notion IDs as users paste them: bare, dashed, or inside a Notion URL.

use std::fmt;

/// A Notion object ID (a UUID), kept in its dashed lowercase form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct NotionId(String);

/// What a valid database argument looks like, for error messages.
pub(crate) const DATABASE_HINT: &str = "a database ID (32 hex digits, dashes optional, e.g. \
2f26ee68df304251aad48ddc420cba3d) or a Notion URL that contains one \
(e.g. https://www.notion.so/acme/Tasks-2f26ee68df304251aad48ddc420cba3d?v=...)";

impl NotionId {
    /// Parses 32 hex digits, with or without the four dashes of a UUID.
    pub(crate) fn parse(s: &str) -> Option<NotionId> {
        let s = s.trim();
        let hex: String = if s.len() == 36 {
            let dashes = [8, 13, 18, 23];
            let bytes = s.as_bytes();
            if dashes.iter().any(|&i| bytes[i] != b'-') {
                return None;
            }
            s.chars().filter(|c| *c != '-').collect()
        } else {
            s.to_string()
        };
        if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let h = hex.to_ascii_lowercase();
        Some(NotionId(format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )))
    }

    /// Parses an ID or a Notion URL whose path ends in one.
    ///
    /// The `v=` query value of a URL is a view ID, never the database, so only
    /// the path is read: the last segment, after the last `-` of a slug.
    pub(crate) fn from_id_or_url(input: &str) -> Option<NotionId> {
        let input = input.trim();
        if let Some(id) = NotionId::parse(input) {
            return Some(id);
        }
        let rest = input
            .strip_prefix("https://")
            .or_else(|| input.strip_prefix("http://"))
            .unwrap_or(input);
        let (host, path) = rest.split_once('/')?;
        let host = host.to_ascii_lowercase();
        let notion_host = host == "notion.so"
            || host == "www.notion.so"
            || host == "notion.com"
            || host == "www.notion.com"
            || host.ends_with(".notion.site");
        if !notion_host {
            return None;
        }
        let path = path.split(['?', '#']).next().unwrap_or("");
        let last = path.trim_end_matches('/').rsplit('/').next()?;
        let candidate = match last.rsplit_once('-') {
            // A dashed UUID has dashes of its own: try the whole segment first.
            Some((_, tail)) if NotionId::parse(last).is_none() => tail,
            _ => last,
        };
        NotionId::parse(candidate)
    }

    /// The dashed form, e.g. `2f26ee68-df30-4251-aad4-8ddc420cba3d`.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NotionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DASHED: &str = "248104cd-477e-80fd-b757-e945d38000bd";

    #[test]
    fn accepts_every_form_users_paste() {
        for input in [
            "248104cd477e80fdb757e945d38000bd",
            "248104CD477E80FDB757E945D38000BD",
            DASHED,
            " 248104cd477e80fdb757e945d38000bd\n",
            "https://www.notion.so/acme/248104cd477e80fdb757e945d38000bd?v=148104cd477e80fdb757e945d38000bd",
            "https://www.notion.so/acme/Tasks-248104cd477e80fdb757e945d38000bd",
            "https://www.notion.so/248104cd477e80fdb757e945d38000bd",
            "notion.so/acme/My-Team-Tasks-248104cd477e80fdb757e945d38000bd",
            "https://www.notion.com/Tasks-248104cd477e80fdb757e945d38000bd#section",
            "https://acme.notion.site/Tasks-248104cd477e80fdb757e945d38000bd/",
            "https://www.notion.so/acme/248104cd-477e-80fd-b757-e945d38000bd",
        ] {
            assert_eq!(
                NotionId::from_id_or_url(input).map(|id| id.0),
                Some(DASHED.to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn random_input_never_panics_and_every_valid_form_round_trips() {
        let mut rng = fastrand::Rng::with_seed(7);
        let alphabet: Vec<char> = "0123456789abcdefABCDEF-/?#.:vé漢 notion.sosite"
            .chars()
            .collect();
        for _ in 0..50_000 {
            let len = rng.usize(..80);
            let s: String = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            if let Some(id) = NotionId::from_id_or_url(&s) {
                assert_eq!(NotionId::parse(id.as_str()), Some(id.clone()), "{s}");
            }
        }
        for _ in 0..2_000 {
            let hex: String = (0..32)
                .map(|_| "0123456789abcdef".as_bytes()[rng.usize(..16)] as char)
                .collect();
            let id = NotionId::parse(&hex).unwrap();
            let upper = hex.to_uppercase();
            for form in [
                upper.clone(),
                id.to_string(),
                format!("https://www.notion.so/team/Some-Title-{hex}?v={hex}"),
                format!("notion.so/{hex}"),
            ] {
                assert_eq!(
                    NotionId::from_id_or_url(&form).as_ref(),
                    Some(&id),
                    "{form}"
                );
            }
        }
    }

    #[test]
    fn refuses_what_is_not_an_id() {
        for input in [
            "",
            "tasks",
            "248104cd477e80fdb757e945d38000b",
            "248104cd477e80fdb757e945d38000bdd",
            "248104cd477e80fdb757e945d38000bg",
            "248104cd-477e80fd-b757-e945d38000bd-",
            "https://example.com/248104cd477e80fdb757e945d38000bd",
            // Only a view ID in the query string: not the database.
            "https://www.notion.so/acme/Tasks?v=248104cd477e80fdb757e945d38000bd",
        ] {
            assert_eq!(NotionId::from_id_or_url(input), None, "{input}");
        }
    }
}
