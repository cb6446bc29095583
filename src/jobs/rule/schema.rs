//! The schema check: every property and option the rule names exists,
//! with a type the sweep can use, before anything is written (and what
//! `stale` and `digest` read: `columns`). Every problem is named at once,
//! each with its near miss.

use super::{Exempt, ExemptKind, ExemptRef, GivenBy, Plan, PropertyRef, Rule, StatusKind};
use crate::notion::wire::{DataSource, PropertyConfig};

/// The people property read for owners when none is named.
const DEFAULT_ASSIGNEE: &str = "Assignee";

/// Checks every rule at once so one run names every problem.
pub(crate) fn check(source: &DataSource, rule: &Rule) -> Result<Plan, Vec<String>> {
    let schema = Schema::of(source);
    let mut problems = Vec::new();
    let status = schema
        .property(
            &rule.status_property,
            "status or select",
            &rule.given_by.of("status_property"),
            &mut problems,
        )
        .and_then(|p| check_status(p, rule, &mut problems));
    let date = schema
        .property(
            &rule.date_property,
            "date",
            &rule.given_by.of("date_property"),
            &mut problems,
        )
        .and_then(|p| typed(p, "date", "the due date property", &mut problems));
    let snooze = rule.snooze_property.as_deref().and_then(|name| {
        schema
            .property(
                name,
                "date",
                &rule.given_by.of("snooze_property"),
                &mut problems,
            )
            .and_then(|p| typed(p, "date", "the snooze property", &mut problems))
    });
    let exempt: Vec<ExemptRef> = rule
        .exempt
        .iter()
        .filter_map(|e| check_exempt(&schema, e, &rule.given_by.of("exempt"), &mut problems))
        .collect();
    let assignee = assignee(
        &schema,
        rule.assignee_property.as_deref(),
        &rule.given_by,
        &mut problems,
    );
    let title = schema
        .props
        .iter()
        .find(|p| p.kind == "title")
        .map(|p| reference(p));
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
            restore_to: rule.restore_to.clone(),
            due_soon: rule.due_soon,
            exempt,
            snooze,
            assignee,
        }),
        _ => Err(problems),
    }
}

/// The people property of a task's owners: `name` (a problem when it is
/// missing or not of type people), else a people property named
/// `Assignee` when there is one.
fn assignee(
    schema: &Schema,
    name: Option<&str>,
    given_by: &GivenBy,
    problems: &mut Vec<String>,
) -> Option<PropertyRef> {
    match name {
        Some(name) => schema
            .property(name, "people", &given_by.of("assignee_property"), problems)
            .and_then(|p| typed(p, "people", "the assignee property", problems)),
        None => schema
            .props
            .iter()
            .find(|p| p.name == DEFAULT_ASSIGNEE && p.kind == "people")
            .map(|p| reference(p)),
    }
}

/// The properties of a data source, found by name.
struct Schema<'a> {
    props: Vec<&'a PropertyConfig>,
    names: Vec<&'a str>,
}

impl<'a> Schema<'a> {
    fn of(source: &'a DataSource) -> Schema<'a> {
        let props: Vec<&PropertyConfig> = source.properties.values().collect();
        let names = props.iter().map(|p| p.name.as_str()).collect();
        Schema { props, names }
    }

    /// The property `name`, or a problem naming the near miss.
    fn property(
        &self,
        name: &str,
        wanted: &str,
        given_by: &str,
        problems: &mut Vec<String>,
    ) -> Option<&'a PropertyConfig> {
        let found = self.props.iter().copied().find(|p| p.name == name);
        if found.is_none() {
            problems.push(format!(
                "the data source has no property '{name}' (given by {given_by}){}; give the name of its {wanted} property instead (properties: {})",
                did_you_mean(name, &self.names),
                quoted_list(&self.names)
            ));
        }
        found
    }
}

/// The property, when it is of type `kind`; else a problem.
fn typed(
    p: &PropertyConfig,
    kind: &str,
    what: &str,
    problems: &mut Vec<String>,
) -> Option<PropertyRef> {
    if p.kind != kind {
        problems.push(format!(
            "property '{}' is of type {}; {what} must be of type {kind}",
            p.name, p.kind
        ));
        return None;
    }
    Some(reference(p))
}

