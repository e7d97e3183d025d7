//! The server under test: the release binary as a child process on a config
//! and database the bench writes in a temporary folder, and what `/metrics`
//! and `/proc` say about it.

use ringside_server::config::Config;
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// How long a fresh server may take to answer `/healthz`.
const START_LIMIT: Duration = Duration::from_secs(60);
/// How long a restart on a full database may take before it counts as failed.
const RESTART_LIMIT: Duration = Duration::from_secs(300);
/// How long a SIGTERM may take to stop the server before it is killed.
const STOP_LIMIT: Duration = Duration::from_secs(30);
/// How often `/healthz` is polled while waiting: the resolution of the
/// restart time.
const HEALTH_POLL: Duration = Duration::from_millis(5);

/// The counters of `/metrics` the bench reads: added to the server in a
/// parallel change, so each may be absent.
const COMMITS: &str = "ringside_store_commits_total";
const STORE_BYTES: &str = "ringside_store_bytes_total";
const INPUTS: &str = "ringside_inputs_total";

/// A running `ringside-server` and its temporary folder.
pub struct ServerProcess {
    binary: PathBuf,
    config: PathBuf,
    log: PathBuf,
    addr: SocketAddr,
    child: Child,
    http: reqwest::Client,
    /// Removed when dropped, after the child (fields drop in order).
    dir: tempfile::TempDir,
}

/// The server's counters at one moment; `None` where the server or the
/// system does not say.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    /// Store transactions, each ending in one fsync (`ringside_store_commits_total`).
    pub commits: Option<f64>,
    /// Bytes appended to the store (`ringside_store_bytes_total`).
    pub store_bytes: Option<f64>,
    /// Inputs the owner applied (`ringside_inputs_total`).
    pub inputs: Option<f64>,
    /// Bytes the process caused to be written to disk (`/proc/PID/io`
    /// `write_bytes`).
    pub disk_bytes: Option<f64>,
}

impl Counters {
    /// What was added between `earlier` and these.
    pub fn since(&self, earlier: &Counters) -> Counters {
        let delta = |now: Option<f64>, then: Option<f64>| Some(now? - then?);
        Counters {
            commits: delta(self.commits, earlier.commits),
            store_bytes: delta(self.store_bytes, earlier.store_bytes),
            inputs: delta(self.inputs, earlier.inputs),
            disk_bytes: delta(self.disk_bytes, earlier.disk_bytes),
        }
    }
}

impl ServerProcess {
    /// Writes a config for `agents` agents signing tokens with `secret`,
    /// starts `binary` on it and waits for `/healthz`; the server and how
    /// long it took to answer.
    pub async fn start(binary: &Path, agents: usize, secret: &str) -> Result<(ServerProcess, Duration), String> {
        Self::start_with(binary, agents, secret, "").await
    }

    /// [`ServerProcess::start`] with `extra` TOML appended to the config
    /// (the presence benchmark's directory).
    pub async fn start_with(binary: &Path, agents: usize, secret: &str, extra: &str) -> Result<(ServerProcess, Duration), String> {
        if !binary.exists() {
            return Err(format!("{} not found: build it with cargo build --release -p ringside-server", binary.display()));
        }
        let dir = tempfile::Builder::new().prefix("ringside-bench-").tempdir().map_err(|e| format!("temporary folder: {e}"))?;
        let addr = free_loopback_port()?;
        let text = config_text(addr, &dir.path().join("ringside.db"), secret, agents) + extra;
        // The server refuses unknown keys: check with its own parser first.
        Config::parse(&text).map_err(|e| format!("the bench wrote a config the server refuses: {e}"))?;
        let config = dir.path().join("config.toml");
        std::fs::write(&config, text).map_err(|e| format!("writing the config: {e}"))?;
        let log = dir.path().join("server.log");
        let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(5)).build().map_err(|e| format!("HTTP client: {e}"))?;
        let child = spawn(binary, &config, &log)?;
        let mut server = ServerProcess { binary: binary.to_owned(), config, log, addr, child, http, dir };
        let took = server.wait_healthy(START_LIMIT).await?;
        Ok((server, took))
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Reads the counters from `/metrics` and `/proc/PID/io`.
    pub async fn counters(&self) -> Counters {
        let metrics = self.get("/metrics").await.ok().filter(|(status, _)| *status == 200).map(|(_, body)| body).unwrap_or_default();
        Counters {
            commits: prometheus_counter(&metrics, COMMITS),
            store_bytes: prometheus_counter(&metrics, STORE_BYTES),
            inputs: prometheus_counter(&metrics, INPUTS),
            disk_bytes: self.proc_field("io", "write_bytes:").map(|bytes| bytes as f64),
        }
    }

