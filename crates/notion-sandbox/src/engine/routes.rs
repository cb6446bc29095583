//! Where a Notion request goes: the endpoints the sandbox serves, and the
//! ones Notion documents that it answers with a plain refusal.

use crate::http::ApiError;

/// A served endpoint, with the ids of its path.
pub(crate) enum Route {
    Database(String),
    DataSource(String),
    Query(String),
    GetPage(String),
    PatchPage(String),
    CreatePage,
    PropertyItem(String, String),
    Me,
    Users,
    User(String),
    Search,
    BlockChildren(String),
    AppendChildren(String),
    Comments,
    CreateComment,
    /// A documented endpoint the sandbox does not serve: its name.
    Unsupported(&'static str),
}

/// Every endpoint the sandbox serves (for messages and docs).
pub const SUPPORTED_ENDPOINTS: &[&str] = &[
    "GET /v1/users/me",
    "GET /v1/users",
    "GET /v1/users/{user_id}",
    "POST /v1/search",
    "GET /v1/databases/{database_id}",
    "GET /v1/data_sources/{data_source_id}",
    "POST /v1/data_sources/{data_source_id}/query",
    "POST /v1/pages",
    "GET /v1/pages/{page_id}",
    "PATCH /v1/pages/{page_id}",
    "GET /v1/pages/{page_id}/properties/{property_id}",
    "GET /v1/blocks/{block_id}/children",
    "PATCH /v1/blocks/{block_id}/children",
    "GET /v1/comments",
    "POST /v1/comments",
];

pub(crate) fn route(method: &str, path: &str) -> Option<Route> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = |s: &str| s.to_string();
    let r = match (method, parts.as_slice()) {
        ("GET", ["v1", "databases", x]) => Route::Database(id(x)),
        ("GET", ["v1", "data_sources", x]) => Route::DataSource(id(x)),
        ("POST", ["v1", "data_sources", x, "query"]) => Route::Query(id(x)),
        ("GET", ["v1", "pages", x]) => Route::GetPage(id(x)),
        ("PATCH", ["v1", "pages", x]) => Route::PatchPage(id(x)),
        ("POST", ["v1", "pages"]) => Route::CreatePage,
        ("GET", ["v1", "pages", x, "properties", p]) => Route::PropertyItem(id(x), id(p)),
        ("GET", ["v1", "users", "me"]) => Route::Me,
        ("GET", ["v1", "users"]) => Route::Users,
        ("GET", ["v1", "users", x]) => Route::User(id(x)),
        ("POST", ["v1", "search"]) => Route::Search,
        (_, ["v1", "blocks", "meeting_notes", ..]) => Route::Unsupported("meeting notes"),
        ("GET", ["v1", "blocks", x, "children"]) => Route::BlockChildren(id(x)),
        ("PATCH", ["v1", "blocks", x, "children"]) => Route::AppendChildren(id(x)),
        ("GET", ["v1", "comments"]) => Route::Comments,
        ("POST", ["v1", "comments"]) => Route::CreateComment,
        // documented endpoints the sandbox does not serve
        ("GET", ["v1", "blocks", _]) => Route::Unsupported("retrieve a block"),
        ("PATCH", ["v1", "blocks", _]) => Route::Unsupported("update a block"),
        ("DELETE", ["v1", "blocks", _]) => Route::Unsupported("delete a block"),
        ("POST", ["v1", "databases"]) => Route::Unsupported("create a database"),
        ("PATCH", ["v1", "databases", _]) => Route::Unsupported("update a database"),
        ("POST", ["v1", "databases", _, "query"]) => Route::Unsupported(
            "query a database (removed in 2025-09-03: query its data source with POST /v1/data_sources/{data_source_id}/query)",
        ),
        ("POST", ["v1", "data_sources"]) => Route::Unsupported("create a data source"),
        ("PATCH", ["v1", "data_sources", _]) => Route::Unsupported("update a data source"),
        ("GET", ["v1", "data_sources", _, "templates"]) => {
            Route::Unsupported("list data source templates")
        }
        ("POST", ["v1", "pages", _, "move"]) => Route::Unsupported("move a page"),
        ("GET", ["v1", "pages", _, "markdown"]) => Route::Unsupported("retrieve a page as markdown"),
        ("PATCH", ["v1", "pages", _, "markdown"]) => Route::Unsupported("update a page's markdown"),
        ("GET", ["v1", "comments", _]) => Route::Unsupported("retrieve a comment"),
        ("PATCH", ["v1", "comments", _]) => Route::Unsupported("update a comment"),
        ("DELETE", ["v1", "comments", _]) => Route::Unsupported("delete a comment"),
        ("GET", ["v1", "custom_emojis"]) => Route::Unsupported("list custom emojis"),
        (_, ["v1", "views", ..]) => Route::Unsupported("views"),
        ("POST", ["v1", "file_uploads"]) => Route::Unsupported("create a file upload"),
        ("GET", ["v1", "file_uploads"]) => Route::Unsupported("list file uploads"),
        ("GET", ["v1", "file_uploads", _]) => Route::Unsupported("retrieve a file upload"),
        ("POST", ["v1", "file_uploads", _, "send"]) => Route::Unsupported("send a file upload"),
        ("POST", ["v1", "file_uploads", _, "complete"]) => {
            Route::Unsupported("complete a file upload")
        }
        ("POST", ["v1", "oauth", "token"]) => Route::Unsupported("create an OAuth token"),
        ("POST", ["v1", "oauth", "introspect"]) => Route::Unsupported("introspect an OAuth token"),
        ("POST", ["v1", "oauth", "revoke"]) => Route::Unsupported("revoke an OAuth token"),
        _ => return None,
    };
    Some(r)
}

/// The answer to a documented endpoint the sandbox does not serve.
pub(crate) fn unsupported(method: &str, what: &str) -> ApiError {
    ApiError::invalid_request(format!(
        "The notion-sandbox does not support this endpoint ({method}: {what}). It supports: {}.",
        SUPPORTED_ENDPOINTS.join(", ")
    ))
}