fn reference(p: &PropertyConfig) -> PropertyRef {
    PropertyRef {
        id: p.id.clone(),
        name: p.name.clone(),
    }
}

/// The option names of a status, select or multi-select property.
fn options(p: &PropertyConfig) -> Vec<&str> {
    p.status
        .as_ref()
        .or(p.select.as_ref())
        .or(p.multi_select.as_ref())
        .map(|o| o.options.iter().map(|o| o.name.as_str()).collect())
        .unwrap_or_default()
}

/// The status property's type, and every `--from`, `--to` and
/// `--restore-to` among its options.
fn check_status(
    p: &PropertyConfig,
    rule: &Rule,
    problems: &mut Vec<String>,
) -> Option<(PropertyRef, StatusKind)> {
    let kind = status_kind(p, problems)?;
    let wanted = rule
        .from
        .iter()
        .map(|name| (name.as_str(), "from"))
        .chain([(rule.to.as_str(), "to")])
        .chain(
            rule.restore_to
                .iter()
                .map(|name| (name.as_str(), "restore_to")),
        );
    check_options(p, wanted, &rule.given_by, problems);
    Some((reference(p), kind))
}

/// The type of a status property: status or select, else a problem.
fn status_kind(p: &PropertyConfig, problems: &mut Vec<String>) -> Option<StatusKind> {
    match p.kind.as_str() {
        "status" => Some(StatusKind::Status),
        "select" => Some(StatusKind::Select),
        other => {
            problems.push(format!(
                "property '{}' is of type {other}; the status property must be of type status or select",
                p.name
            ));
            None
        }
    }
}

/// Each wanted option (a name and the key that gave it) among the
/// options of `p`, else a problem naming its near miss.
fn check_options<'a>(
    p: &PropertyConfig,
    wanted: impl Iterator<Item = (&'a str, &'a str)>,
    given_by: &GivenBy,
    problems: &mut Vec<String>,
) {
    let names = options(p);
    for (name, key) in wanted {
        if !names.contains(&name) {
            problems.push(format!(
                "property '{}' has no option '{name}' (given by {}){}; its options are {}",
                p.name,
                given_by.of(key),
                did_you_mean(name, &names),
                quoted_list(&names)
            ));
        }
    }
}

/// What `stale` and `digest` read of a data source: its title, its
/// status property with the options in the schema's order, and the
/// people property of the tasks' owners, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Columns {
    pub(crate) title: PropertyRef,
    pub(crate) status: PropertyRef,
    pub(crate) status_kind: StatusKind,
    /// The status options, in the schema's order.
    pub(crate) options: Vec<String>,
    /// The people property of a task's owners (`--assignee-property`).
    pub(crate) assignee: Option<PropertyRef>,
}

impl Columns {
    /// The IDs of the properties a listing asks for (`filter_properties`).
    pub(crate) fn listed(&self) -> Vec<String> {
        let mut ids = vec![self.title.id.clone(), self.status.id.clone()];
        ids.extend(self.assignee.iter().map(|a| a.id.clone()));
        ids
    }
}

/// The title and the status property `status_property`, with each of
/// `wanted` (an option's name and the key that gave it) among its options,
/// and the owners' property (`assignee_property`, else the default):
/// every problem at once, each with its near miss.
pub(crate) fn columns(
    source: &DataSource,
    status_property: &str,
    assignee_property: Option<&str>,
    wanted: &[(&str, &str)],
    given_by: &GivenBy,
) -> Result<Columns, Vec<String>> {
    let schema = Schema::of(source);
    let mut problems = Vec::new();
    let status = schema
        .property(
            status_property,
            "status or select",
            &given_by.of("status_property"),
            &mut problems,
        )
        .and_then(|p| {
            let kind = status_kind(p, &mut problems)?;
            check_options(p, wanted.iter().copied(), given_by, &mut problems);
            Some((p, kind))
        });
    let assignee = assignee(&schema, assignee_property, given_by, &mut problems);
    let title = schema.props.iter().find(|p| p.kind == "title");
    if title.is_none() {
        problems.push("the data source has no title property".to_string());
    }
    match (status, title) {
        (Some((status, status_kind)), Some(title)) if problems.is_empty() => Ok(Columns {
            title: reference(title),
            status: reference(status),
            status_kind,
            options: options(status).into_iter().map(str::to_string).collect(),
            assignee,
        }),
        _ => Err(problems),
    }
}