    /// One counter of `/metrics`, if the server has it.
    pub async fn metric(&self, name: &str) -> Option<f64> {
        let text = self.get("/metrics").await.ok().filter(|(status, _)| *status == 200).map(|(_, body)| body)?;
        prometheus_counter(&text, name)
    }

    /// Resident memory (`VmRSS`), in bytes.
    pub fn rss_bytes(&self) -> Option<u64> {
        self.proc_field("status", "VmRSS:").map(|kib| kib * 1024)
    }

    /// The size of the database files (with the write-ahead log), in bytes.
    pub fn database_bytes(&self) -> u64 {
        let Ok(entries) = std::fs::read_dir(self.dir.path()) else { return 0 };
        entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("ringside.db"))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    }

    /// Kills the server with SIGKILL (a crash: nothing is flushed), starts
    /// it again on the same config and database and times it from the start
    /// of the new process to `/healthz` answering 200.
    pub async fn crash_and_restart(&mut self) -> Result<Duration, String> {
        self.kill().await?;
        self.start_again().await
    }

    /// Kills the server with SIGKILL and waits for it to exit.
    pub async fn kill(&mut self) -> Result<(), String> {
        self.child.start_kill().map_err(|e| format!("SIGKILL: {e}"))?;
        tokio::time::timeout(STOP_LIMIT, self.child.wait())
            .await
            .map_err(|_| "the killed server did not exit".to_owned())?
            .map_err(|e| format!("waiting for the killed server: {e}"))?;
        Ok(())
    }

    /// Starts the server again on the same config and database and times it
    /// from the start of the new process to `/healthz` answering 200.
    pub async fn start_again(&mut self) -> Result<Duration, String> {
        self.child = spawn(&self.binary, &self.config, &self.log)?;
        self.wait_healthy(RESTART_LIMIT).await
    }

    /// Stops the server with SIGTERM (its graceful shutdown), or SIGKILL if
    /// that takes too long; then the temporary folder is removed.
    pub async fn stop(mut self) -> Result<(), String> {
        let stopped = match self.child.id().and_then(|pid| rustix::process::Pid::from_raw(pid as i32)) {
            Some(pid) => rustix::process::kill_process(pid, rustix::process::Signal::TERM).map_err(|e| format!("SIGTERM: {e}")),
            None => Ok(()), // already exited and reaped
        };
        match tokio::time::timeout(STOP_LIMIT, self.child.wait()).await {
            Ok(Ok(_)) => stopped,
            Ok(Err(e)) => Err(format!("waiting for the server to stop: {e}")),
            Err(_) => {
                let _ = self.child.kill().await;
                Err(format!("the server did not stop within {} s of SIGTERM; killed", STOP_LIMIT.as_secs()))
            }
        }
    }

    /// Polls `/healthz` until it answers 200; fails if the process exits or
    /// `limit` passes. The time from the call to the answer.
    async fn wait_healthy(&mut self, limit: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("the server exited ({status}); its log:\n{}", self.log_tail()));
            }
            if matches!(self.get("/healthz").await, Ok((200, _))) {
                return Ok(started.elapsed());
            }
            if started.elapsed() > limit {
                return Err(format!("no healthy answer within {} s; server log:\n{}", limit.as_secs(), self.log_tail()));
            }
            tokio::time::sleep(HEALTH_POLL).await;
        }
    }

    /// `GET path` on the server: the status and the body.
    pub async fn get(&self, path: &str) -> Result<(u16, String), reqwest::Error> {
        let response = self.http.get(format!("http://{}{path}", self.addr)).send().await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }

    /// The first number after `key` in `/proc/PID/<file>`.
    fn proc_field(&self, file: &str, key: &str) -> Option<u64> {
        let text = std::fs::read_to_string(format!("/proc/{}/{file}", self.child.id()?)).ok()?;
        let line = text.lines().find(|line| line.starts_with(key))?;
        line[key.len()..].split_whitespace().next()?.parse().ok()
    }

    /// Sockets the process holds open (TCP and Unix: clients, relays to
    /// other nodes, engine connections), from `/proc/PID/fd`.
    pub fn sockets(&self) -> Option<usize> {
        let entries = std::fs::read_dir(format!("/proc/{}/fd", self.child.id()?)).ok()?;
        Some(entries.flatten().filter(|e| std::fs::read_link(e.path()).is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))).count())
    }

    /// The last lines of the server's log, for error messages.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

