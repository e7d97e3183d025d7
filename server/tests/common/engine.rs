//! Real services for the cluster tests: a throwaway PostgreSQL on loopback
//! (its own folder and port, so one test can kill and restart it) and
//! server nodes as processes (so a test can kill -9, SIGSTOP and SIGCONT
//! them).

use super::SECRET;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// With `RINGSIDE_TEST_ENGINE` set to a PostgreSQL URL, the servers of the
/// tests run in cluster mode on it, each on a database of its own named
/// after its database path (so a test that restarts on the same path finds
/// its center again), serving the `default` center that the tests' tokens
/// name: the same tests, on the networked store.
pub fn from_env(database: &Path) -> Option<ringside_server::cluster::ClusterSettings> {
    let url = std::env::var("RINGSIDE_TEST_ENGINE").ok().filter(|u| !u.is_empty())?;
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    database.hash(&mut hasher);
    let name = format!("t{:016x}", hasher.finish());
    let own = format!("{}/{name}", url.rsplit_once('/').expect("a URL with a database").0);
    // The blocking client runs a runtime of its own: not on a test's.
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect to the test engine");
        if let Err(e) = client.batch_execute(&format!("CREATE DATABASE {name}")) {
            assert_eq!(e.code(), Some(&postgres::error::SqlState::DUPLICATE_DATABASE), "creating {name}: {e}");
        }
    })
    .join()
    .expect("the database exists");
    Some(ringside_server::cluster::ClusterSettings { url: own, node: "test".into(), lease_ms: 5_000, ..Default::default() })
}

