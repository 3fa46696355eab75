//! Serves the page on LEPTOS_SITE_ADDR, its files from LEPTOS_SITE_ROOT.

use axum::{serve::ListenerExt, Router};
use hello_world::{shell, App};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

#[tokio::main]
async fn main() {
    let options = get_configuration(None).expect("configuration").leptos_options;
    let address = options.site_addr;
    let routes = generate_route_list(App);
    let app = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options);
    let listener = tokio::net::TcpListener::bind(&address).await.expect("bind");
    println!("listening on http://{}", listener.local_addr().expect("address"));
    // As Habilis's server does: small answers leave without waiting for a delayed ACK.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app.into_make_service()).await.expect("serve");
}
