//! The saved webhook configurations: [`WebhookConfigs`].

use std::sync::Arc;

use batches_types::{
    CreateWebhookConfigRequest, UpdateWebhookConfigRequest, WebhookConfig, WebhookConfigParams,
};
use bytes::Bytes;
use http::{Method, StatusCode};
use serde::Serialize;

use crate::error::Error;
use crate::operation::{
    CREATE_WEBHOOK_CONFIG, DELETE_WEBHOOK_CONFIG, GET_WEBHOOK_CONFIG, LIST_WEBHOOK_CONFIGS,
    UPDATE_WEBHOOK_CONFIG,
};
use crate::requests::{Requests, id_segment};
use crate::retry::RetryPolicy;
use crate::transport::{Response, Transport};

/// The path segments of the collection.
const COLLECTION: [&str; 4] = ["api", "v1", "beta", "webhook-configs"];

/// The operations on saved webhook configurations (`/api/v1/beta/webhook-configs`), which
/// batch creates name in `webhook_configuration_ids`; borrowed from a
/// [`Client`](crate::Client) by [`Client::webhook_configs`](crate::Client::webhook_configs).
///
/// The signing secret is write-only: answers say only `has_secret`.
///
/// ```no_run
/// use batches_client::{CreateWebhookConfigRequest, WebhookEventType};
///
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let request = CreateWebhookConfigRequest {
///     webhook_events: Some(vec![WebhookEventType::BatchSuccess, WebhookEventType::BatchError]),
///     webhook_signing_secret: Some(std::env::var("WEBHOOK_SECRET").unwrap_or_default()),
///     ..CreateWebhookConfigRequest::new("https://hooks.example.com/batches")
/// };
/// let saved = client.webhook_configs().create(&request, &Default::default()).await?;
/// println!("{} (secret set: {})", saved.id, saved.has_secret);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WebhookConfigs<'a> {
    requests: Requests<'a>,
}

impl<'a> WebhookConfigs<'a> {
    pub(crate) fn new(transport: &'a Arc<Transport>) -> Self {
        WebhookConfigs {
            requests: Requests::new(transport),
        }
    }

    /// Saves a configuration (`POST /api/v1/beta/webhook-configs`).
    ///
    /// The server does not recognise a repeated create, so it is retried only where it
    /// cannot have been acted on (no connection, 429, `x-should-retry: true`).
    pub async fn create(
        &self,
        request: &CreateWebhookConfigRequest,
        params: &WebhookConfigParams,
    ) -> Result<Response<WebhookConfig>, Error> {
        let call = self
            .requests
            .call(
                CREATE_WEBHOOK_CONFIG,
                Method::POST,
                &COLLECTION,
                &params.to_query_string(),
            )
            .json(json_body(request, "webhook configuration")?)
            .policy(RetryPolicy::UnsentOnly);
        self.requests.send(call).await
    }

    /// Every saved configuration of the project, newest first
    /// (`GET /api/v1/beta/webhook-configs`, one array).
    pub async fn list(
        &self,
        params: &WebhookConfigParams,
    ) -> Result<Response<Vec<WebhookConfig>>, Error> {
        let call = self.requests.call(
            LIST_WEBHOOK_CONFIGS,
            Method::GET,
            &COLLECTION,
            &params.to_query_string(),
        );
        self.requests.send(call).await
    }

    /// One saved configuration (`GET /api/v1/beta/webhook-configs/{config_id}`).
    pub async fn get(
        &self,
        config_id: &str,
        params: &WebhookConfigParams,
    ) -> Result<Response<WebhookConfig>, Error> {
        let call = self.requests.call(
            GET_WEBHOOK_CONFIG,
            Method::GET,
            &one(config_id)?,
            &params.to_query_string(),
        );
        self.requests.send(call).await
    }

    /// Changes the fields `request` sets (`PUT /api/v1/beta/webhook-configs/{config_id}`);
    /// a `webhook_signing_secret` rotates the secret. Retried like `get`: sending the same
    /// change twice leaves the same configuration.
    pub async fn update(
        &self,
        config_id: &str,
        request: &UpdateWebhookConfigRequest,
        params: &WebhookConfigParams,
    ) -> Result<Response<WebhookConfig>, Error> {
        let call = self
            .requests
            .call(
                UPDATE_WEBHOOK_CONFIG,
                Method::PUT,
                &one(config_id)?,
                &params.to_query_string(),
            )
            .json(json_body(request, "webhook configuration change")?);
        self.requests.send(call).await
    }

    /// Deletes a saved configuration (`DELETE /api/v1/beta/webhook-configs/{config_id}`).
    /// Batches created with it keep delivering to it.
    ///
    /// Retried like `get`; a 404 to a retry after an attempt whose outcome is unknown means
    /// that attempt deleted it, and is a success.
    pub async fn delete(
        &self,
        config_id: &str,
        params: &WebhookConfigParams,
    ) -> Result<Response<()>, Error> {
        let call = self.requests.call(
            DELETE_WEBHOOK_CONFIG,
            Method::DELETE,
            &one(config_id)?,
            &params.to_query_string(),
        );
        match self.requests.transport().execute_tracked(call).await {
            Ok(exchange) => Ok(Response {
                value: (),
                http_status: exchange.status,
                request_id: exchange.request_id,
                raw: exchange.body,
            }),
            Err(failed)
                if failed.earlier_attempt_may_have_acted
                    && failed.error.status() == Some(StatusCode::NOT_FOUND.as_u16()) =>
            {
                Ok(Response {
                    value: (),
                    http_status: StatusCode::NO_CONTENT.as_u16(),
                    request_id: failed.error.request_id().map(str::to_owned),
                    raw: Bytes::new(),
                })
            }
            Err(failed) => Err(failed.error),
        }
    }
}

/// The segments of one configuration.
fn one(config_id: &str) -> Result<Vec<&str>, Error> {
    let mut segments = COLLECTION.to_vec();
    segments.push(id_segment(config_id, "webhook configuration", "whc-…")?);
    Ok(segments)
}

fn json_body(value: &impl Serialize, what: &str) -> Result<Bytes, Error> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|error| Error::InvalidRequest(format!("could not encode the {what}: {error}")))
}
