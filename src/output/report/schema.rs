//! What `schema` found, for people and for machines.

use super::{escape_markdown, json, plural, Format};
use crate::jobs::schema::{PropertyReport, SchemaReport};

/// Renders what `schema` found.
pub(crate) fn render_schema(schema: &SchemaReport, format: Format) -> String {
    let options = |p: &PropertyReport| {
        p.options.as_ref().map(|o| {
            o.iter()
                .map(|o| format!("'{o}'"))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    let count = schema.data_sources.len();
    match format {
        Format::Json => json(schema),
        Format::Text => {
            let mut out = String::new();
            if let (Some(title), Some(id)) = (&schema.title, &schema.database_id) {
                out.push_str(&format!(
                    "Database '{title}' ({id}): {count} data {}\n",
                    plural(count, "source")
                ));
            }
            for source in &schema.data_sources {
                out.push_str(&format!(
                    "\nData source '{}' ({})\n",
                    source.name, source.id
                ));
                for p in &source.properties {
                    match options(p) {
                        Some(o) => {
                            out.push_str(&format!("  {:<24} {:<10} options: {o}\n", p.name, p.kind))
                        }
                        None => out.push_str(&format!("  {:<24} {}\n", p.name, p.kind)),
                    }
                }
            }
            out
        }
        Format::Markdown => {
            let mut out = String::new();
            if let (Some(title), Some(id)) = (&schema.title, &schema.database_id) {
                out.push_str(&format!(
                    "### Database {} (`{id}`)\n",
                    escape_markdown(title)
                ));
            }
            for source in &schema.data_sources {
                out.push_str(&format!(
                    "\n#### Data source {} (`{}`)\n\n| Property | Type | Options |\n|---|---|---|\n",
                    escape_markdown(&source.name),
                    source.id
                ));
                for p in &source.properties {
                    out.push_str(&format!(
                        "| {} | {} | {} |\n",
                        escape_markdown(&p.name),
                        p.kind,
                        escape_markdown(&options(p).unwrap_or_default())
                    ));
                }
            }
            out
        }
    }
}
