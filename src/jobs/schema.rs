//! `schema`: a database's data sources, their properties with types, and
//! the options of every status and select property.

use serde::Serialize;

use super::board::{Board, DataSourceChoice, Source};
use super::resolve::{failed, SetupError};
use crate::guards::stop::Stop;
use crate::notion::wire::{self, DataSource};
use crate::notion::NotionClient;

/// What `schema` found.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SchemaReport {
    pub(crate) database_id: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) data_sources: Vec<SourceReport>,
}

/// One data source, as `schema` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SourceReport {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) properties: Vec<PropertyReport>,
}

/// One property of a data source, as `schema` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PropertyReport {
    pub(crate) name: String,
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) options: Option<Vec<String>>,
}

/// The schema of `board`'s database, or why it could not be read.
pub(crate) async fn schema(board: &Board, stop: &Stop) -> Result<SchemaReport, SetupError> {
    let client = NotionClient::new(board.client.clone(), stop.clone())
        .map_err(|e| SetupError::Internal(e.to_string()))?;
    let (title, sources) = gather(&client, &board.source).await?;
    Ok(SchemaReport {
        database_id: board.source.database.as_ref().map(|d| d.to_string()),
        title,
        data_sources: sources.iter().map(describe).collect(),
    })
}

/// The database's title (when it was looked up) and the data sources asked for.
async fn gather(
    client: &NotionClient,
    source: &Source,
) -> Result<(Option<String>, Vec<DataSource>), SetupError> {
    let (title, ids) = match (&source.data_source, &source.database) {
        (Some(DataSourceChoice::Id(id)), _) => (None, vec![id.to_string()]),
        (choice, Some(database)) => {
            let db = client.database(database.as_str()).await.map_err(failed(
                client,
                format!("could not open database {database}"),
            ))?;
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
                .map_err(failed(client, format!("could not open data source {id}")))?,
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
