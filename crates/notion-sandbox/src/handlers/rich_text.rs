//! Rich text as a request gives it (blocks, comments), read as Notion
//! stores it: text items only, with their annotations and links.

use serde_json::{json, Value};

use crate::http::{body_array, check_keys, ApiError};

/// Rich text as a request gives it, as Notion stores it: text items only.
pub(crate) fn parse_rich_text(v: &Value, path: &str) -> Result<Vec<Value>, ApiError> {
    let arr = body_array(v, path, 100)?;
    let mut out = Vec::new();
    for (i, item) in arr.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let o = item.as_object().ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p} should be an object, instead was `{item}`."
            ))
        })?;
        check_keys(
            o,
            &p,
            &["type", "text", "annotations", "plain_text", "href"],
        )?;
        if let Some(t) = o
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| *t != "text")
        {
            return Err(ApiError::invalid_request(format!(
                "The notion-sandbox supports only `text` rich text items; {p}.type was `{t}`."
            )));
        }
        let text = o.get("text").and_then(Value::as_object).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p}.text should be defined, instead was `undefined`."
            ))
        })?;
        check_keys(text, &format!("{p}.text"), &["content", "link"])?;
        let content = text.get("content").and_then(Value::as_str).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p}.text.content should be a string."
            ))
        })?;
        let len = content.encode_utf16().count();
        if len > 2000 {
            return Err(ApiError::validation(format!(
                "body failed validation: {p}.text.content.length should be ≤ `2000`, instead was `{len}`."
            )));
        }
        let link = match text.get("link") {
            None | Some(Value::Null) => Value::Null,
            Some(l) => match l.get("url").and_then(Value::as_str) {
                Some(u) => json!({"url": u}),
                None => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: {p}.text.link.url should be defined, instead was `undefined`."
                    )))
                }
            },
        };
        let mut annotations = json!({
            "bold": false, "italic": false, "strikethrough": false,
            "underline": false, "code": false, "color": "default"
        });
        if let Some(a) = o.get("annotations") {
            let a = a.as_object().ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: {p}.annotations should be an object, instead was `{a}`."
                ))
            })?;
            for (k, v) in a {
                let ok = match k.as_str() {
                    "bold" | "italic" | "strikethrough" | "underline" | "code" => v.is_boolean(),
                    "color" => v.is_string(),
                    _ => false,
                };
                if !ok {
                    return Err(ApiError::validation(format!(
                        "body failed validation: {p}.annotations.{k} should be not present, instead was `{v}`."
                    )));
                }
                annotations[k] = v.clone();
            }
        }
        let href = link.get("url").cloned().unwrap_or(Value::Null);
        out.push(json!({
            "type": "text",
            "text": {"content": content, "link": link},
            "annotations": annotations,
            "plain_text": content,
            "href": href
        }));
    }
    Ok(out)
}
