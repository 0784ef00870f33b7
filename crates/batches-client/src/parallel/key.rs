//! What a parallel listing reads of each batch: its creation time, which places it in a
//! window, and its id, which names it in errors.

use std::borrow::Cow;

use batches_types::{Batch, DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

/// An item of a listing that can be placed on the time axis.
pub(crate) trait Listed {
    /// The batch's `created_at`; `None` when it is absent, `null` or not a date-time.
    fn created_at(&self) -> Option<DateTime<Utc>>;
    /// The batch's id, for messages (`?` when there is none).
    fn id(&self) -> Cow<'_, str>;
}

impl Listed for Batch {
    fn created_at(&self) -> Option<DateTime<Utc>> {
        self.created_at
    }

    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
}

/// The two fields read from an undecoded batch; everything else is skipped, not parsed
/// into values.
#[derive(Deserialize)]
struct Key<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created_at: Option<Cow<'a, str>>,
}

impl Listed for Box<RawValue> {
    fn created_at(&self) -> Option<DateTime<Utc>> {
        let key: Key<'_> = serde_json::from_str(self.get()).ok()?;
        DateTime::parse_from_rfc3339(&key.created_at?)
            .ok()
            .map(|at| at.to_utc())
    }

    fn id(&self) -> Cow<'_, str> {
        serde_json::from_str::<Key<'_>>(self.get())
            .ok()
            .and_then(|key| key.id)
            .map_or(Cow::Borrowed("?"), |id| Cow::Owned(id.into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn undecoded_batches_give_their_time_and_id() {
        let item = raw(
            r#"{"id":"bat-1","extra":{"created_at":"x"},"created_at":"2026-11-29T10:00:00.000123456+01:00"}"#,
        );
        assert_eq!(
            item.created_at().unwrap().to_rfc3339(),
            "2026-11-29T09:00:00.000123456+00:00"
        );
        assert_eq!(item.id(), "bat-1");
        assert_eq!(
            raw(r#"{"id":"bat-2","created_at":null}"#).created_at(),
            None
        );
        assert_eq!(
            raw(r#"{"id":"bat-3","created_at":"soon"}"#).created_at(),
            None
        );
        assert_eq!(raw(r#"{"created_at":"2026-11-29T10:00:00Z"}"#).id(), "?");
        assert_eq!(raw(r#"{"id":"bat-\u0034"}"#).id(), "bat-4");
    }
}
