//! A hand-written board made whole: dashed ids, derived property, option
//! and group ids, status groups, date strings read as dates; or the culprit
//! named when it does not hold together.

use std::collections::HashSet;

use super::board::{Board, DataSource, PropertyKind, PropertyValue, SelectOption, StatusGroup};
use super::codecs::{parse_date_start, percent_encode};
use super::ids::{derived_uuid, fnv, normalize_id};
use super::users::{person_id, User};

impl Board {
    /// Checks the board and fills what a hand-written board may leave out:
    /// dashed ids, property/option/group ids, status groups, the title id,
    /// and date strings turned into dates. Errors name the culprit.
    pub fn normalize(&mut self) -> Result<(), String> {
        let mut seen = HashSet::new();
        let mut check_id = |id: &mut String, what: &str| -> Result<(), String> {
            let n = normalize_id(id).ok_or_else(|| format!("{what} id {id:?} is not a UUID"))?;
            if !seen.insert(n.clone()) {
                return Err(format!("{what} id {n} is used twice"));
            }
            *id = n;
            Ok(())
        };
        for u in &mut self.users {
            check_id(&mut u.id, "user")?;
        }
        for db in &mut self.databases {
            check_id(&mut db.id, "database")?;
            for ds in &mut db.data_sources {
                check_id(&mut ds.id, "data source")?;
                for p in &mut ds.pages {
                    check_id(&mut p.id, "page")?;
                }
            }
        }
        for db in &mut self.databases {
            for ds in &mut db.data_sources {
                normalize_data_source(ds, &self.users)?;
            }
        }
        Ok(())
    }
}

fn normalize_data_source(ds: &mut DataSource, users: &[User]) -> Result<(), String> {
    let titles = ds
        .properties
        .iter()
        .filter(|p| p.kind == PropertyKind::Title)
        .count();
    if titles != 1 {
        return Err(format!(
            "data source {} must have exactly one title property, has {titles}",
            ds.id
        ));
    }
    let mut names = HashSet::new();
    let mut ids: HashSet<String> = ds
        .properties
        .iter()
        .filter(|p| !p.id.is_empty())
        .map(|p| p.id.clone())
        .collect();
    for p in &mut ds.properties {
        if !names.insert(p.name.clone()) {
            return Err(format!("property {:?} is defined twice", p.name));
        }
        if p.kind == PropertyKind::Title {
            p.id = "title".to_string();
        } else if p.id.is_empty() {
            let mut salt = 0;
            loop {
                let id = derived_property_id(0, &ds.id, &p.name, salt);
                if id != "title" && ids.insert(id.clone()) {
                    p.id = id;
                    break;
                }
                salt += 1;
            }
        }
        for o in &mut p.options {
            if o.id.is_empty() {
                o.id = derived_uuid(0, &format!("{}/{}/{}", ds.id, p.name, o.name));
            }
        }
        if p.kind == PropertyKind::Status {
            if p.groups.is_empty() {
                p.groups = default_groups(&p.options);
            }
            for g in &mut p.groups {
                if g.id.is_empty() {
                    g.id = derived_uuid(0, &format!("{}/{}/group/{}", ds.id, p.name, g.name));
                }
                for o in &g.options {
                    if !p.options.iter().any(|x| &x.name == o) {
                        return Err(format!(
                            "status group {:?} names unknown option {o:?}",
                            g.name
                        ));
                    }
                }
            }
        }
    }
    for page in &mut ds.pages {
        for (name, value) in page.properties.iter_mut() {
            let prop = ds
                .properties
                .iter()
                .find(|p| &p.name == name)
                .ok_or_else(|| format!("page {} has unknown property {name:?}", page.id))?;
            match prop.kind {
                PropertyKind::Date => {
                    if let PropertyValue::Text(s) = value {
                        if parse_date_start(s).is_none() {
                            return Err(format!("page {}: {s:?} is not a date", page.id));
                        }
                        *value = PropertyValue::date(s.clone());
                    }
                }
                PropertyKind::MultiSelect => match value {
                    PropertyValue::Empty => *value = PropertyValue::Options(Vec::new()),
                    PropertyValue::Options(_) => {}
                    _ => {
                        return Err(format!(
                            "page {}: {name:?} takes an array of option names",
                            page.id
                        ))
                    }
                },
                PropertyKind::People => {
                    let keys = match value {
                        PropertyValue::Empty => Vec::new(),
                        PropertyValue::Options(v) | PropertyValue::People(v) => v.clone(),
                        _ => {
                            return Err(format!(
                                "page {}: {name:?} takes an array of user ids or emails",
                                page.id
                            ))
                        }
                    };
                    let ids = keys
                        .iter()
                        .map(|k| person_id(users, k))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| {
                            format!(
                                "page {}: {name:?} names a user that is neither an id nor the email of one of the board's users",
                                page.id
                            )
                        })?;
                    *value = PropertyValue::People(ids);
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn default_groups(options: &[SelectOption]) -> Vec<StatusGroup> {
    let mut groups = vec![
        StatusGroup {
            name: "To-do".into(),
            id: String::new(),
            color: "gray".into(),
            options: vec![],
        },
        StatusGroup {
            name: "In progress".into(),
            id: String::new(),
            color: "blue".into(),
            options: vec![],
        },
        StatusGroup {
            name: "Complete".into(),
            id: String::new(),
            color: "green".into(),
            options: vec![],
        },
    ];
    for o in options {
        let lower = o.name.to_lowercase();
        let g = if lower.contains("done") || lower.contains("complete") {
            2
        } else if lower.contains("progress") {
            1
        } else {
            0
        };
        groups[g].options.push(o.name.clone());
    }
    groups
}

fn derived_property_id(seed: u64, ds_id: &str, name: &str, salt: u32) -> String {
    // Notion property ids are short strings of printable ASCII, URL-encoded
    const ALPHABET: &[u8] =
        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789^:;<=>?@[]`{|}~";
    let mut h = fnv(
        seed,
        &[ds_id.as_bytes(), name.as_bytes(), &salt.to_le_bytes()],
    );
    let mut raw = String::new();
    for _ in 0..4 {
        raw.push(ALPHABET[(h % ALPHABET.len() as u64) as usize] as char);
        h /= ALPHABET.len() as u64;
    }
    percent_encode(&raw)
}
