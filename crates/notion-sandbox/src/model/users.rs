//! The workspace's users: people (a name and an email) and bots, as a
//! board lists them. `people` values of pages name them by id.

use serde::{Deserialize, Serialize};

use super::ids::{derived_uuid, normalize_id};

/// A person or a bot of the workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// UUID (dashes optional in JSON; normalized to dashed lowercase).
    pub id: String,
    /// The name Notion shows.
    pub name: String,
    /// `"person"` or `"bot"`.
    #[serde(rename = "type", default)]
    pub kind: UserKind,
    /// A person's email (Notion sends it only to an integration with the
    /// capability to read user information including email addresses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar image URL, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// The two kinds of user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    /// A member of the workspace.
    #[default]
    Person,
    /// An integration.
    Bot,
}

impl User {
    /// A person with a name and an email; the id is derived from the email,
    /// so the same email gives the same id on every board.
    pub fn person(name: &str, email: &str) -> User {
        User {
            id: derived_uuid(0x9e0, &email.to_lowercase()),
            name: name.to_string(),
            kind: UserKind::Person,
            email: Some(email.to_string()),
            avatar_url: None,
        }
    }

    /// A bot (another integration of the workspace); the id is derived from
    /// the name.
    pub fn bot(name: &str) -> User {
        User {
            id: derived_uuid(0xb07, name),
            name: name.to_string(),
            kind: UserKind::Bot,
            email: None,
            avatar_url: None,
        }
    }

    /// Does `key` name this user: its id (with or without dashes) or its
    /// email (any case)?
    pub fn is(&self, key: &str) -> bool {
        match normalize_id(key) {
            Some(id) => id == self.id,
            None => self
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(key)),
        }
    }
}

/// The id a people value names: a user's email, or any id (a user who is
/// not, or no longer, in the workspace is shown by id alone, as at Notion).
pub(crate) fn person_id(users: &[User], key: &str) -> Option<String> {
    match users.iter().find(|u| u.is(key)) {
        Some(u) => Some(u.id.clone()),
        None => normalize_id(key),
    }
}
