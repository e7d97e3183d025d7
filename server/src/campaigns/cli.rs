//! `ringside-server import`: sends a CSV file to a running server's import
//! endpoint, streamed from disk, over plain HTTP/1.1 on the loopback or
//! LAN address the server listens on.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;

/// Posts `file` to `/admin/campaigns/{campaign}/records` with an admin
/// token; returns the server's JSON answer, or why it failed (the answer
/// of a refused import lists the bad lines).
pub fn import(server: SocketAddr, token: &str, campaign: &str, file: &Path) -> Result<String, String> {
    let mut input = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let length = input.metadata().map_err(|e| e.to_string())?.len();
    let mut socket = TcpStream::connect(server).map_err(|e| format!("cannot reach {server}: {e}"))?;
    let path: String = campaign.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.~".contains(c) { c.to_string() } else { format!("%{:02X}", c as u32) }).collect();
    write!(
        socket,
        "POST /admin/campaigns/{path}/records HTTP/1.1\r\nHost: {server}\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    std::io::copy(&mut input, &mut socket).map_err(|e| format!("sending the file: {e}"))?;
    let mut reader = BufReader::new(socket);
    let mut status = String::new();
    reader.read_line(&mut status).map_err(|e| e.to_string())?;
    let code: u16 = status.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or("the server's answer is not HTTP")?;
    let mut body = String::new();
    // Headers, then the body; the connection closes after it.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 || line == "\r\n" {
            break;
        }
    }
    reader.read_to_string(&mut body).map_err(|e| e.to_string())?;
    let body = dechunk(&body);
    if (200..300).contains(&code) { Ok(body) } else { Err(format!("HTTP {code}: {body}")) }
}

/// The body of a chunked response (axum chunks when it does not know the
/// length); other bodies as they are.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { return body.to_owned() };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    if out.is_empty() { body.to_owned() } else { out }
}
