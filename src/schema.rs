//! Checks a data source's schema against the rule before anything is written,
//! and names what the sweep will use.

use crate::notion::wire::{DataSource, PropertyConfig};
use crate::settings::Rule;

/// How the status property is typed: it decides the filter and write keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusKind {
    Status,
    Select,
}

impl StatusKind {
    /// The key Notion expects in filters and values for this type.
    pub fn key(self) -> &'static str {
        match self {
            StatusKind::Status => "status",
            StatusKind::Select => "select",
        }
    }
}

/// A property the sweep reads or writes, by the ID Notion gave it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PropertyRef {
    pub id: String,
    pub name: String,
}

/// What a sweep of one data source uses, after the schema was checked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    pub status: PropertyRef,
    pub status_kind: StatusKind,
    pub date: PropertyRef,
    pub title: PropertyRef,
    pub from: Vec<String>,
    pub to: String,
}

/// Checks every rule at once so one run names every problem.
pub fn check(source: &DataSource, rule: &Rule) -> Result<Plan, Vec<String>> {
    let mut problems = Vec::new();
    let props: Vec<&PropertyConfig> = source.properties.values().collect();
    let find = |name: &str| props.iter().copied().find(|p| p.name == name);
    let prop_names: Vec<&str> = props.iter().map(|p| p.name.as_str()).collect();
    let missing_property = |name: &str, wanted: &str, flag: &str| {
        format!(
            "the data source has no property '{name}'{}; pass {flag} with the name of its {wanted} property (properties: {})",
            did_you_mean(name, &prop_names),
            quoted_list(&prop_names)
        )
    };

    let mut status = None;
    match find(&rule.status_property) {
        None => problems.push(missing_property(
            &rule.status_property,
            "status or select",
            "--status-property",
        )),
        Some(p) => {
            let (kind, options) = match p.kind.as_str() {
                "status" => (
                    Some(StatusKind::Status),
                    p.status.clone().unwrap_or_default(),
                ),
                "select" => (
                    Some(StatusKind::Select),
                    p.select.clone().unwrap_or_default(),
                ),
                other => {
                    problems.push(format!(
                        "property '{}' is of type {other}; the status property must be of type status or select",
                        p.name
                    ));
                    (None, Default::default())
                }
            };
            if let Some(kind) = kind {
                let names: Vec<&str> = options.options.iter().map(|o| o.name.as_str()).collect();
                for wanted in rule.from.iter().chain(std::iter::once(&rule.to)) {
                    if !names.contains(&wanted.as_str()) {
                        let flag = if *wanted == rule.to { "--to" } else { "--from" };
                        problems.push(format!(
                            "property '{}' has no option '{wanted}' (given by {flag}){}; its options are {}",
                            p.name,
                            did_you_mean(wanted, &names),
                            quoted_list(&names)
                        ));
                    }
                }
                status = Some((
                    PropertyRef {
                        id: p.id.clone(),
                        name: p.name.clone(),
                    },
                    kind,
                ));
            }
        }
    }

    let mut date = None;
    match find(&rule.date_property) {
        None => problems.push(missing_property(
            &rule.date_property,
            "date",
            "--date-property",
        )),
        Some(p) if p.kind != "date" => problems.push(format!(
            "property '{}' is of type {}; the due date property must be of type date",
            p.name, p.kind
        )),
        Some(p) => {
            date = Some(PropertyRef {
                id: p.id.clone(),
                name: p.name.clone(),
            })
        }
    }

    let title = props
        .iter()
        .find(|p| p.kind == "title")
        .map(|p| PropertyRef {
            id: p.id.clone(),
            name: p.name.clone(),
        });
    if title.is_none() {
        problems.push("the data source has no title property".to_string());
    }

    match (status, date, title) {
        (Some((status, status_kind)), Some(date), Some(title)) if problems.is_empty() => Ok(Plan {
            status,
            status_kind,
            date,
            title,
            from: rule.from.clone(),
            to: rule.to.clone(),
        }),
        _ => Err(problems),
    }
}

/// `, did you mean 'x'?` for a near miss: the same but for case, or one or two edits away.
pub fn did_you_mean(wanted: &str, candidates: &[&str]) -> String {
    let wanted_lower = wanted.to_lowercase();
    let best = candidates
        .iter()
        .map(|c| {
            let distance = if c.to_lowercase() == wanted_lower {
                0
            } else {
                edit_distance(&wanted_lower, &c.to_lowercase())
            };
            (distance, *c)
        })
        .filter(|(d, c)| *d <= 2 && *d < c.chars().count().max(1))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((_, c)) => format!(" (did you mean '{c}'?)"),
        None => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(here)
            };
            previous = here;
        }
    }
    row[b.len()]
}

fn quoted_list(names: &[&str]) -> String {
    if names.is_empty() {
        return "(none)".into();
    }
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_named() {
        assert_eq!(
            did_you_mean("overdue", &["To Do", "Overdue"]),
            " (did you mean 'Overdue'?)"
        );
        assert_eq!(
            did_you_mean("To-Do", &["To Do", "Done"]),
            " (did you mean 'To Do'?)"
        );
        assert_eq!(did_you_mean("Due", &["Due Date", "Name"]), "");
        assert_eq!(did_you_mean("Late", &["To Do", "Done"]), "");
    }
}
