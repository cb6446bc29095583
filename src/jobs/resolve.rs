//! Finds the data source a run works on and checks its schema: everything
//! that must hold before the first write.

use super::board::{DataSourceChoice, Source};
use super::rule::{self, did_you_mean, Plan, Rule};
use crate::notion::wire::{self, DataSource, Database};
use crate::notion::{NotionClient, NotionError};

/// The data source a run works on.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// `None` only when a data source ID was given and its parent was not named.
    pub(crate) database_id: Option<String>,
    pub(crate) data_source_id: String,
    /// The database's title, or the data source's when no database was looked up.
    pub(crate) name: String,
    pub(crate) source: DataSource,
}

/// Why nothing could be done; nothing was written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SetupError {
    #[error("{}", notion_setup_message(.during, .error, .token))]
    Notion {
        during: String,
        error: Box<NotionError>,
        /// Where the token came from, named when Notion refuses it.
        token: String,
    },
    #[error("database '{database}' has {} data sources; choose one with --data-source ID_OR_NAME: {}", .sources.len(), list_sources(.sources))]
    SeveralDataSources {
        database: String,
        sources: Vec<(String, String)>,
    },
    #[error("database '{database}' has no data source named '{wanted}'{hint}; its data sources: {}", list_sources(.sources))]
    NoSuchDataSource {
        database: String,
        wanted: String,
        hint: String,
        sources: Vec<(String, String)>,
    },
    #[error("database '{0}' has no data source to sweep")]
    NoDataSource(String),
    #[error("the schema of '{name}' does not fit the sweep:\n  - {}", .problems.join("\n  - "))]
    Schema { name: String, problems: Vec<String> },
    /// The schema does not fit another job than the sweep (`stale`, `digest`).
    #[error("the schema of '{name}' does not fit {job}:\n  - {}", .problems.join("\n  - "))]
    Unfit {
        name: String,
        /// The job, as a message names it: `the stale check`, `the digest`.
        job: &'static str,
        problems: Vec<String>,
    },
    #[error("{0} is a page, not a database: open the database itself in Notion and copy its link (••• menu → Copy link), or its ID")]
    IsAPage(String),
    /// Not Notion's doing nor the user's: the client could not be built.
    #[error("{0}")]
    Internal(String),
}

impl SetupError {
    /// The Notion error behind this, if any.
    pub(crate) fn notion(&self) -> Option<&NotionError> {
        match self {
            SetupError::Notion { error, .. } => Some(error),
            _ => None,
        }
    }

    /// A refusal that running again will not fix, rather than Notion out of reach.
    pub(crate) fn is_refusal(&self) -> bool {
        !matches!(self, SetupError::Internal(_))
            && self.notion().is_none_or(NotionError::is_refusal)
    }
}

