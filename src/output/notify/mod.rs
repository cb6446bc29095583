//! The summary a channel gets: one message per run and channel, built from
//! a [`Summary`] (`message` says what every channel says; `slack`,
//! `discord` and `teams` each say it in their service's shape; a JSON
//! channel gets the report document) and posted at most once to each
//! webhook (`post`). A run of `stale`, `digest` or `undo` says its own
//! (`stale`, `digest`, `undo`) as parts (`said`), which each service
//! shapes the same way.

mod digest;
mod discord;
mod message;
mod post;
mod said;
mod slack;
mod stale;
mod teams;
mod undo;

use serde_json::{json, Value};

use crate::guards::scrub;
use crate::guards::stop::Stop;
use crate::jobs::board::{Channel, ChannelKind, Notify, People};
use crate::jobs::digest::Digest;
use crate::jobs::run::Run;
use crate::jobs::stale::Stale;
use crate::jobs::summary::{
    Notification, NotificationStatus, RunErrorKind, Summary, TargetNotification,
};
use crate::jobs::undo::Undo;
use crate::output::report;
use crate::output::report::run::Found;
use post::{post, PostError};
use said::Said;

/// Posts the summary to every channel when one is due (not for a dry run,
/// `--no-notify`, a run that stopped before its sweep began (locked out,
/// interrupted while it waited) or that Notion refused before its first
/// write (nothing changed: no news), or one with nothing to say
/// unless `--notify-empty`), and records in the
/// summary how each went.
pub(crate) async fn post_summary(summary: &mut Summary, notify: &Notify, stop: &Stop) {
    // Moves, restores and tasks due soon are each worth saying.
    let nothing_to_say = summary.matched == 0 && summary.due_soon == 0 && summary.error.is_none();
    let refused = summary
        .error
        .as_ref()
        .is_some_and(|e| e.kind == RunErrorKind::Setup);
    let skip = !summary.started
        || refused
        || notify.disabled
        || summary.dry_run
        || (nothing_to_say && !notify.when_empty);
    summary.notifications = if skip {
        unsent(&notify.channels, NotificationStatus::Skipped)
    } else {
        deliver(
            &notify.channels,
            |kind| body(kind, summary, &notify.people),
            stop,
        )
        .await
    };
    summary.notification = Notification::of_targets(&summary.notifications);
}

/// The message a channel of `kind` gets for this run.
fn message(kind: ChannelKind, summary: &Summary, people: &People) -> Value {
    match kind {
        ChannelKind::Slack => slack::message(summary, people),
        ChannelKind::Discord => discord::message(summary, people),
        ChannelKind::Teams => teams::message(summary, people),
        ChannelKind::Json => report_document(summary),
    }
}

/// The body posted to a channel of `kind`: its message, scrubbed of the
/// run's secrets like everything else that leaves the process (a title may
/// hold the token or a webhook URL).
fn body(kind: ChannelKind, summary: &Summary, people: &People) -> String {
    scrub::redacted(&message(kind, summary, people).to_string())
}

/// The report document (`--output json`) as it stands before any
/// notification is sent: without `notification` and `notifications`.
fn report_document(summary: &Summary) -> Value {
    let mut document =
        serde_json::to_value(report::document(summary)).unwrap_or_else(|_| json!({}));
    if let Some(fields) = document.as_object_mut() {
        fields.remove("notification");
        fields.remove("notifications");
    }
    document
}

/// Posts a stale run's escalation to every channel when one is due: when
/// it found stale tasks or stopped early after it began (never for a dry
/// run, `--no-notify`, or a run Notion refused); records how each went.
pub(crate) async fn post_stale(run: &mut Run<Stale>, notify: &Notify, stop: &Stop) {
    let anything = run.found.matched > 0 || run.error.is_some();
    let said = stale::said(run, &notify.people);
    post_run(run, said, anything, notify, stop).await;
}

/// Posts a digest to every channel (never for a dry run, `--no-notify`,
/// or a digest Notion refused): a digest always has counts to say.
pub(crate) async fn post_digest(run: &mut Run<Digest>, notify: &Notify, stop: &Stop) {
    let said = digest::said(run, &notify.people);
    post_run(run, said, true, notify, stop).await;
}

/// Posts what an undo moved back to every channel, when it moved any
/// back (never for a dry run, `--no-notify`, or a run Notion refused).
pub(crate) async fn post_undo(run: &mut Run<Undo>, notify: &Notify, stop: &Stop) {
    let anything = run.found.undone > 0;
    let said = undo::said(run);
    post_run(run, said, anything, notify, stop).await;
}

