//! Presigned result URLs: `/results/{job_id}/{name}?expires=…&signature=…`, outside
//! `/api/`, needing no API key. The signature (HMAC-SHA256 over the job, the result's name
//! and the expiry, truncated to 128 bits, as page tokens are signed) is made with a key
//! kept in the database, so a URL another database signed, or one altered since (another
//! job, another result, a later expiry), is refused, as is one past its expiry.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::page_token::KEY_LEN;

/// Bytes of the signature kept in a URL.
const TAG_LEN: usize = 16;

/// Why a presigned URL was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not signed by this database for this job, result and expiry.
    Signature,
    /// Signed, and past its expiry.
    Expired,
}

impl Refused {
    /// The message of the 403.
    pub fn detail(&self) -> &'static str {
        match self {
            Refused::Signature => {
                "This URL's signature does not match: use the presigned_url the API gave, unchanged"
            }
            Refused::Expired => "This URL has expired: get the job again for a new presigned_url",
        }
    }
}

/// Signs and checks the result URLs of one database.
#[derive(Clone)]
pub struct ResultUrls {
    key: [u8; KEY_LEN],
}

impl ResultUrls {
    /// URLs signed with `key`.
    pub fn new(key: [u8; KEY_LEN]) -> ResultUrls {
        ResultUrls { key }
    }

    fn mac(&self, job_id: &str, name: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(format!("{job_id}\n{name}\n{expires}").as_bytes());
        mac
    }

    /// The path and query of the URL of result `name` of `job_id`, valid until `expires`
    /// (seconds since the epoch).
    pub fn path(&self, job_id: &str, name: &str, expires: i64) -> String {
        let tag = self.mac(job_id, name, expires).finalize().into_bytes();
        let signature: String = tag[..TAG_LEN]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("/results/{job_id}/{name}?expires={expires}&signature={signature}")
    }

    /// Checks a URL's parts at `now` (seconds since the epoch).
    pub fn check(
        &self,
        job_id: &str,
        name: &str,
        expires: Option<&str>,
        signature: Option<&str>,
        now: i64,
    ) -> Result<(), Refused> {
        let expires: i64 = expires
            .and_then(|text| text.parse().ok())
            .ok_or(Refused::Signature)?;
        let signature = signature
            .filter(|text| text.len() == TAG_LEN * 2)
            .and_then(|text| {
                (0..TAG_LEN)
                    .map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
                    .collect::<Option<Vec<u8>>>()
            })
            .ok_or(Refused::Signature)?;
        self.mac(job_id, name, expires)
            .verify_truncated_left(&signature)
            .map_err(|_| Refused::Signature)?;
        if now >= expires {
            return Err(Refused::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(path: &str) -> (String, String, String, String) {
        let (path, query) = path.split_once('?').unwrap();
        let segments: Vec<&str> = path.split('/').collect();
        let mut expires = String::new();
        let mut signature = String::new();
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap();
            match key {
                "expires" => expires = value.into(),
                _ => signature = value.into(),
            }
        }
        (segments[2].into(), segments[3].into(), expires, signature)
    }

    #[test]
    fn a_url_is_good_until_it_expires_and_only_unchanged_and_from_its_database() {
        let urls = ResultUrls::new([7; KEY_LEN]);
        let (job, name, expires, signature) = parts(&urls.path("pjb-1", "markdown", 1000));
        let check = |urls: &ResultUrls, job: &str, name: &str, expires: &str, now| {
            urls.check(job, name, Some(expires), Some(&signature), now)
        };
        assert_eq!(check(&urls, &job, &name, &expires, 999), Ok(()));
        assert_eq!(
            check(&urls, &job, &name, &expires, 1000),
            Err(Refused::Expired)
        );
        assert_eq!(
            check(&urls, "pjb-2", &name, &expires, 1),
            Err(Refused::Signature)
        );
        assert_eq!(
            check(&urls, &job, "text", &expires, 1),
            Err(Refused::Signature)
        );
        assert_eq!(
            check(&urls, &job, &name, "2000", 1),
            Err(Refused::Signature)
        );
        let other = ResultUrls::new([8; KEY_LEN]);
        assert_eq!(
            check(&other, &job, &name, &expires, 1),
            Err(Refused::Signature)
        );
        assert_eq!(
            urls.check(&job, &name, Some(&expires), Some("zz"), 1),
            Err(Refused::Signature)
        );
        assert_eq!(
            urls.check(&job, &name, None, None, 1),
            Err(Refused::Signature)
        );
    }
}
