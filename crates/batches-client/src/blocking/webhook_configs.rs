//! The saved webhook configuration operations of the blocking [`Client`](super::Client).

use batches_types::{
    CreateWebhookConfigRequest, UpdateWebhookConfigRequest, WebhookConfig, WebhookConfigParams,
};

use super::Client;
use crate::{Error, Response};

/// The saved webhook configuration operations of the blocking [`Client`]; each mirrors the
/// async [`crate::WebhookConfigs`] method of the same name.
///
/// ```no_run
/// use batches_client::{CreateWebhookConfigRequest, blocking};
///
/// let client = blocking::Client::from_env()?;
/// let request = CreateWebhookConfigRequest::new("http://127.0.0.1:9000/hooks");
/// let saved = client.webhook_configs().create(&request, &Default::default())?;
/// for config in client.webhook_configs().list(&Default::default())?.value {
///     println!("{} {}", config.id, config.webhook_url);
/// }
/// client.webhook_configs().delete(&saved.id, &Default::default())?;
/// # Ok::<(), batches_client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WebhookConfigs<'a> {
    client: &'a Client,
}

// Defined here rather than beside `Client`'s other methods so that `blocking` only declares
// and re-exports this module: the operations use the client, not the reverse.
impl Client {
    /// The saved webhook configuration operations.
    pub fn webhook_configs(&self) -> WebhookConfigs<'_> {
        WebhookConfigs { client: self }
    }
}

impl<'a> WebhookConfigs<'a> {
    fn operations(&self) -> crate::WebhookConfigs<'a> {
        self.client.client.webhook_configs()
    }

    /// Saves a configuration (same retry rule as the async client).
    pub fn create(
        &self,
        request: &CreateWebhookConfigRequest,
        params: &WebhookConfigParams,
    ) -> Result<Response<WebhookConfig>, Error> {
        self.client.run(self.operations().create(request, params))
    }

    /// Every saved configuration of the project, newest first.
    pub fn list(
        &self,
        params: &WebhookConfigParams,
    ) -> Result<Response<Vec<WebhookConfig>>, Error> {
        self.client.run(self.operations().list(params))
    }

    /// One saved configuration.
    pub fn get(
        &self,
        config_id: &str,
        params: &WebhookConfigParams,
    ) -> Result<Response<WebhookConfig>, Error> {
        self.client.run(self.operations().get(config_id, params))
    }

    /// Changes the fields `request` sets.
    pub fn update(
        &self,
        config_id: &str,
        request: &UpdateWebhookConfigRequest,
        params: &WebhookConfigParams,
    ) -> Result<Response<WebhookConfig>, Error> {
        self.client
            .run(self.operations().update(config_id, request, params))
    }

    /// Deletes a saved configuration.
    pub fn delete(
        &self,
        config_id: &str,
        params: &WebhookConfigParams,
    ) -> Result<Response<()>, Error> {
        self.client.run(self.operations().delete(config_id, params))
    }
}
