//! Notion's OpenAPI description (`crates/notion-sandbox/conformance/notion-openapi.json`)
//! held against a request as the sandbox recorded it.
//!
//! The validator is a small JSON Schema subset: exactly the keywords
//! the file uses (`$ref`, `type`, `nullable`, `const`, `enum`, `properties`,
//! `required`, `additionalProperties`, `items`, `minItems`, `maxItems`,
//! `oneOf`, `anyOf`, `allOf`). A keyword it does not know is reported as a
//! mismatch rather than skipped, so it can never pass by not looking.

use std::collections::BTreeMap;
use std::path::PathBuf;

use notion_sandbox::RecordedRequest;
use serde_json::{json, Map, Value};

/// Notion's OpenAPI document, with the lookups the checks need.
pub struct Spec {
    doc: Value,
}

/// Keywords that describe a schema without constraining a value.
const ANNOTATIONS: &[&str] = &[
    "description",
    "example",
    "examples",
    "default",
    "format",
    "title",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
];

/// Keywords the validator enforces.
const ASSERTIONS: &[&str] = &[
    "$ref",
    "type",
    "nullable",
    "const",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "oneOf",
    "anyOf",
    "allOf",
];

/// `$.a.b[0]["odd key"]`.
fn child(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_string()))
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_type(v: &Value, ty: &str) -> bool {
    match ty {
        "number" => v.is_number(),
        "integer" => type_name(v) == "integer" || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        other => type_name(v) == other,
    }
}

