//! `notion-sweep schema`: the database's data sources, their properties
//! with types, and the options of every status and select property.

use clap::ArgMatches;

use super::{boards, print, report_setup_error};
use crate::cli::SchemaArgs;
use crate::notion::wire::{self, DataSource};
use crate::notion::{NotionClient, NotionError};
use crate::report::{render_schema, PropertyReport, SchemaReport, SourceReport};
use crate::resolve::{DataSourceChoice, SetupError, Target};
use crate::settings::{Env, SchemaSettings, UsageError};
use crate::stop::Stop;
use crate::summary::Exit;

/// Reads and prints the schema, of one board or every board of `--config`.
pub(super) async fn run(
    args: &SchemaArgs,
    given: &ArgMatches,
    env: Env<'_>,
) -> Result<Exit, UsageError> {
    if args.board.config.config.is_some() {
        let boards = boards::prepare(
            &args.board.config,
            "schema",
            given,
            env,
            SchemaSettings::from_args,
        )?;
        let mut results = Vec::new();
        for (name, settings, stop) in &boards {
            results.push((name.clone(), schema(settings, stop.clone()).await?));
        }
        return Ok(super::print_boards(
            results,
            args.output.into(),
            render_schema,
        ));
    }
    let settings = SchemaSettings::from_args(args, env)?;
    super::guard_secrets(&settings.client, &[]);
    let stop = Stop::default();
    stop.on_signals();
    Ok(match schema(&settings, stop).await? {
        Ok(schema) => {
            print(&render_schema(&schema, settings.output));
            Exit::Done
        }
        Err(error) => report_setup_error(&error, settings.output),
    })
}

/// The schema, or why it could not be read.
async fn schema(
    settings: &SchemaSettings,
    stop: Stop,
) -> Result<Result<SchemaReport, SetupError>, UsageError> {
    let client =
        NotionClient::new(settings.client.clone(), stop).map_err(|e| UsageError(e.to_string()))?;
    let (title, sources) = match gather(&client, &settings.target).await {
        Ok(found) => found,
        Err(error) => return Ok(Err(error)),
    };
    Ok(Ok(SchemaReport {
        database_id: settings.target.database.as_ref().map(|d| d.to_string()),
        title,
        data_sources: sources.iter().map(describe).collect(),
    }))
}

fn failed(during: String) -> impl FnOnce(NotionError) -> SetupError {
    move |error| SetupError::Notion {
        during,
        error: Box::new(error),
    }
}

/// The database's title (when it was looked up) and the data sources asked for.
async fn gather(
    client: &NotionClient,
    target: &Target,
) -> Result<(Option<String>, Vec<DataSource>), SetupError> {
    let (title, ids) = match (&target.data_source, &target.database) {
        (Some(DataSourceChoice::Id(id)), _) => (None, vec![id.to_string()]),
        (choice, Some(database)) => {
            let db = client
                .database(database.as_str())
                .await
                .map_err(failed(format!("could not open database {database}")))?;
            let wanted = match choice {
                Some(DataSourceChoice::Name(name)) => Some(name),
                _ => None,
            };
            let ids = db
                .data_sources
                .iter()
                .filter(|s| wanted.is_none_or(|w| *w == s.name))
                .map(|s| s.id.clone())
                .collect();
            (Some(wire::plain_text(&db.title)), ids)
        }
        (_, None) => (None, Vec::new()),
    };
    let mut sources = Vec::new();
    for id in ids {
        sources.push(
            client
                .data_source(&id)
                .await
                .map_err(failed(format!("could not open data source {id}")))?,
        );
    }
    Ok((title, sources))
}

fn describe(source: &DataSource) -> SourceReport {
    SourceReport {
        id: source.id.clone(),
        name: wire::plain_text(&source.title),
        properties: source
            .properties
            .values()
            .map(|p| PropertyReport {
                name: p.name.clone(),
                id: p.id.clone(),
                kind: p.kind.clone(),
                options: p
                    .status
                    .as_ref()
                    .or(p.select.as_ref())
                    .map(|o| o.options.iter().map(|o| o.name.clone()).collect()),
            })
            .collect(),
    }
}
