//! Plain HTTP: health, and the demo and package folders served as files.

mod common;

use common::TestServer;
use ringside::model::profile::Preset;

#[tokio::test]
async fn the_health_check_answers_200() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let response = reqwest::get(format!("http://{}/healthz", server.addr)).await.expect("request");
    assert_eq!(response.status().as_u16(), 200);
    server.handle.shutdown().await;
}

#[tokio::test]
async fn the_www_and_pkg_folders_are_served_once_they_exist() {
    let web = tempfile::tempdir().expect("tempdir");
    let root = web.path().to_owned();
    let server = TestServer::start(|db| {
        let mut config = common::config(db, Preset::ContactCenter, 5_000, 5_000);
        config.web_root = root.clone();
        config
    })
    .await;
    let get = |path: &str| reqwest::get(format!("http://{}{path}", server.addr));
    // SPEC N6: what the folders do not have is the JSON error, path and all.
    let refused = |path: &'static str, post: bool, status: u16, code: &'static str| {
        let request = if post { reqwest::Client::new().post(format!("http://{}{path}", server.addr)) } else { reqwest::Client::new().get(format!("http://{}{path}", server.addr)) };
        async move {
            let response = request.send().await.expect("request");
            assert_eq!(response.status().as_u16(), status, "{path}");
            let body: serde_json::Value = response.json().await.expect("a JSON error");
            assert_eq!(body["code"], code, "{path}");
            assert!(body["message"].as_str().is_some_and(|m| m.contains(path)), "{path}: {body}");
        }
    };
    // Before the folders are built: a pointer at /, 404 elsewhere.
    let response = get("/").await.expect("request");
    assert_eq!(response.status().as_u16(), 200);
    refused("/pkg/ringside.js", false, 404, "not_found").await;
    refused("/index.html", false, 404, "not_found").await;
    // Built while the server runs.
    std::fs::create_dir_all(root.join("www")).expect("www");
    std::fs::create_dir_all(root.join("pkg")).expect("pkg");
    std::fs::write(root.join("www/index.html"), "<h1>desk</h1>").expect("write");
    std::fs::write(root.join("pkg/ringside.js"), "export {}").expect("write");
    assert_eq!(get("/").await.expect("request").text().await.expect("body"), "<h1>desk</h1>");
    assert_eq!(get("/pkg/ringside.js").await.expect("request").text().await.expect("body"), "export {}");
    refused("/nothing-here", false, 404, "not_found").await;
    refused("/pkg/missing.js", false, 404, "not_found").await;
    // A folder of the package is no page: 404, not a redirect that loses /pkg.
    std::fs::create_dir_all(root.join("pkg/sim")).expect("pkg/sim");
    refused("/pkg/sim", false, 404, "not_found").await;
    refused("/pkg/sim/", false, 404, "not_found").await;
    refused("/pkg/ringside.js", true, 405, "method_not_allowed").await;
    refused("/index.html", true, 405, "method_not_allowed").await;
    server.handle.shutdown().await;
}

/// SPEC N6: a path the server does not have, or a method a path does not
/// take, gets the same JSON error as every other HTTP refusal.
#[tokio::test]
async fn unknown_paths_and_methods_get_json_errors() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let get = |path: &str| reqwest::get(format!("http://{}{path}", server.addr));
    for (path, status, code) in [("/sim/nope", 404, "not_found"), ("/sim/contacts", 405, "method_not_allowed"), ("/healthz/more", 404, "not_found")] {
        let response = get(path).await.expect("request");
        assert_eq!(response.status().as_u16(), status, "{path}");
        let body: serde_json::Value = response.json().await.expect("a JSON error");
        assert_eq!(body["code"], code, "{path}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains(path)), "{path}: {body}");
    }
    let client = reqwest::Client::new();
    for (method, path, status, code) in [
        (reqwest::Method::POST, "/healthz".to_owned(), 405, "method_not_allowed"),
        (reqwest::Method::POST, "/nope".to_owned(), 405, "method_not_allowed"),
        (reqwest::Method::DELETE, "/".to_owned(), 405, "method_not_allowed"),
        (reqwest::Method::POST, "/sim/nope".to_owned(), 405, "method_not_allowed"),
        (reqwest::Method::PUT, "/admin/nope".to_owned(), 405, "method_not_allowed"),
        (reqwest::Method::GET, "/ws".to_owned(), 400, "bad_request"),
        // Names too long for any file: no 500 from the file system.
        (reqwest::Method::GET, format!("/{}", "a".repeat(256)), 404, "not_found"),
        (reqwest::Method::GET, format!("/pkg/{}", "b".repeat(300)), 404, "not_found"),
        (reqwest::Method::GET, format!("/sim/{}", "c".repeat(5_000)), 404, "not_found"),
        (reqwest::Method::GET, "/d".repeat(2_100), 404, "not_found"),
    ] {
        let response = client.request(method.clone(), format!("http://{}{path}", server.addr)).send().await.expect("request");
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
        let body: serde_json::Value = response.json().await.expect("a JSON error");
        assert_eq!(body["code"], code, "{method} {path}: {body}");
    }
    // A request head the HTTP layer cannot read is refused before routing,
    // as docs/server.md says: no JSON there.
    // reqwest will not send so long a path: a raw request instead.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut raw = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    raw.write_all(format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "x".repeat(100_000)).as_bytes()).await.expect("write");
    let mut head = [0u8; 12];
    raw.read_exact(&mut head).await.expect("an answer");
    assert_eq!(&head, b"HTTP/1.1 414");
    server.handle.shutdown().await;
}

#[tokio::test]
async fn the_simulator_lists_its_endpoints_at_sim() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let response = reqwest::get(format!("http://{}/sim/", server.addr)).await.expect("request");
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    let paths: Vec<&str> = body["endpoints"].as_array().expect("a list").iter().filter_map(|e| e["path"].as_str()).collect();
    assert_eq!(
        paths,
        [
            "/sim/contacts",
            "/sim/contacts/{id}/hang_up",
            "/sim/offers/{id}/undeliverable",
            "/sim/interactions/{id}/answer",
            "/sim/interactions/{id}/participants/{participant}/hang_up",
            "/sim/records/{id}/answer",
            "/sim/state",
        ]
    );
    server.handle.shutdown().await;
}

#[tokio::test]
async fn pages_from_allowed_origins_may_call_the_simulator_across_origins() {
    let server = TestServer::start(|db| {
        let mut config = common::config(db, Preset::ContactCenter, 5_000, 5_000);
        config.allowed_origins = vec!["https://crm.example".into()];
        config
    })
    .await;
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, format!("http://{}/sim/contacts", server.addr))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization,content-type")
            .send()
    };
    let allowed = preflight("https://crm.example").await.expect("request");
    assert_eq!(allowed.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("https://crm.example"));
    let refused = preflight("https://evil.example").await.expect("request");
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    server.handle.shutdown().await;
}
