//! A webhook message as readable text, for whoever watches the sinks.

use serde_json::Value;

use super::kinds::SinkKind;

impl SinkKind {
    /// What a message to this kind of sink says, as text: Slack's `text`,
    /// Discord's content and embeds, the text of Teams' Adaptive Cards; any
    /// other body as JSON.
    pub fn message_text(self, body: &Value) -> String {
        let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        let text = match self {
            SinkKind::Slack => s(body.get("text")),
            SinkKind::Discord => {
                let mut parts: Vec<String> = s(body.get("content")).into_iter().collect();
                for e in body
                    .get("embeds")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    parts.extend(s(e.get("title")));
                    parts.extend(s(e.get("description")));
                    for f in e
                        .get("fields")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        parts.push(format!(
                            "{}: {}",
                            s(f.get("name")).unwrap_or_default(),
                            s(f.get("value")).unwrap_or_default()
                        ));
                    }
                }
                (!parts.is_empty()).then(|| parts.join("\n"))
            }
            SinkKind::Teams => {
                let mut parts = Vec::new();
                for a in body
                    .get("attachments")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    card_text(a.get("content").unwrap_or(&Value::Null), &mut parts);
                }
                (!parts.is_empty()).then(|| parts.join("\n"))
            }
            SinkKind::Json => None,
        };
        text.unwrap_or_else(|| match body {
            Value::String(raw) => raw.clone(),
            v => serde_json::to_string_pretty(v).unwrap_or_default(),
        })
    }
}

/// The text of an Adaptive Card's elements, depth first.
fn card_text(v: &Value, out: &mut Vec<String>) {
    match v.get("type").and_then(Value::as_str) {
        Some("TextBlock") => out.extend(v.get("text").and_then(Value::as_str).map(str::to_string)),
        Some("FactSet") => {
            for f in v
                .get("facts")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                out.push(format!(
                    "{}: {}",
                    f.get("title").and_then(Value::as_str).unwrap_or(""),
                    f.get("value").and_then(Value::as_str).unwrap_or("")
                ));
            }
        }
        _ => {}
    }
    for key in ["body", "items", "columns", "actions"] {
        for child in v
            .get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            card_text(child, out);
        }
    }
}