/// `scripts/postgres` with these arguments; its output.
fn script(args: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres");
    let output = Command::new("bash").arg(path).args(args).stdin(Stdio::null()).output().expect("bash runs");
    assert!(output.status.success(), "scripts/postgres {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A PostgreSQL server of its own on loopback (`scripts/postgres`).
pub struct Postgres {
    dir: tempfile::TempDir,
    port: u16,
    url: String,
}

impl Postgres {
    /// A new cluster in a temporary folder, started, with a `ringside` database.
    pub fn start() -> Postgres {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let url = script(&["start", &dir.path().display().to_string(), &port.to_string()]);
        Postgres { dir, port, url }
    }

    fn folder(&self) -> String {
        self.dir.path().display().to_string()
    }

    /// The URL nodes connect with.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Starts the server again on the same folder and port.
    pub fn start_again(&self) {
        script(&["start", &self.folder(), &self.port.to_string()]);
    }

    /// Stops it the way a crash does: no shutdown checkpoint, every
    /// connection cut.
    pub fn crash(&self) {
        script(&["crash", &self.folder()]);
    }

    /// Freezes it (SIGSTOP to the server and its backends), as a stalled
    /// disk or a paused machine does: connections stay open and nothing
    /// answers on them.
    pub fn freeze(&self) {
        self.signal_all("STOP");
    }

    /// Lets a frozen server run again.
    pub fn thaw(&self) {
        self.signal_all("CONT");
    }

    /// Sends `signal` to the postmaster and every process it started.
    fn signal_all(&self, signal: &str) {
        let pid_file = std::fs::read_to_string(self.dir.path().join("data/postmaster.pid")).expect("postmaster.pid");
        let pid = pid_file.lines().next().expect("the postmaster's pid").trim().to_owned();
        // The children first, so none runs on while its parent is stopped.
        let _ = Command::new("pkill").args([&format!("-{signal}"), "-P", &pid]).status();
        assert!(Command::new("kill").args([&format!("-{signal}"), &pid]).status().expect("kill").success());
    }

    /// The first column of the first row of `query`, as text ("" for none).
    pub fn sql(&self, query: &str) -> String {
        let (url, query) = (self.url.clone(), query.to_owned());
        // The blocking client runs a runtime of its own: not on a test's.
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
            let row = client.query_opt(&query, &[]).expect("query");
            row.map(|r| r.get::<_, Option<String>>(0).unwrap_or_default()).unwrap_or_default()
        })
        .join()
        .expect("the query ran")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A test that failed while the server was frozen: it must run to stop.
        let _ = std::panic::catch_unwind(|| self.thaw());
        let _ = std::panic::catch_unwind(|| script(&["crash", &self.folder()]));
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// A server node process in cluster mode.
pub struct Node {
    pub name: String,
    /// Where it serves: as a gateway at first, as the owner once it holds
    /// the lease.
    pub addr: SocketAddr,
    child: Child,
    lines: mpsc::Receiver<String>,
    _dir: tempfile::TempDir,
}

/// What a node prints when it takes the center over.
const OWNS: &str = "owns center";

impl Node {
    /// Starts a node on `engine` with a lease of `lease_ms` and voice offers
    /// of `offer_ms`; it serves as a gateway until it holds the lease.
    pub fn start(name: &str, engine: &Postgres, lease_ms: u64, offer_ms: u64) -> Node {
        Self::start_with(name, engine, lease_ms, offer_ms, "")
    }

    /// [`Node::start`] with `limits` (TOML lines) added to its `[limits]`.
    pub fn start_with(name: &str, engine: &Postgres, lease_ms: u64, offer_ms: u64, limits: &str) -> Node {
        Self::launch(name, engine, lease_ms, offer_ms, limits, &["default"])
    }

    /// A node serving `centers` (the first is its home).
    pub fn start_centers(name: &str, engine: &Postgres, lease_ms: u64, centers: &[&str]) -> Node {
        Self::launch(name, engine, lease_ms, 30_000, "", centers)
    }

    fn launch(name: &str, engine: &Postgres, lease_ms: u64, offer_ms: u64, limits: &str, centers: &[&str]) -> Node {
        let centers: Vec<String> = centers.iter().map(|c| format!("\"{c}\"")).collect();
        let centers = centers.join(", ");
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("node.toml");
        let text = format!(
            "listen = \"127.0.0.1:0\"\ndatabase = \"{}\"\ntoken_secret = \"{SECRET}\"\n\
             [limits]\ncommands_per_second = 100000.0\ncommand_burst = 100000.0\n{limits}\
             [profile.channels.voice]\noffer_timeout_ms = {offer_ms}\n\
             [cluster]\nurl = \"{}\"\nnode = \"{name}\"\nlease_ms = {lease_ms}\ncenters = [{centers}]\n",
            dir.path().join("local.db").display(),
            engine.url()
        );
        std::fs::write(&config, text).expect("config");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ringside-server"))
            .arg("--config")
            .arg(&config)
            .env_remove("RINGSIDE_TOKEN_SECRET")
            .env("RUST_LOG", std::env::var("RINGSIDE_NODE_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the node starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let addr = loop {
            let line = lines.recv_timeout(Duration::from_secs(20)).unwrap_or_else(|_| panic!("{name} did not start"));
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.split('/').next().expect("host:port").parse().expect("an address");
            }
        };
        Node { name: name.to_owned(), addr, child, lines, _dir: dir }
    }

    /// Waits until the node owns the center; its address.
    pub fn owning(&self, within: Duration) -> SocketAddr {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| panic!("{} did not take the center within {within:?}", self.name));
            if line.contains(OWNS) {
                return self.addr;
            }
        }
    }

    /// Whether the node has said it owns the center by now.
    pub fn owns_yet(&self) -> bool {
        self.lines.try_iter().any(|line| line.contains(OWNS))
    }

    /// Sockets the process holds open (clients, links, engine connections).
    pub fn sockets(&self) -> usize {
        let entries = std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).expect("the node's descriptors");
        entries.flatten().filter(|e| std::fs::read_link(e.path()).is_ok_and(|t| t.to_string_lossy().starts_with("socket:"))).count()
    }

    /// Sends a signal (`KILL`, `STOP`, `CONT`).
    pub fn signal(&self, signal: &str) {
        assert!(Command::new("kill").args([&format!("-{signal}"), &self.child.id().to_string()]).status().expect("kill").success());
    }

    /// Whether the process still runs.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    /// Waits for the process to end; its status.
    pub fn exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "{} still runs after {within:?}", self.name);
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