fn list_sources(sources: &[(String, String)]) -> String {
    sources
        .iter()
        .map(|(id, name)| format!("'{name}' ({id})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A message that says what went wrong and what to do about it.
pub(crate) fn notion_setup_message(during: &str, error: &NotionError, token: &str) -> String {
    let refused = format!(
        "Notion refused the token: check that {token} holds the integration's current secret (ntn_…)"
    );
    let hint = match error.status() {
        Some(429) if error.is_blocked() => "Notion blocked this integration's requests (public_api_request_blocked) and nothing more was sent; Notion advises contacting its support (notion.so/help)",
        Some(401) => refused.as_str(),
        Some(403) => "the integration lacks a capability: enable Read content and Update content in its settings at notion.so/my-integrations",
        Some(404) => "it does not exist, or it is not shared with the integration: open the database in Notion, ••• menu → Connections → add your integration",
        Some(400)
            if error.code() == "missing_version"
                || error.code() == "invalid_request"
                || error.to_string().to_lowercase().contains("version") =>
        {
            "Notion did not accept the request: check --notion-version and --api-url"
        }
        _ => "",
    };
    if hint.is_empty() {
        format!("{during}: {error}")
    } else {
        format!("{during}: {hint}. {error}")
    }
}

/// Turns a Notion error met `during` a step into the setup error that says so.
pub(crate) fn failed(
    client: &NotionClient,
    during: String,
) -> impl FnOnce(NotionError) -> SetupError {
    let token = client.token_source().to_string();
    move |error| SetupError::Notion {
        during,
        error: Box::new(error),
        token,
    }
}

/// Finds the data source to sweep: `GET /v1/databases/{id}`, then `GET /v1/data_sources/{id}`.
pub(crate) async fn resolve(
    client: &NotionClient,
    source: &Source,
) -> Result<Resolved, SetupError> {
    let (database_id, database_name, source_id) = match (&source.data_source, &source.database) {
        (Some(DataSourceChoice::Id(id)), database) => (
            database.as_ref().map(|d| d.to_string()),
            None,
            id.to_string(),
        ),
        (choice, Some(database)) => match client.database(database.as_str()).await {
            Ok(db) => {
                let (name, id) = choose(&db, choice.as_ref())?;
                (Some(db.id.clone()), Some(name), id)
            }
            // A data source's ID given as the database (as the widely
            // copied script asks for): try it as what it is.
            Err(error) if error.status() == Some(404) && choice.is_none() => {
                match client.data_source(database.as_str()).await {
                    Ok(source) => {
                        tracing::warn!(
                            "{database} is a data source, not a database: it is swept as such; \
                             --data-source {database} names it directly"
                        );
                        return Ok(resolved_source(None, None, source));
                    }
                    // A page's ID (a task's link pasted as the database) is
                    // neither: say so rather than "not shared".
                    Err(_) if client.page_exists(database.as_str()).await.is_ok() => {
                        return Err(SetupError::IsAPage(database.to_string()));
                    }
                    Err(_) => {
                        return Err(failed(
                            client,
                            format!("could not open database {database}"),
                        )(error))
                    }
                }
            }
            Err(error) => {
                return Err(failed(
                    client,
                    format!("could not open database {database}"),
                )(error))
            }
        },
        (_, None) => {
            return Err(SetupError::Schema {
                name: String::new(),
                problems: vec!["no database or data source was given".into()],
            })
        }
    };
    let source = client.data_source(&source_id).await.map_err(failed(
        client,
        format!("could not open data source {source_id}"),
    ))?;
    Ok(resolved_source(database_id, database_name, source))
}

/// The run's data source, named after its database when that was looked up.
fn resolved_source(
    database_id: Option<String>,
    database_name: Option<String>,
    source: DataSource,
) -> Resolved {
    let source_title = wire::plain_text(&source.title);
    let database_id =
        database_id.or_else(|| source.parent.as_ref().and_then(|p| p.database_id.clone()));
    let name = database_name.unwrap_or_else(|| {
        if source_title.is_empty() {
            source.id.clone()
        } else {
            source_title
        }
    });
    Resolved {
        database_id,
        data_source_id: source.id.clone(),
        name,
        source,
    }
}

/// The database's name and the id of the data source to sweep in it.
fn choose(
    db: &Database,
    choice: Option<&DataSourceChoice>,
) -> Result<(String, String), SetupError> {
    let title = wire::plain_text(&db.title);
    let name = if title.is_empty() {
        db.id.clone()
    } else {
        title
    };
    let sources: Vec<(String, String)> = db
        .data_sources
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let id = match choice {
        Some(DataSourceChoice::Name(wanted)) => match sources.iter().find(|(_, n)| n == wanted) {
            Some((id, _)) => id.clone(),
            None => {
                let names: Vec<&str> = sources.iter().map(|(_, n)| n.as_str()).collect();
                return Err(SetupError::NoSuchDataSource {
                    database: name,
                    wanted: wanted.clone(),
                    hint: did_you_mean(wanted, &names),
                    sources,
                });
            }
        },
        _ => match sources.as_slice() {
            [] => return Err(SetupError::NoDataSource(name)),
            [(id, _)] => id.clone(),
            _ => {
                return Err(SetupError::SeveralDataSources {
                    database: name,
                    sources,
                })
            }
        },
    };
    Ok((name, id))
}

/// Resolves and checks the schema: everything that must hold before a write.
pub(crate) async fn prepare(
    client: &NotionClient,
    source: &Source,
    rule: &Rule,
) -> Result<(Resolved, Plan), SetupError> {
    let resolved = resolve(client, source).await?;
    let plan = rule::check(&resolved.source, rule).map_err(|problems| SetupError::Schema {
        name: resolved.name.clone(),
        problems,
    })?;
    Ok((resolved, plan))
}
