//! The request encoding of every server function: JSON in a POST body, refusing unknown fields.
//!
//! JSON (rather than the default url-encoded form) matters for CSRF too: a form on another site
//! cannot send `application/json` without a CORS preflight, which this server never grants.

use serde::{de::DeserializeOwned, Serialize};
use server_fn::codec::Post;
use server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use std::fmt;

/// JSON that fails to decode when the body holds a field the arguments do not have, at any depth.
pub struct StrictJsonEncoding;

/// `input = StrictJson` in a `#[server]` attribute.
pub type StrictJson = Post<StrictJsonEncoding>;

impl ContentType for StrictJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for StrictJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

#[derive(Debug)]
pub struct StrictJsonError(String);

impl fmt::Display for StrictJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<T: Serialize> Encodes<T> for StrictJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for StrictJsonEncoding {
    type Error = StrictJsonError;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        decode_strict(&bytes)
    }
}

/// Decodes JSON, refusing unknown fields anywhere in the document.
pub fn decode_strict<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StrictJsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let mut unknown = Vec::new();
    let value: T = serde_ignored::deserialize(&mut deserializer, |path| {
        unknown.push(path.to_string());
    })
    .map_err(|e| StrictJsonError(e.to_string()))?;
    deserializer
        .end()
        .map_err(|e| StrictJsonError(e.to_string()))?;
    if unknown.is_empty() {
        Ok(value)
    } else {
        Err(StrictJsonError(format!(
            "unknown fields: {}",
            unknown.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Args {
        login_id: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        n: u8,
    }

    #[test]
    fn unknown_fields_are_refused_at_any_depth() {
        assert!(decode_strict::<Args>(br#"{"login_id":"1","inner":{"n":1}}"#).is_ok());
        let top = decode_strict::<Args>(br#"{"login_id":"1","inner":{"n":1},"admin":true}"#);
        assert!(top.unwrap_err().to_string().contains("admin"));
        let deep = decode_strict::<Args>(br#"{"login_id":"1","inner":{"n":1,"x":0}}"#);
        assert!(deep.unwrap_err().to_string().contains("inner.x"));
        assert!(decode_strict::<Args>(br#"{"login_id":"1","inner":{"n":1}} trailing"#).is_err());
    }
}