/// An exemption's property, its type, and its value among the options.
fn check_exempt(
    schema: &Schema,
    exempt: &Exempt,
    given_by: &str,
    problems: &mut Vec<String>,
) -> Option<ExemptRef> {
    let p = schema.property(
        &exempt.property,
        "select, status, multi-select or checkbox",
        given_by,
        problems,
    )?;
    let kind = match p.kind.as_str() {
        "select" => ExemptKind::Select,
        "status" => ExemptKind::Status,
        "multi_select" => ExemptKind::MultiSelect,
        "checkbox" => ExemptKind::Checkbox,
        other => {
            problems.push(format!(
                "property '{}' (given by {given_by}) is of type {other}; an exempting property must be \
                 of type select, status, multi_select or checkbox",
                p.name
            ));
            return None;
        }
    };
    let value = exempt.value.as_str();
    if kind == ExemptKind::Checkbox {
        if value != "true" {
            problems.push(format!(
                "property '{}' is a checkbox: it exempts a task when checked, so its value is true \
                 ('{}={}' given by {given_by}; write '{}=true')",
                p.name, exempt.property, value, exempt.property
            ));
            return None;
        }
    } else {
        let names = options(p);
        if !names.contains(&value) {
            problems.push(format!(
                "property '{}' has no option '{value}' (given by {given_by}){}; its options are {}",
                p.name,
                did_you_mean(value, &names),
                quoted_list(&names)
            ));
            return None;
        }
    }
    Some(ExemptRef {
        property: reference(p),
        kind,
        value: value.to_string(),
    })
}

/// `, did you mean 'x'?` for a near miss: the same but for case, or one or two edits away.
pub(crate) fn did_you_mean(wanted: &str, candidates: &[&str]) -> String {
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

    #[test]
    fn the_columns_of_stale_and_digest_name_every_missing_option() {
        let source: DataSource = serde_json::from_value(serde_json::json!({
            "id": "ds",
            "properties": {
                "Name": {"id": "title", "name": "Name", "type": "title", "title": {}},
                "Status": {"id": "st", "name": "Status", "type": "status",
                           "status": {"options": [{"name": "To Do"}, {"name": "In Progress"}, {"name": "Done"}]}},
                "Due": {"id": "du", "name": "Due", "type": "date", "date": {}},
            }
        }))
        .unwrap();
        let given_by = GivenBy::default();
        let found = columns(
            &source,
            "Status",
            None,
            &[("In Progress", "status")],
            &given_by,
        )
        .unwrap();
        assert_eq!(found.status.id, "st");
        assert_eq!(found.title.id, "title");
        assert_eq!(found.options, ["To Do", "In Progress", "Done"]);
        let problems = columns(
            &source,
            "Status",
            None,
            &[("in progress", "status"), ("Stalled", "move_to")],
            &given_by,
        )
        .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0]
            .contains("no option 'in progress' (given by --status) (did you mean 'In Progress'?)"));
        assert!(problems[1].contains("no option 'Stalled' (given by --move-to)"));
        let problems = columns(&source, "Due", None, &[], &given_by).unwrap_err();
        assert!(problems[0].contains("of type date"), "{problems:?}");
        assert_eq!(found.assignee, None, "no people property named Assignee");
        let problems = columns(&source, "Status", Some("Due"), &[], &given_by).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains(
                "property 'Due' is of type date; the assignee property must be of type people"
            ),
            "{problems:?}"
        );
        let problems = columns(&source, "Status", Some("Owner"), &[], &given_by).unwrap_err();
        assert!(problems[0].contains("no property 'Owner'"), "{problems:?}");
    }
}
