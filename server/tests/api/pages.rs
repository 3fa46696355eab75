//! Server-rendered pages: each builds its content once. Server-side rendering walks a page
//! twice (once to find its resources, once to render); a page built again on the second walk
//! would start its server calls again, run their statements again and send their data twice.

use crate::helpers::spawn_app;
use app::backend::demo;

/// The data a page sends the browser to hydrate from, one entry per resource.
fn resources_sent(html: &str) -> usize {
    html.matches("__RESOLVED_RESOURCES[").count()
}

#[tokio::test]
async fn signed_in_pages_build_their_content_once() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    for path in ["/accueil", "/utilisateurs"] {
        let response = admin.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        // The header's session, the footer's deployment, the page's session, the page's data.
        assert_eq!(
            resources_sent(&html),
            4,
            "{path} sent its resources more than once"
        );
        if path == "/utilisateurs" {
            // Julien's login id: once in his row, once in the list the browser hydrates from.
            let julien = demo::JULIEN_BERNARD.login_id;
            assert_eq!(
                html.matches(julien).count(),
                2,
                "the users list was built more than once"
            );
        }
    }
}
