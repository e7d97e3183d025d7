//! The binary: the token and import subcommands, a bad config, and a run
//! stopped by SIGTERM (graceful shutdown).

use ringside::model::Role;
use ringside_server::auth::Keys;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ringside-server"));
    command.env_remove("RINGSIDE_TOKEN_SECRET").env_remove("RUST_LOG");
    command
}

#[test]
fn the_token_subcommand_prints_a_token_signed_with_the_stored_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("data/ringside.db");
    let output = binary()
        .args(["token", "--user", "ana", "--role", "supervisor", "--ttl", "60", "--data"])
        .arg(&db)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let token = String::from_utf8(output.stdout).expect("utf-8");
    let secret = std::fs::read_to_string(dir.path().join("data/token_secret")).expect("secret generated");
    let claims = Keys::new(secret.trim().as_bytes()).verify(token.trim()).expect("valid token");
    assert_eq!((claims.sub.as_str(), claims.role), ("ana", Role::Supervisor));
}

#[test]
fn import_without_the_servers_secret_says_so_and_makes_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("records.csv");
    std::fs::write(&csv, "name,number\nAda,+46 8 555 0101\n").expect("write");
    let db = dir.path().join("nowhere/ringside.db");
    let output = binary().args(["import", "--campaign", "renewals", "--file"]).arg(&csv).arg("--data").arg(&db).output().expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no secret"), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!dir.path().join("nowhere/token_secret").exists(), "a secret made now would match no server");
}

#[test]
fn a_config_file_with_an_unknown_key_is_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\ncolour = \"blue\"\n").expect("write");
    let output = binary().arg("--config").arg(&config).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("colour"));
}

/// `--cluster` sets `[cluster] url`, as `--help` says, also when the config
/// file has a `[cluster]` section without one: the file is checked once the
/// command line is in (here the next problem, a lease too short, is named).
#[test]
fn the_cluster_flag_fills_a_config_section_that_has_no_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("node.toml");
    std::fs::write(&config, "[cluster]\nnode = \"n1\"\nlease_ms = 1\n").expect("write");
    let output = binary().arg("--config").arg(&config).args(["--cluster", "postgresql://ringside@127.0.0.1:1/ringside"]).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cluster.lease_ms") && !stderr.contains("cluster.url is required"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn the_server_prints_demo_tokens_serves_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = binary()
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path().join("ringside.db"))
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut child = KillOnDrop(child);
    let child = &mut child.0;
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let addr = first.split("http://").nth(1).and_then(|rest| rest.split('/').next()).expect("address in the first line").to_owned();
    let mut users = Vec::new();
    for line in lines.by_ref().take(3) {
        let line = line.expect("utf-8");
        assert!(line.contains("/#token=") && !line.contains("sim="), "a desk link with the user's token only: {line}");
        users.push(line.split_whitespace().next().unwrap_or_default().to_owned());
    }
    assert_eq!(users, ["ana", "ben", "sue"]);
    let admin = lines.next().expect("a line").expect("utf-8");
    assert!(admin.starts_with("Customer simulator (admin token") && admin.contains("/#sim="), "{admin}");
    let mut stream = std::net::TcpStream::connect(&addr).expect("listening");
    use std::io::{Read, Write};
    stream.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Ends the child if the test fails half-way.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