/// Posts what a run says, when `anything` is worth saying and the run
/// may post; records how each channel went.
async fn post_run<T: Found>(
    run: &mut Run<T>,
    said: Said,
    anything: bool,
    notify: &Notify,
    stop: &Stop,
) {
    let skip = !run.started || run.refused() || notify.disabled || run.dry_run || !anything;
    run.notifications = if skip {
        unsent(&notify.channels, NotificationStatus::Skipped)
    } else {
        let document =
            serde_json::to_string(&report::run::posted(run)).unwrap_or_else(|_| "{}".into());
        let payload = |kind| {
            let message = match kind {
                ChannelKind::Slack => slack::said(&said),
                ChannelKind::Discord => discord::said(&said),
                ChannelKind::Teams => teams::said(&said),
                ChannelKind::Json => return scrub::redacted(&document),
            };
            scrub::redacted(&message.to_string())
        };
        deliver(&notify.channels, payload, stop).await
    };
    run.notification = Notification::of_targets(&run.notifications);
}

/// Posts this run's message (`payload` gives the body for each kind of
/// channel) to every channel at once, each at most once; one failing does
/// not stop the others. The outcomes are in channel order.
async fn deliver(
    channels: &[Channel],
    payload: impl Fn(ChannelKind) -> String,
    stop: &Stop,
) -> Vec<TargetNotification> {
    let posts: Vec<_> = channels
        .iter()
        .map(|channel| {
            let (channel, stop) = (channel.clone(), stop.clone());
            let payload = payload(channel.kind);
            tokio::spawn(async move { post(&channel, payload, &stop).await })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(channels.len());
    for (channel, posted) in channels.iter().zip(posts) {
        let posted = posted.await.unwrap_or_else(|_| {
            Err(PostError::Connection(
                "the post ended in an internal error".into(),
            ))
        });
        let kind = channel.kind;
        outcomes.push(match posted {
            Ok(()) => outcome(kind, NotificationStatus::Sent, None),
            Err(error) => {
                // Said once, where the run's result is: the headline, or
                // the summary line on standard error for machine output.
                tracing::info!(
                    "the summary could not be posted to {}: {error}",
                    kind.service()
                );
                outcome(kind, NotificationStatus::Failed, Some(error.to_string()))
            }
        });
    }
    outcomes
}

/// Every channel with the same status, nothing posted.
fn unsent(channels: &[Channel], status: NotificationStatus) -> Vec<TargetNotification> {
    channels
        .iter()
        .map(|c| outcome(c.kind, status, None))
        .collect()
}

fn outcome(
    kind: ChannelKind,
    status: NotificationStatus,
    error: Option<String>,
) -> TargetNotification {
    TargetNotification {
        kind,
        status,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::summary::example;

    /// Pieces that make a mention, a ping or markup in one service or another.
    const HOSTILE: [&str; 12] = [
        "@everyone",
        "@here",
        "<!channel>",
        "<!here|here>",
        "<@U999ZZZ99>",
        "<@80351110224678999>",
        "<@&1234567890123456789>",
        "<at>Boss</at>",
        "</at>",
        "[x](https://evil.example)",
        "*bold* _it_ `code`",
        "\\<@1>",
    ];

    fn hostile(rng: &mut fastrand::Rng) -> String {
        (0..rng.usize(1..4))
            .map(|_| HOSTILE[rng.usize(..HOSTILE.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn no_title_or_name_can_make_a_mention_in_any_channel() {
        let people = example::people();
        let mut rng = fastrand::Rng::with_seed(0x6d65);
        for _ in 0..300 {
            let mut summary = example::with_owners();
            for task in &mut summary.tasks {
                task.title = hostile(&mut rng);
                for owner in task.assignees.iter_mut().flatten() {
                    if owner.name != "Ada Lovelace" || rng.bool() {
                        owner.name = hostile(&mut rng);
                    }
                }
            }
            let mapped: usize = summary
                .tasks
                .iter()
                .flat_map(|t| t.assignees.iter().flatten())
                .filter(|p| p.email.as_deref() == Some("ada@acme.com"))
                .count();
            let slack = slack::message(&summary, &people)["text"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(slack.matches("<@").count(), mapped, "{slack}");
            assert_eq!(slack.matches("<@U012AB3CD>").count(), mapped, "{slack}");
            assert!(!slack.contains("<!"), "{slack}");
            let discord = discord::message(&summary, &people);
            let allowed = &discord["allowed_mentions"];
            assert_eq!(allowed["parse"], serde_json::json!([]));
            let users = allowed["users"].as_array().cloned().unwrap_or_default();
            assert!(users.iter().all(|u| u == "80351110224678912"), "{users:?}");
            let teams = teams::message(&summary, &people);
            let content = &teams["attachments"][0]["content"];
            let texts: String = content["body"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|b| b["text"].as_str())
                .collect();
            let entities = content["msteams"]["entities"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert_eq!(texts.matches("<at>").count(), mapped, "{texts}");
            for entity in &entities {
                assert_eq!(entity["mentioned"]["id"], "ada@acme.com");
                assert!(texts.contains(entity["text"].as_str().unwrap()));
            }
        }
    }
}
