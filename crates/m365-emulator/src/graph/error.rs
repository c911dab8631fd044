//! Graph's error format:
//! `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
//! <https://learn.microsoft.com/en-us/graph/errors>

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Extra headers, e.g. `Retry-After` on 429.
    pub headers: Vec<(String, String)>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> GraphError {
        GraphError {
            status,
            code: code.to_string(),
            message: message.into(),
            headers: vec![],
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> GraphError {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The JSON body Graph sends.
    pub fn body(&self) -> serde_json::Value {
        let request_id = uuid::Uuid::new_v4().to_string();
        serde_json::json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": request_id,
                    "client-request-id": request_id,
                }
            }
        })
    }

    /// 429 with Graph's `TooManyRequests` body ("Please retry again later.",
    /// the sample on <https://learn.microsoft.com/en-us/graph/throttling>)
    /// and a `Retry-After` in seconds (which may be fractional, so clients
    /// must not parse it as an integer).
    pub fn too_many_requests(retry_after_seconds: f64) -> GraphError {
        GraphError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Please retry again later.",
        )
        .header("Retry-After", format_retry_after(retry_after_seconds))
    }
}

/// `Retry-After` as Graph writes it: whole seconds when whole, else decimals.
pub fn format_retry_after(seconds: f64) -> String {
    if seconds.fract() == 0.0 {
        format!("{}", seconds as u64)
    } else {
        format!("{seconds:.3}")
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        for (k, v) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                headers.insert(name, value);
            }
        }
        (self.status, headers, axum::Json(self.body())).into_response()
    }
}
