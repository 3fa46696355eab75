//! The browser's files (`/pkg`): served precompressed, brotli to a browser that takes it, gzip
//! to one that takes only gzip, as built otherwise (`scripts/common.sh` writes both copies).

use crate::helpers::{random_name, spawn_app_with};
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING};

#[tokio::test]
async fn the_bundle_is_served_as_brotli_or_gzip_as_the_browser_accepts() {
    let site = std::env::temp_dir().join(format!("habilis-site-{}", random_name()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    // Different bytes in each copy: the answer says which one was sent.
    for (name, bytes) in [
        ("app.wasm", b"raw".as_slice()),
        ("app.wasm.gz", b"gzip".as_slice()),
        ("app.wasm.br", b"brotli".as_slice()),
    ] {
        std::fs::write(pkg.join(name), bytes).unwrap();
    }
    let app = spawn_app_with(&[("HABILIS_SITE_ROOT", site.to_str().unwrap())]).await;
    let http = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    for (accepted, encoding, body) in [
        ("br, gzip, deflate", Some("br"), "brotli"),
        ("gzip", Some("gzip"), "gzip"),
        ("identity", None, "raw"),
    ] {
        let response = http
            .get(format!("http://{}/pkg/app.wasm", app.addr))
            .header(ACCEPT_ENCODING, accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{accepted}");
        let sent = response
            .headers()
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(sent.as_deref(), encoding, "{accepted}");
        assert_eq!(response.text().await.unwrap(), body, "{accepted}");
    }
    std::fs::remove_dir_all(site).unwrap();
}
