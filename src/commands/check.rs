//! `notion-sweep check`: everything a sweep would verify, plus one query to
//! prove that Notion accepts the filter. Writes nothing.

use clap::ArgMatches;
use serde_json::json;

use super::{boards, print, report_setup_error};
use crate::cli::CheckArgs;
use crate::notion::wire::QueryBody;
use crate::notion::NotionClient;
use crate::report::{render_check, CheckReport};
use crate::resolve::{self, SetupError};
use crate::settings::{CheckSettings, Env, UsageError};
use crate::stop::Stop;
use crate::summary::Exit;

/// Checks and prints what a sweep would use, for one board or every board of `--config`.
pub(super) async fn run(
    args: &CheckArgs,
    given: &ArgMatches,
    env: Env<'_>,
) -> Result<Exit, UsageError> {
    if args.board.config.config.is_some() {
        let boards = boards::prepare(
            &args.board.config,
            "check",
            given,
            env,
            CheckSettings::from_args,
        )?;
        let mut results = Vec::new();
        for (name, settings, stop) in &boards {
            results.push((name.clone(), check(settings, stop).await?));
        }
        return Ok(super::print_boards(
            results,
            args.output.into(),
            render_check,
        ));
    }
    let settings = CheckSettings::from_args(args, env)?;
    super::guard_secrets(&settings.client, &[]);
    let stop = Stop::default();
    stop.on_signals();
    Ok(match check(&settings, &stop).await? {
        Ok(check) => {
            print(&render_check(&check, settings.output));
            Exit::Done
        }
        Err(error) => report_setup_error(&error, settings.output),
    })
}

/// What a sweep would use, or why it could not run.
async fn check(
    settings: &CheckSettings,
    stop: &Stop,
) -> Result<Result<CheckReport, SetupError>, UsageError> {
    let client = NotionClient::new(settings.client.clone(), stop.clone())
        .map_err(|e| UsageError(e.to_string()))?;
    let rule = &settings.rule;
    let (resolved, plan) = match resolve::prepare(&client, &settings.target, rule).await {
        Ok(ready) => ready,
        Err(error) => return Ok(Err(error)),
    };
    let overdue = rule.overdue();
    let filter = overdue.filter(&plan, None);
    let probe = QueryBody {
        filter: filter.clone(),
        sorts: overdue.sorts(&plan),
        start_cursor: None,
        page_size: 1,
    };
    let properties = vec![plan.title.id.clone()];
    let candidates = match client
        .query(&resolved.data_source_id, &probe, &properties)
        .await
    {
        Ok((page, _)) => !page.results.is_empty(),
        Err(error) => {
            return Ok(Err(SetupError::Notion {
                during: "Notion refused the overdue filter".into(),
                error: Box::new(error),
            }));
        }
    };
    let check = CheckReport {
        ok: true,
        database_id: resolved.database_id,
        data_source_id: resolved.data_source_id,
        name: resolved.name,
        status_property: json!({ "id": plan.status.id, "name": plan.status.name, "type": plan.status_kind.key() }),
        date_property: json!(plan.date),
        from: plan.from,
        to: plan.to,
        as_of: rule.as_of,
        tz: rule.tz.name().to_string(),
        filter,
        candidates,
        notify: settings.notify.clone(),
        requests: client.counts(),
    };
    Ok(Ok(check))
}
