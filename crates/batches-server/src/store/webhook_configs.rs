//! Saved webhook configurations: create, list, get, update, delete. Each row keeps the
//! configuration as a batch create would give it inline (`WebhookConfiguration`, secret
//! included); the wire form (`WebhookConfig`) says only whether a secret is set.

use batches_types::{
    CreateWebhookConfigRequest, UpdateWebhookConfigRequest, WebhookConfig, WebhookConfiguration,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{clock::to_datetime, connection::Store, error::StoreError};
use crate::rules::{Refusal, new_id};

/// The owner kind of every saved configuration: the emulator keeps them per project.
const TENANT_TYPE: &str = "project";

/// The refusal for a saved configuration that does not exist in the caller's project.
pub fn webhook_config_not_found(id: &str) -> Refusal {
    Refusal::NotFound(format!("Webhook configuration {id} not found"))
}

fn stored(text: &str) -> rusqlite::Result<WebhookConfiguration> {
    serde_json::from_str(text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, error.into())
    })
}

/// The wire form of a row (`id, project_id, configuration, created_at, updated_at`).
fn wire(row: &Row<'_>) -> rusqlite::Result<WebhookConfig> {
    let configuration = stored(&row.get::<_, String>(2)?)?;
    let mut config = WebhookConfig::new(
        row.get::<_, String>(0)?,
        configuration.webhook_url.unwrap_or_default(),
        configuration.webhook_signing_secret.is_some(),
        row.get::<_, String>(1)?,
        TENANT_TYPE,
    );
    config.webhook_events = configuration.webhook_events;
    config.webhook_headers = configuration.webhook_headers;
    config.webhook_output_format = configuration.webhook_output_format;
    config.created_at = Some(to_datetime(row.get(3)?));
    config.updated_at = Some(to_datetime(row.get(4)?));
    Ok(config)
}

fn load(conn: &Connection, project_id: &str, id: &str) -> Result<WebhookConfig, StoreError> {
    conn.prepare_cached(
        "SELECT id, project_id, configuration, created_at, updated_at FROM webhook_configs
         WHERE id = ? AND project_id = ?",
    )?
    .query_row([id, project_id], wire)
    .optional()?
    .ok_or_else(|| webhook_config_not_found(id).into())
}

/// The saved configuration `id` of the project, secret included, as a batch delivers to it.
pub fn saved_configuration(
    conn: &Connection,
    project_id: &str,
    id: &str,
) -> Result<WebhookConfiguration, StoreError> {
    let text: Option<String> = conn
        .prepare_cached(
            "SELECT configuration FROM webhook_configs WHERE id = ? AND project_id = ?",
        )?
        .query_row([id, project_id], |row| row.get(0))
        .optional()?;
    match text {
        Some(text) => Ok(stored(&text)?),
        None => Err(webhook_config_not_found(id).into()),
    }
}

fn text(configuration: &WebhookConfiguration) -> String {
    serde_json::to_string(configuration).expect("a configuration always serializes")
}

impl Store {
    /// Saves a configuration and returns its wire form.
    pub fn create_webhook_config(
        &self,
        project_id: &str,
        request: &CreateWebhookConfigRequest,
    ) -> Result<WebhookConfig, StoreError> {
        let configuration = WebhookConfiguration {
            webhook_url: Some(request.webhook_url.clone()),
            webhook_events: request.webhook_events.clone(),
            webhook_headers: request.webhook_headers.clone(),
            webhook_output_format: request.webhook_output_format.clone(),
            webhook_signing_secret: request.webhook_signing_secret.clone(),
            ..WebhookConfiguration::default()
        };
        self.transaction(|tx, clock| {
            let id = new_id("whc");
            let now = clock.tick();
            tx.prepare_cached(
                "INSERT INTO webhook_configs (id, project_id, configuration, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?)",
            )?
            .execute(params![id, project_id, text(&configuration), now, now])?;
            load(tx, project_id, &id)
        })
    }

    /// Every saved configuration of the project, newest first.
    pub fn list_webhook_configs(&self, project_id: &str) -> Result<Vec<WebhookConfig>, StoreError> {
        self.with_connection(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, project_id, configuration, created_at, updated_at
                     FROM webhook_configs WHERE project_id = ?
                     ORDER BY created_at DESC, id DESC",
                )?
                .query_map([project_id], wire)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// One saved configuration of the project.
    pub fn get_webhook_config(
        &self,
        project_id: &str,
        id: &str,
    ) -> Result<WebhookConfig, StoreError> {
        self.with_connection(|conn| load(conn, project_id, id))
    }

    /// Changes the fields the request has; the others stay as they are.
    pub fn update_webhook_config(
        &self,
        project_id: &str,
        id: &str,
        request: &UpdateWebhookConfigRequest,
    ) -> Result<WebhookConfig, StoreError> {
        self.transaction(|tx, clock| {
            let mut configuration = saved_configuration(tx, project_id, id)?;
            let UpdateWebhookConfigRequest {
                webhook_url,
                webhook_events,
                webhook_headers,
                webhook_output_format,
                webhook_signing_secret,
                extra: _,
            } = request.clone();
            configuration.webhook_url = webhook_url.or(configuration.webhook_url);
            configuration.webhook_events = webhook_events.or(configuration.webhook_events);
            configuration.webhook_headers = webhook_headers.or(configuration.webhook_headers);
            configuration.webhook_output_format =
                webhook_output_format.or(configuration.webhook_output_format);
            configuration.webhook_signing_secret =
                webhook_signing_secret.or(configuration.webhook_signing_secret);
            tx.prepare_cached(
                "UPDATE webhook_configs SET configuration = ?, updated_at = ? WHERE id = ?",
            )?
            .execute(params![text(&configuration), clock.tick(), id])?;
            load(tx, project_id, id)
        })
    }

    /// Deletes a saved configuration. Batches created with it keep their copy.
    pub fn delete_webhook_config(&self, project_id: &str, id: &str) -> Result<(), StoreError> {
        self.with_connection(|conn| {
            let deleted = conn
                .prepare_cached("DELETE FROM webhook_configs WHERE id = ? AND project_id = ?")?
                .execute([id, project_id])?;
            if deleted == 0 {
                return Err(webhook_config_not_found(id).into());
            }
            Ok(())
        })
    }
}