/// Starts the server with its output appended to `log`.
fn spawn(binary: &Path, config: &Path, log: &Path) -> Result<Child, String> {
    let open = || File::options().create(true).append(true).open(log).map_err(|e| format!("server log: {e}"));
    Command::new(binary)
        .arg("--config")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(open()?)
        .stderr(open()?)
        // A bench that fails or is interrupted leaves no server behind.
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))
}

/// A loopback port free right now. The config needs a number (port 0 would
/// not say which port was taken), so the bench asks the system for one.
fn free_loopback_port() -> Result<SocketAddr, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("finding a free port: {e}"))?;
    listener.local_addr().map_err(|e| format!("finding a free port: {e}"))
}

/// The server's config for a run with `agents` agents: limits raised so the
/// load is measured rather than refused, logs at `warn` so that 10,000
/// sessions opening are not 10,000 log lines.
fn config_text(addr: SocketAddr, database: &Path, secret: &str, agents: usize) -> String {
    format!(
        r#"listen = "{addr}"
database = "{database}"
token_secret = "{secret}"
log_level = "warn"
queues = ["support"]

[limits]
# Room for every agent plus the bench's own HTTP requests.
max_connections = {connections}
# No per-connection rate limit gets in the way of the offered load.
commands_per_second = 1000000.0
command_burst = 1000000.0
# Agents are quiet for seconds between commands at 10,000 agents, and
# setting up a large fleet takes a while: idle closes would be noise.
ping_interval_ms = 60000
idle_timeout_ms = 600000

[profile]
preset = "contact_center"
"#,
        database = database.display(),
        connections = agents + 100,
    )
}

/// The sum of a Prometheus counter's samples (all label sets) in `/metrics`
/// text; `None` when it has none.
pub fn prometheus_counter(text: &str, name: &str) -> Option<f64> {
    let mut found = None;
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let Some(rest) = line.strip_prefix(name) else { continue };
        let value = match rest.as_bytes().first() {
            Some(b'{') => rest.rsplit_once('}').map(|(_, value)| value),
            Some(b' ' | b'\t') => Some(rest),
            _ => None, // another metric whose name starts with this one
        };
        if let Some(value) = value.and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse::<f64>().ok()) {
            found = Some(found.unwrap_or(0.0) + value);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_summed_over_labels_and_names_are_matched_whole() {
        let text = "# HELP ringside_store_commits_total Commits.\n\
                    # TYPE ringside_store_commits_total counter\n\
                    ringside_store_commits_total 12\n\
                    ringside_store_commits_total_created 99\n\
                    ringside_inputs_total{kind=\"command\"} 5\n\
                    ringside_inputs_total{kind=\"hello\"} 2 1700000000000\n";
        assert_eq!(prometheus_counter(text, COMMITS), Some(12.0));
        assert_eq!(prometheus_counter(text, INPUTS), Some(7.0));
        assert_eq!(prometheus_counter(text, STORE_BYTES), None);
        assert_eq!(prometheus_counter("", COMMITS), None);
    }

    #[test]
    fn the_config_the_bench_writes_is_one_the_server_accepts() {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 4242));
        let text = config_text(addr, Path::new("/tmp/x/ringside.db"), "s3cret", 10_000);
        let config = Config::parse(&text).expect("valid config");
        assert_eq!(config.listen, addr);
        assert!(config.limits.max_connections > 10_000);
    }

    #[test]
    fn deltas_need_both_readings() {
        let before = Counters { commits: Some(10.0), disk_bytes: Some(100.0), ..Counters::default() };
        let after = Counters { commits: Some(25.0), store_bytes: Some(7.0), disk_bytes: Some(400.0), ..Counters::default() };
        let delta = after.since(&before);
        assert_eq!((delta.commits, delta.store_bytes, delta.disk_bytes), (Some(15.0), None, Some(300.0)));
    }
}
