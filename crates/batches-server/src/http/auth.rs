//! Who is asking: the bearer key, and the project it belongs to.

use axum::{
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{app::App, query::Query};
use crate::{error::ApiError, recent::Caller};

/// The project the request's key belongs to.
#[derive(Clone)]
pub struct Project(pub String);

/// Resolves the bearer key to its project, and refuses a `project_id` query naming another.
pub async fn authenticate(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let key = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, key) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
        });
    let Some(project) = key.and_then(|key| {
        app.config
            .api_keys
            .iter()
            .find(|(known, _)| known == key)
            .map(|(_, project)| project.clone())
    }) else {
        return ApiError::unauthorized().into_response();
    };
    let asked = Query::parse(request.uri().query()).string("project_id");
    if let Some(asked) = asked.filter(|asked| !asked.is_empty() && *asked != project) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!("This API key has no access to project {asked}"),
        )
        .into_response();
    }
    request.extensions_mut().insert(Project(project.clone()));
    let mut response = next.run(request).await;
    // For the recent requests view, which shows each project its own.
    response.extensions_mut().insert(Caller(project));
    response
}
