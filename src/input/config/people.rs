//! `[people]`: Notion users, by ID or email, and who they are in each
//! channel, so that messages mention a task's owners. Every identity is
//! checked for its service's shape; a mistake names the key, never the value.

use toml::Value;

use crate::input::UsageError;
use crate::jobs::board::{ChatIds, People, PersonKey};
use crate::notion::ids::NotionId;

/// The `[people]` table, or none.
pub(super) fn read(table: Option<Value>, file: &str) -> Result<People, UsageError> {
    let Some(table) = table else {
        return Ok(People::default());
    };
    let Value::Table(table) = table else {
        return Err(UsageError::config(format!(
            "{file}: 'people' must be a table: [people.\"ada@acme.com\"] with slack, discord or teams"
        )));
    };
    let mut people = Vec::new();
    for (key, ids) in table {
        let place = format!("{file}: [people.\"{key}\"]");
        let person = person_key(&key).ok_or_else(|| {
            UsageError::config(format!(
                "{place}: a person is named by a Notion user ID (32 hex digits) or an email"
            ))
        })?;
        let Value::Table(ids) = ids else {
            return Err(UsageError::config(format!(
                "{place} must be a table of slack, discord and teams"
            )));
        };
        let mut chat = ChatIds::default();
        for (service, value) in ids {
            let Value::String(value) = value else {
                return Err(UsageError::config(format!(
                    "{place}: '{service}' must be text"
                )));
            };
            let value = value.trim().to_string();
            let (slot, fits, shape) = match service.as_str() {
                "slack" => (
                    &mut chat.slack,
                    slack(&value),
                    "a Slack member ID such as U012AB3CD",
                ),
                "discord" => (
                    &mut chat.discord,
                    discord(&value),
                    "a Discord user ID such as 80351110224678912",
                ),
                "teams" => (
                    &mut chat.teams,
                    teams(&value),
                    "a Microsoft user principal name such as ada@acme.com, or an Entra object ID",
                ),
                other => {
                    return Err(UsageError::config(format!(
                        "{place}: unknown key '{other}'; the keys are slack, discord, teams"
                    )))
                }
            };
            if !fits {
                // The value is not shown: a mistake may have put a secret there.
                return Err(UsageError::config(format!(
                    "{place}: '{service}' is not {shape} (value not shown)"
                )));
            }
            *slot = Some(value);
        }
        people.push((person, chat));
    }
    Ok(People(people))
}

/// A Notion user ID or an email.
fn person_key(key: &str) -> Option<PersonKey> {
    let key = key.trim();
    if let Some(id) = NotionId::parse(key) {
        return Some(PersonKey::Id(id.to_string()));
    }
    let (user, domain) = key.split_once('@')?;
    (!user.is_empty() && domain.contains('.') && !key.contains(char::is_whitespace))
        .then(|| PersonKey::Email(key.to_lowercase()))
}

/// A Slack member ID: `U` or `W`, then upper-case letters and digits.
fn slack(value: &str) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some('U' | 'W'))
        && value.len() >= 7
        && value.len() <= 15
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A Discord user ID: a snowflake, 17 to 20 digits.
fn discord(value: &str) -> bool {
    (17..=20).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// A user principal name (an email-like name) or an Entra object ID (a GUID).
fn teams(value: &str) -> bool {
    let guid = value.len() == 36
        && value.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let upn = value
        .split_once('@')
        .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
        && !value.contains(|c: char| c.is_whitespace() || c == '<' || c == '>');
    guid || upn
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(text: &str) -> Result<People, String> {
        let table: toml::Table = text.parse().unwrap();
        read(table.get("people").cloned(), "boards.toml").map_err(|e| e.to_string())
    }

    #[test]
    fn people_are_read_by_id_or_email_with_each_identity_checked() {
        let found = people(
            "[people.\"Ada@Acme.com\"]\nslack = 'U012AB3CD'\ndiscord = '80351110224678912'\nteams = 'ada@acme.com'\n\
             [people.\"2f26ee68df304251aad48ddc420cba3d\"]\nteams = '0f8fad5b-d9cb-469f-a165-70867728950e'\n",
        )
        .unwrap();
        let ada = found.of("x", Some("ada@ACME.com")).unwrap();
        assert_eq!(ada.slack.as_deref(), Some("U012AB3CD"));
        assert_eq!(ada.discord.as_deref(), Some("80351110224678912"));
        let by_id = found
            .of("2f26ee68-df30-4251-aad4-8ddc420cba3d", None)
            .unwrap();
        assert!(by_id.teams.is_some() && by_id.slack.is_none());
        assert!(found.of("someone-else", Some("bob@acme.com")).is_none());
    }

    #[test]
    fn a_wrong_value_names_the_key_and_never_the_value() {
        for (text, says) in [
            ("[people.\"ada@acme.com\"]\nslack = '<!channel>'\n", "'slack' is not a Slack member ID"),
            ("[people.\"ada@acme.com\"]\ndiscord = 'https://hooks.slack.com/services/T/B/secret'\n", "'discord' is not a Discord user ID"),
            ("[people.\"ada@acme.com\"]\nteams = 'ada'\n", "'teams' is not a Microsoft"),
            ("[people.\"ada@acme.com\"]\nemail = 'x'\n", "unknown key 'email'"),
            ("[people.ada]\nslack = 'U012AB3CD'\n", "[people.\"ada\"]: a person is named by"),
        ] {
            let error = people(text).unwrap_err();
            assert!(error.contains(says), "{text}: {error}");
            assert!(!error.contains("secret") && !error.contains("<!channel>"), "{error}");
        }
    }
}