/// Short JSON for error messages.
fn brief(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(77).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

impl Spec {
    /// Loads the copy in the repository.
    pub fn load() -> Spec {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("crates/notion-sandbox/conformance/notion-openapi.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Spec::from_value(serde_json::from_str(&text).expect("the OpenAPI file is JSON"))
    }

    pub fn from_value(doc: Value) -> Spec {
        Spec { doc }
    }

    /// Follows a local `$ref` (`#/components/...`).
    fn deref(&self, reference: &str) -> Result<&Value, String> {
        let pointer = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("only local $ref are supported, not {reference}"))?;
        self.doc
            .pointer(pointer)
            .ok_or_else(|| format!("$ref {reference} points nowhere"))
    }

    /// An object that may be a `{"$ref": …}`, resolved (for parameters).
    fn resolved<'a>(&'a self, v: &'a Value) -> Result<&'a Value, String> {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => self.resolved(self.deref(r)?),
            None => Ok(v),
        }
    }

    /// Validates `value` against `schema`; mismatches are pushed as
    /// `"<json path>: <what>"`.
    pub fn validate(&self, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
        let schema = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => {
                errors.push(format!("{path}: not allowed here"));
                return;
            }
            Value::Object(o) => o,
            other => {
                errors.push(format!(
                    "{path}: the spec has a schema that is not an object: {other}"
                ));
                return;
            }
        };
        for key in schema.keys() {
            if !ASSERTIONS.contains(&key.as_str()) && !ANNOTATIONS.contains(&key.as_str()) {
                errors.push(format!(
                    "{path}: the schema uses `{key}`, which this validator does not support"
                ));
            }
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            match self.deref(r) {
                Ok(target) => self.validate(target, value, path, errors),
                Err(e) => errors.push(format!("{path}: {e}")),
            }
        }
        if let Some(ty) = schema.get("type") {
            let mut allowed: Vec<&str> = match ty {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if schema.get("nullable") == Some(&Value::Bool(true)) {
                allowed.push("null");
            }
            if !allowed.iter().any(|t| is_type(value, t)) {
                errors.push(format!(
                    "{path}: expected {}, got {} {}",
                    allowed.join(" or "),
                    type_name(value),
                    brief(value)
                ));
                return;
            }
        }
        if let Some(c) = schema.get("const") {
            if c != value {
                errors.push(format!("{path}: expected {c}, got {}", brief(value)));
            }
        }
        if let Some(Value::Array(options)) = schema.get("enum") {
            if !options.contains(value) {
                errors.push(format!(
                    "{path}: {} is not one of {}",
                    brief(value),
                    Value::Array(options.clone())
                ));
            }
        }
        if let Value::Object(obj) = value {
            self.validate_object(schema, obj, path, errors);
        }
        if let Value::Array(items) = value {
            if let Some(n) = schema.get("maxItems").and_then(Value::as_u64) {
                if items.len() as u64 > n {
                    errors.push(format!(
                        "{path}: {} items, at most {n} allowed",
                        items.len()
                    ));
                }
            }
            if let Some(n) = schema.get("minItems").and_then(Value::as_u64) {
                if (items.len() as u64) < n {
                    errors.push(format!(
                        "{path}: {} items, at least {n} needed",
                        items.len()
                    ));
                }
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    self.validate(item_schema, item, &format!("{path}[{i}]"), errors);
                }
            }
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for s in all {
                self.validate(s, value, path, errors);
            }
        }
        for (key, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            let Some(Value::Array(branches)) = schema.get(key) else {
                continue;
            };
            let results: Vec<Vec<String>> = branches
                .iter()
                .map(|s| {
                    let mut e = Vec::new();
                    self.validate(s, value, path, &mut e);
                    e
                })
                .collect();
            let passing = results.iter().filter(|e| e.is_empty()).count();
            if passing == 0 {
                let why: Vec<String> = results
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("branch {i}: {}", e.join("; ")))
                    .collect();
                errors.push(format!(
                    "{path}: matches none of the {key} branches ({})",
                    why.join(" | ")
                ));
            } else if exactly_one && passing > 1 {
                errors.push(format!(
                    "{path}: matches {passing} of the oneOf branches, exactly one allowed"
                ));
            }
        }
    }

    fn validate_object(
        &self,
        schema: &Map<String, Value>,
        obj: &Map<String, Value>,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !obj.contains_key(name) {
                    errors.push(format!("{}: required but missing", child(path, name)));
                }
            }
        }
        for (k, v) in obj {
            let p = child(path, k);
            match (properties.get(k), schema.get("additionalProperties")) {
                (Some(s), _) => self.validate(s, v, &p, errors),
                (None, None | Some(Value::Bool(true))) => {}
                (None, Some(Value::Bool(false))) => {
                    let known: Vec<&str> = properties.keys().map(String::as_str).collect();
                    errors.push(format!(
                        "{p}: not a property the spec allows here (allowed: {})",
                        known.join(", ")
                    ));
                }
                (None, Some(s)) => self.validate(s, v, &p, errors),
            }
        }
    }

    /// The path template and operation a request goes to: literal segments
    /// win over `{parameters}` (`/v1/users/me` over `/v1/users/{user_id}`).
    fn operation(
        &self,
        method: &str,
        path: &str,
    ) -> Result<(String, &Value, BTreeMap<String, String>), String> {
        let paths = self.doc["paths"]
            .as_object()
            .ok_or("the spec has no paths")?;
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut best: Option<(usize, &String, &Value, BTreeMap<String, String>)> = None;
        for (template, item) in paths {
            let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let mut literal = 0;
            let mut params = BTreeMap::new();
            let fits = parts.iter().zip(&segments).all(|(t, s)| {
                match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) => {
                        params.insert(name.to_string(), decode(s));
                        !s.is_empty()
                    }
                    None => {
                        literal += 1;
                        t == s
                    }
                }
            });
            if fits && best.as_ref().is_none_or(|b| literal > b.0) {
                best = Some((literal, template, item, params));
            }
        }
        let (_, template, item, params) =
            best.ok_or_else(|| format!("no path of the spec matches {path}"))?;
        let op = item.get(method.to_ascii_lowercase()).ok_or_else(|| {
            let allowed: Vec<String> = item
                .as_object()
                .map(|o| o.keys().map(|k| k.to_uppercase()).collect())
                .unwrap_or_default();
            format!(
                "{method} is not an operation of {template} (the spec has {})",
                allowed.join(", ")
            )
        })?;
        Ok((template.clone(), op, params))
    }

    /// Every mismatch of one request with the spec; `op` gets the
    /// operationId when the operation was found.
    pub fn check(&self, r: &RecordedRequest, op_id: &mut Option<String>) -> Vec<String> {
        let mut errors = Vec::new();
        let (template, op, path_params) = match self.operation(&r.method, &r.path) {
            Ok(x) => x,
            Err(e) => return vec![e],
        };
        *op_id = op["operationId"].as_str().map(str::to_string);
        let mut declared: Vec<&Value> = Vec::new();
        let path_level = self.doc["paths"][&template]["parameters"].as_array();
        for p in path_level
            .into_iter()
            .flatten()
            .chain(op["parameters"].as_array().into_iter().flatten())
        {
            match self.resolved(p) {
                Ok(p) => declared.push(p),
                Err(e) => errors.push(e),
            }
        }
        let find = |place: &str, name: &str| {
            declared.iter().copied().find(|p| {
                p["in"] == place
                    && p["name"].as_str().is_some_and(|n| {
                        if place == "header" {
                            n.eq_ignore_ascii_case(name)
                        } else {
                            n == name
                        }
                    })
            })
        };

        // path parameters
        for (name, value) in &path_params {
            match find("path", name) {
                Some(p) => self.validate(
                    &p["schema"],
                    &json!(value),
                    &format!("path.{name}"),
                    &mut errors,
                ),
                None => errors.push(format!("path parameter {{{name}}} is not declared")),
            }
        }

        // query parameters
        let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in url::form_urlencoded::parse(r.query.as_deref().unwrap_or("").as_bytes()) {
            query
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        for (name, values) in &query {
            let Some(p) = find("query", name) else {
                errors.push(format!(
                    "query parameter `{name}` is not declared for {template}"
                ));
                continue;
            };
            let schema = self.resolved(&p["schema"]).unwrap_or(&Value::Null);
            let at = format!("query.{name}");
            if schema["type"] == "array" {
                let item_type =
                    self.resolved(&schema["items"]).unwrap_or(&Value::Null)["type"].clone();
                let items: Vec<Value> = values.iter().map(|v| typed(v, &item_type)).collect();
                self.validate(&p["schema"], &Value::Array(items), &at, &mut errors);
            } else if values.len() > 1 {
                errors.push(format!(
                    "{at}: sent {} times, but the spec declares a single value",
                    values.len()
                ));
            } else {
                self.validate(
                    &p["schema"],
                    &typed(&values[0], &schema["type"]),
                    &at,
                    &mut errors,
                );
            }
        }

        // headers
        for p in &declared {
            let name = p["name"].as_str().unwrap_or("");
            let present = match p["in"].as_str() {
                Some("query") => query.contains_key(name),
                Some("header") => r.header(name).is_some(),
                _ => true,
            };
            if p["required"] == true && !present {
                errors.push(format!(
                    "required {} parameter `{name}` is missing",
                    p["in"]
                ));
            }
            if p["in"] == "header" {
                if let Some(v) = r.header(name) {
                    self.validate(
                        &p["schema"],
                        &json!(v),
                        &format!("header.{name}"),
                        &mut errors,
                    );
                }
            }
        }
        // Notion answers 400 missing_version without it, whatever `required` says
        match r.header("notion-version") {
            None => errors.push("header Notion-Version is missing".into()),
            Some(v) => {
                let described = find("header", "Notion-Version")
                    .and_then(|p| p["schema"]["default"].as_str())
                    .unwrap_or("2025-09-03");
                if v != described {
                    errors.push(format!(
                        "header Notion-Version is {v:?}; the spec describes {described:?}"
                    ));
                }
            }
        }
        // the spec's security scheme is HTTP bearer (Notion needs it on every call)
        match r.header("authorization") {
            Some(v)
                if v.strip_prefix("Bearer ")
                    .is_some_and(|t| !t.trim().is_empty()) => {}
            Some(_) => errors.push("header Authorization is not `Bearer <token>`".into()),
            None => errors.push("header Authorization is missing".into()),
        }

        // body
        let body_spec = match op.get("requestBody") {
            Some(b) => match self.resolved(b) {
                Ok(b) => Some(b),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            None => None,
        };
        match (body_spec, &r.body) {
            (None, None) => {}
            (None, Some(b)) => errors.push(format!(
                "{} {template} takes no body, got {}",
                r.method,
                brief(b)
            )),
            (Some(spec), None) => {
                if spec["required"] == true {
                    errors.push("the request body is required but missing".into());
                }
            }
            (Some(spec), Some(body)) => {
                let content_type = r.header("content-type").map(|c| {
                    c.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase()
                });
                match content_type {
                    None => errors.push("a body without Content-Type".into()),
                    Some(ct) => match spec["content"].get(&ct) {
                        None => errors.push(format!(
                            "Content-Type {ct} is not one the spec accepts here"
                        )),
                        Some(media) => {
                            if let Value::String(raw) = body {
                                if ct == "application/json" {
                                    errors.push(format!(
                                        "the body is not JSON: {}",
                                        brief(&json!(raw))
                                    ));
                                }
                            }
                            self.validate(&media["schema"], body, "$", &mut errors);
                        }
                    },
                }
            }
        }
        errors
    }
}

/// A query value as JSON of the declared type.
fn typed(raw: &str, ty: &Value) -> Value {
    match ty.as_str() {
        Some("integer") | Some("number") => raw
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| raw.parse::<f64>().map(Value::from))
            .unwrap_or_else(|_| json!(raw)),
        Some("boolean") => match raw {
            "true" => json!(true),
            "false" => json!(false),
            _ => json!(raw),
        },
        _ => json!(raw),
    }
}

/// Percent-decodes a path segment.
fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
