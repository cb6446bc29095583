//! Users as Notion sends them: the integration's bot, the sandbox's own
//! person (who made every object), the board's people and bots, with or
//! without their emails as the integration's capabilities allow, and the
//! partial user of an id that is no longer in the workspace.

use serde_json::{json, Value};

use crate::model::{derived_uuid, parse_id, User, UserKind};
use crate::workspace::{State, Workspace};

/// The sandbox's own person as a partial user: `created_by` and
/// `last_edited_by` of every object.
pub(crate) fn user() -> Value {
    json!({"object": "user", "id": derived_uuid(0, "sandbox-person")})
}

/// The sandbox's own person, always a member of the workspace.
pub(crate) fn person_user(emails: bool) -> Value {
    let mut u = user();
    u["name"] = json!("Sandbox Person");
    u["avatar_url"] = Value::Null;
    u["type"] = json!("person");
    u["person"] = if emails {
        json!({"email": "person@sandbox.invalid"})
    } else {
        json!({})
    };
    u
}

/// Id of the integration's bot user (`users.me`).
pub(crate) fn bot_id() -> String {
    derived_uuid(0, "sandbox-bot")
}

/// The integration itself, as `GET /v1/users/me` answers.
pub(crate) fn bot_user() -> Value {
    json!({
        "object": "user",
        "id": bot_id(),
        "name": "notion-sandbox",
        "avatar_url": null,
        "type": "bot",
        "bot": {
            "owner": {"type": "workspace", "workspace": true},
            "workspace_name": "Sandbox workspace",
            "workspace_limits": {"max_file_upload_size_in_bytes": 5_242_880}
        }
    })
}

/// A user of the board. Without the capability to read email addresses
/// a person's `person` is `{}`, as Notion sends it; another integration's
/// `bot` is `{}`.
pub(crate) fn user_json(u: &User, emails: bool) -> Value {
    let mut v = json!({
        "object": "user",
        "id": u.id,
        "name": u.name,
        "avatar_url": u.avatar_url,
    });
    match u.kind {
        UserKind::Person => {
            v["type"] = json!("person");
            v["person"] = match (&u.email, emails) {
                (Some(e), true) => json!({"email": e}),
                _ => json!({}),
            };
        }
        UserKind::Bot => {
            v["type"] = json!("bot");
            v["bot"] = json!({});
        }
    }
    v
}

/// The workspace's users as the integration may see them.
#[derive(Clone, Copy)]
pub(crate) struct Directory<'a> {
    pub(crate) users: &'a [User],
    /// May the integration read email addresses?
    pub(crate) emails: bool,
}

impl<'a> Directory<'a> {
    /// The users of the workspace's board, as this integration sees them.
    pub(crate) fn of(ws: &Workspace, st: &'a State) -> Directory<'a> {
        Directory {
            users: &st.board.users,
            emails: ws.user_emails,
        }
    }

    /// Every user, as `GET /v1/users` lists them: the bot, the sandbox's
    /// person, then the board's users in board order.
    pub(crate) fn all(&self) -> Vec<Value> {
        let mut out = vec![bot_user(), person_user(self.emails)];
        out.extend(self.users.iter().map(|u| user_json(u, self.emails)));
        out
    }

    /// A user by id, as a `people` value shows it: the whole user, or only
    /// `object` and `id` for one who is not in the workspace (any more).
    pub(crate) fn person(&self, id: &str) -> Value {
        let key = parse_id(id);
        self.all()
            .into_iter()
            .find(|u| u["id"].as_str().and_then(parse_id) == key)
            .unwrap_or_else(|| json!({"object": "user", "id": id}))
    }

    /// Is this id a user of the workspace?
    pub(crate) fn knows(&self, key: u128) -> bool {
        self.all()
            .iter()
            .any(|u| u["id"].as_str().and_then(parse_id) == Some(key))
    }
}
