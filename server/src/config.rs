//! The server's configuration: one TOML file, every field optional, with
//! defaults that run the demo with no file at all.

use crate::cluster::ClusterSettings;
use crate::presence_adapter::webhook::WebhookSettings;
use ringside::center::Center;
use ringside::model::directory::{check_id, Directory};
use ringside::model::profile::ProfileOverrides;
use ringside::model::{Profile, QueueId};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the server needs to start. Unknown keys in the file are refused.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on (HTTP and WebSocket share it).
    pub listen: SocketAddr,
    /// The SQLite database file; its folder also holds the generated token
    /// secret when none is configured.
    pub database: PathBuf,
    /// The HS256 secret that signs tokens. `RINGSIDE_TOKEN_SECRET` overrides
    /// it; with neither, a random secret is generated once and kept next to
    /// the database.
    pub token_secret: Option<String>,
    /// Origins allowed to open the WebSocket and to call the simulator
    /// across origins (CORS) from a browser, e.g. `http://localhost:8080`;
    /// `"*"` allows any. A page served by this server (same host) is
    /// always allowed; requests without an Origin header (non-browser
    /// clients) are allowed too.
    pub allowed_origins: Vec<String>,
    /// Log filter (`info`, `debug`, `ringside_server=debug`...); `RUST_LOG`
    /// overrides it.
    pub log_level: String,
    /// The folder holding `www/` (the demo) and `pkg/` (the built package).
    pub web_root: PathBuf,
    /// Limits on what one connection or user may do (SPEC N6, N8).
    pub limits: Limits,
    /// The organisation's profile: a preset plus overrides.
    pub profile: ProfileOverrides,
    /// The queues contacts arrive on.
    pub queues: Vec<QueueId>,
    /// Teams, queue memberships with skills, favourites and default phones
    /// of a new center (a stored center keeps its own; the admin API
    /// changes it).
    pub directory: Directory,
    /// Days the status history keeps a change (SPEC S6); 0 keeps it forever.
    pub history_retention_days: u64,
    /// The external presence webhook (SPEC N7); none: no adapter.
    pub presence_webhook: Option<WebhookSettings>,
    /// How long a simulated campaign number rings before the dialler's
    /// rule answers it (`dialler.rs`).
    pub dial_ring_ms: u64,
    /// Cluster mode: the center lives in this PostgreSQL engine, owned by
    /// whichever node holds its lease (`cluster`); none: the embedded
    /// SQLite `database`.
    pub cluster: Option<ClusterSettings>,
}

/// Per-connection and per-user limits (SPEC N5, N6, N8).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Commands per second a connection may send on average (token bucket rate).
    pub commands_per_second: f64,
    /// How many commands may come at once (token bucket size).
    pub command_burst: f64,
    /// How many rate-limited frames within `rate_limit_window_ms` (counted
    /// from the first of them) close the socket with 4008.
    pub rate_limit_strikes: u32,
    /// The window, in milliseconds, in which rate-limit strikes add up.
    pub rate_limit_window_ms: u64,
    /// Milliseconds a new socket has to send its hello (else close 4002).
    pub hello_timeout_ms: u64,
    /// How many of each agent's latest logged inputs are indexed for resume
    /// (SPEC N2); each holds at least one of its events. Bounds the memory of
    /// the resume index per agent.
    pub event_log_per_agent: u32,
    /// How many inputs may wait for the center's owner; past it, commands
    /// get `nack busy`, hellos `error busy`, the simulator 503 `busy`.
    pub input_queue: usize,
    /// How many WebSocket sessions may be open at once; more get 503.
    pub max_connections: usize,
    /// How many sessions one user may have open (tabs, devices); one more
    /// gets `too_many_sessions` and close 4011.
    pub max_sessions_per_user: usize,
    /// How many sockets from one IP address may be open without having said
    /// hello; one more upgrade gets 503 `too_many_pending`.
    pub max_unauthenticated_per_address: usize,
    /// How often the server pings a quiet socket, in milliseconds.
    pub ping_interval_ms: u64,
    /// A socket silent this long (no frame, no pong) is closed with 4010,
    /// so a silently lost connection starts the reconnect grace (SPEC N3).
    pub idle_timeout_ms: u64,
    /// The largest CSV body one import may send, in bytes.
    pub max_import_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            commands_per_second: 20.0,
            command_burst: 40.0,
            rate_limit_strikes: 40,
            rate_limit_window_ms: 10_000,
            hello_timeout_ms: 5_000,
            event_log_per_agent: 256,
            input_queue: 16_384,
            max_connections: 10_000,
            max_sessions_per_user: 16,
            max_unauthenticated_per_address: 64,
            ping_interval_ms: 15_000,
            idle_timeout_ms: 45_000,
            max_import_bytes: 64 << 20,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: PathBuf::from("data/ringside.db"),
            token_secret: None,
            allowed_origins: Vec::new(),
            log_level: "info".to_owned(),
            web_root: PathBuf::from("."),
            limits: Limits::default(),
            profile: ProfileOverrides::default(),
            queues: vec![QueueId::from("support"), QueueId::from("sales")],
            directory: Directory::default(),
            history_retention_days: 90,
            presence_webhook: None,
            dial_ring_ms: crate::dialler::DEFAULT_RING_MS,
            cluster: None,
        }
    }
}

