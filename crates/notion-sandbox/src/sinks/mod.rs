//! Webhook sinks beside the fake Notion: Slack incoming webhooks, Discord
//! webhooks, Teams Workflows triggers and a generic JSON endpoint, each
//! answering as the service does (see docs/sandbox.md, "Webhook sinks").
//! Every body received is recorded, accepted or refused.

mod answers;
mod inbox;
mod kinds;
#[cfg(test)]
mod tests;
mod text;

pub(crate) use inbox::Sinks;
pub use kinds::{
    SinkKind, SinkReply, DISCORD_PATH, JSON_PATH, SLACK_PATH, TEAMS_PATH, TEAMS_QUERY,
};