/// Why a configuration could not be used.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read.
    Read(PathBuf, std::io::Error),
    /// The file is not valid TOML for this schema.
    Parse(PathBuf, String),
    /// A value is out of range or the profile is invalid.
    Invalid(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Read(path, e) => write!(f, "cannot read config {}: {e}", path.display()),
            ConfigError::Parse(path, e) => write!(f, "invalid config {}: {e}", path.display()),
            ConfigError::Invalid(e) => write!(f, "invalid config: {e}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads a config file, not yet checked: the command line may still
    /// set what it lacks (`--cluster` gives `[cluster] url`), and
    /// [`Config::check`] runs once it has.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.to_owned(), e))?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse(path.to_owned(), e.to_string()))
    }

    /// Parses and checks config text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse(PathBuf::new(), e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// The server's home center: the first of `[cluster] centers`, else
    /// `default`. Its tokens are the ones the server prints.
    pub fn center(&self) -> &str {
        self.cluster.as_ref().map_or(crate::auth::DEFAULT_CENTER, ClusterSettings::home)
    }

    /// Checks limits, queues, the profile, the directory and the presence
    /// webhook.
    pub fn check(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        if !(l.commands_per_second > 0.0 && l.commands_per_second.is_finite()) {
            return Err(ConfigError::Invalid("limits.commands_per_second must be a positive number".into()));
        }
        if !(l.command_burst >= 1.0 && l.command_burst.is_finite()) {
            return Err(ConfigError::Invalid("limits.command_burst must be at least 1".into()));
        }
        if l.event_log_per_agent == 0 {
            return Err(ConfigError::Invalid("limits.event_log_per_agent must be at least 1".into()));
        }
        if l.input_queue == 0 {
            return Err(ConfigError::Invalid("limits.input_queue must be at least 1".into()));
        }
        if l.ping_interval_ms == 0 || l.idle_timeout_ms <= l.ping_interval_ms {
            return Err(ConfigError::Invalid("limits.idle_timeout_ms must be longer than limits.ping_interval_ms (> 0)".into()));
        }
        let at_least_one = [
            ("rate_limit_window_ms", l.rate_limit_window_ms == 0),
            ("max_sessions_per_user", l.max_sessions_per_user == 0),
            ("max_unauthenticated_per_address", l.max_unauthenticated_per_address == 0),
            // Zero would refuse every socket, or every import.
            ("max_connections", l.max_connections == 0),
            ("max_import_bytes", l.max_import_bytes == 0),
        ];
        if let Some((key, _)) = at_least_one.iter().find(|(_, zero)| *zero) {
            return Err(ConfigError::Invalid(format!("limits.{key} must be at least 1")));
        }
        if self.queues.is_empty() {
            return Err(ConfigError::Invalid("at least one queue is needed".into()));
        }
        // Queue ids travel in offers and interactions (SPEC N8).
        for queue in &self.queues {
            check_id("queues", queue.as_str()).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        }
        self.build_profile()?;
        self.directory.check(|q| self.queues.contains(q)).map_err(|e| ConfigError::Invalid(format!("directory: {e}")))?;
        if let Some(webhook) = &self.presence_webhook {
            webhook.check().map_err(ConfigError::Invalid)?;
        }
        if let Some(problem) = self.cluster.as_ref().and_then(ClusterSettings::problem) {
            return Err(ConfigError::Invalid(problem));
        }
        Ok(())
    }

    /// A new center as configured: the profile, the queues and the directory.
    pub fn new_center(&self) -> Result<Center, ConfigError> {
        let mut center = Center::new(self.build_profile()?, self.queues.clone());
        center.save_directory(self.directory.clone()).map_err(|e| ConfigError::Invalid(format!("directory: {e}")))?;
        Ok(center)
    }

    /// The profile: the preset with the file's overrides, validated.
    pub fn build_profile(&self) -> Result<Profile, ConfigError> {
        self.profile.clone().build().map_err(|e| ConfigError::Invalid(format!("profile: {e}")))
    }

    /// The folder of the database file (where the generated secret lives).
    pub fn data_dir(&self) -> PathBuf {
        match self.database.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_config_makes_a_contact_center_with_support_and_sales() {
        let config = Config::parse("").expect("empty file is valid");
        assert_eq!(config.queues, vec![QueueId::from("support"), QueueId::from("sales")]);
        assert_eq!(config.build_profile().expect("valid").login_status.as_str(), "idle");
    }

    #[test]
    fn the_example_config_parses() {
        let text = include_str!("../config.example.toml");
        let config = Config::parse(text).expect("example is valid");
        assert_eq!(config.limits.command_burst, 40.0);
    }

    /// The example with the commented-out section starting at `start`
    /// (up to the next blank line) uncommented.
    fn uncommented(example: &str, start: &str) -> String {
        let (before, rest) = example.split_at(example.find(start).expect("the section"));
        let end = rest.find("\n\n").unwrap_or(rest.len());
        let section: String = rest[..end].lines().map(|l| format!("{}\n", l.trim_start_matches("# "))).collect();
        format!("{before}{section}{}", &rest[end..])
    }

    // The example's commented-out cluster section is valid once uncommented.
    #[test]
    fn the_cluster_section_parses() {
        let example = include_str!("../config.example.toml");
        let cluster = Config::parse(&uncommented(example, "# [cluster]")).expect("valid").cluster.expect("the section");
        assert_eq!((cluster.node.as_str(), cluster.centers.as_slice(), cluster.lease_ms), ("n1", ["default".to_owned()].as_slice(), 5_000));
        assert_eq!(cluster.problem(), None);
        // Without its URL the section is refused at start, not retried forever.
        let refused = Config::parse("[cluster]\nnode = \"n1\"\n").expect_err("refused");
        assert!(refused.to_string().contains("cluster.url is required"), "{refused}");
    }

    // SPEC N7: the example's commented-out webhook section is valid once
    // uncommented; an https URL (no TLS in the client), an empty secret or a
    // zero delay bound are refused at start.
    #[test]
    fn the_presence_webhook_section_parses_and_is_checked_spec_n7() {
        let example = include_str!("../config.example.toml");
        let webhook = Config::parse(&uncommented(example, "# [presence_webhook]")).expect("valid").presence_webhook.expect("the section");
        assert_eq!((webhook.url.as_str(), webhook.max_delay_ms), ("http://127.0.0.1:9000/presence", 12_000));

        let minimal = "[presence_webhook]\nurl = \"http://127.0.0.1:9000/presence\"\nsecret = \"s\"\n";
        let webhook = Config::parse(minimal).expect("valid").presence_webhook.expect("the section");
        assert_eq!((webhook.max_delay_ms, webhook.inbound_secret), (12_000, None), "the defaults");
        let refused = |text: &str| Config::parse(text).expect_err("refused").to_string();
        assert!(refused(&minimal.replace("http://", "https://")).contains("http://"));
        assert!(refused(&minimal.replace("\"s\"", "\"\"")).contains("secrets"));
        assert!(refused(&format!("{minimal}max_delay_ms = 0\n")).contains("max_delay_ms"));
    }

    // SPEC N8
    #[test]
    fn socket_caps_and_the_strike_window_must_be_positive_spec_n8() {
        let refused = |text: &str| Config::parse(text).expect_err("refused").to_string();
        assert!(refused("[limits]\nrate_limit_window_ms = 0").contains("rate_limit_window_ms"));
        assert!(refused("[limits]\nmax_sessions_per_user = 0").contains("max_sessions_per_user"));
        assert!(refused("[limits]\nmax_unauthenticated_per_address = 0").contains("max_unauthenticated_per_address"));
        assert!(refused("[limits]\nmax_connections = 0").contains("max_connections"));
        assert!(refused("[limits]\nmax_import_bytes = 0").contains("max_import_bytes"));
        let defaults = Config::parse("").expect("valid").limits;
        assert_eq!((defaults.max_sessions_per_user, defaults.max_unauthenticated_per_address), (16, 64));
    }

    // SPEC N8
    #[test]
    fn queue_ids_over_their_bound_are_refused_spec_n8() {
        use ringside::protocol::limits::MAX_ID_BYTES;
        let text = format!("queues = [\"{}\"]", "q".repeat(MAX_ID_BYTES + 1));
        assert!(Config::parse(&text).expect_err("refused").to_string().contains("queues is 65 bytes"));
        assert!(Config::parse("queues = [\"\"]").is_err(), "an empty queue id names nothing");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(Config::parse("lisen = \"127.0.0.1:1\"").is_err());
        assert!(Config::parse("[limits]\nburst = 3").is_err());
    }

    #[test]
    fn profile_overrides_with_channel_tables_apply() {
        let config = Config::parse("[profile]\npreset = \"presence\"\nreconnect_grace_ms = 500\n[profile.channels.voice]\noffer_timeout_ms = 400\n")
            .expect("valid");
        let profile = config.build_profile().expect("valid");
        assert_eq!(profile.reconnect_grace_ms, 500);
        assert_eq!(profile.channel(ringside::model::Channel::Voice).offer_timeout_ms, 400);
    }
}
