//! `ringside-server`: serves the desk, the WebSocket and the simulator;
//! `ringside-server token ...` prints a signed token.

use clap::{Parser, Subcommand, ValueEnum};
use ringside::model::Role;
use ringside_server::auth::{resolve_secret, running_secret, Keys};
use ringside_server::config::Config;
use ringside_server::owner::OwnerSender;
use ringside_server::Stopped;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Contact-center agent-state server.
#[derive(Parser)]
#[command(name = "ringside-server", version, about)]
struct Cli {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, global = true)]
    listen: Option<SocketAddr>,
    /// The SQLite database file (default ./data/ringside.db).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    /// A TOML config file (see server/config.example.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Cluster mode: keep the center in this PostgreSQL engine
    /// (postgresql://user@host:port/db) and own it while this node holds
    /// its lease; other nodes stand by. Sets `[cluster] url`.
    #[arg(long)]
    cluster: Option<String>,
    /// This node's name in the cluster (default node-<pid>). Sets `[cluster] node`.
    #[arg(long)]
    node: Option<String>,
    /// The centers this node serves, comma-separated, the same list on
    /// every node (the first is its home). Sets `[cluster] centers`.
    #[arg(long, value_delimiter = ',')]
    centers: Option<Vec<String>>,
    /// Create the sample campaign `renewals` (300 records, agents ana and
    /// ben) at start if the server has no campaign yet.
    #[arg(long)]
    demo_campaign: bool,
    /// Create the demo team `north` (ana, ben, sue) with queue memberships
    /// at start if the stored directory is empty.
    #[arg(long)]
    demo_directory: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Print a signed token for a user.
    Token {
        /// The user id.
        #[arg(long)]
        user: String,
        /// The role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 8 * 3600)]
        ttl: u64,
        /// The center the token is for [default: the home center, the
        /// first of `[cluster] centers`, else `default`].
        #[arg(long)]
        center: Option<String>,
    },
    /// Import calling-list records from a CSV file into a campaign of a
    /// running server (streamed; nothing is imported if a line is bad).
    Import {
        /// The campaign id.
        #[arg(long)]
        campaign: String,
        /// The CSV file (header: name, number, chained, the campaign's fields).
        #[arg(long)]
        file: PathBuf,
        /// The server's address (default: the configured listen address).
        #[arg(long)]
        server: Option<SocketAddr>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Agent,
    Supervisor,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Agent => Role::Agent,
            RoleArg::Supervisor => Role::Supervisor,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// Demo users printed at start.
const DEMO_USERS: [(&str, Role); 3] = [("ana", Role::Agent), ("ben", Role::Agent), ("sue", Role::Supervisor)];

/// Lifetime of the printed demo tokens.
const DEMO_TTL_SECS: u64 = 12 * 3600;

fn load_config(cli: &Cli) -> Result<Config, String> {
    let mut config = match &cli.config {
        Some(path) => Config::load(path).map_err(|e| e.to_string())?,
        None => Config::default(),
    };
    if let Some(listen) = cli.listen {
        config.listen = listen;
    }
    if let Some(data) = &cli.data {
        config.database = data.clone();
    }
    if let Some(url) = &cli.cluster {
        config.cluster.get_or_insert_with(Default::default).url = url.clone();
    }
    if let Some(node) = &cli.node {
        config.cluster.as_mut().ok_or("--node needs --cluster or [cluster] in the config")?.node = node.clone();
    }
    if let Some(centers) = &cli.centers {
        config.cluster.as_mut().ok_or("--centers needs --cluster or [cluster] in the config")?.centers = centers.clone();
    }
    config.check().map_err(|e| e.to_string())?;
    Ok(config)
}

fn init_logs(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal();
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).init();
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is
/// called, not when first polled, so a signal sent right after start-up is
/// not lost to the default action.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn main() -> ExitCode {
    // Best effort: a server that cannot raise it still serves small centers.
    let _ = ringside_server::fd_limit::raise_open_files_limit();
    let cli = Cli::parse();
    let config = match load_config(&cli) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("ringside-server: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::Token { user, role, ttl, center }) = &cli.command {
        if user.trim().is_empty() {
            eprintln!("ringside-server: --user must not be empty");
            return ExitCode::from(2);
        }
        return match resolve_secret(&config) {
            Ok(secret) => {
                let center = center.as_deref().unwrap_or(config.center());
                println!("{}", Keys::new(&secret).for_center(center).issue(user, (*role).into(), *ttl));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("ringside-server: token secret: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::Import { campaign, file, server }) = &cli.command {
        let token = match running_secret(&config) {
            Ok(secret) => Keys::new(&secret).for_center(config.center()).issue("import", Role::Admin, 3600),
            Err(e) => {
                eprintln!("ringside-server: token secret: {e}");
                return ExitCode::FAILURE;
            }
        };
        let server = server.unwrap_or(config.listen);
        return match ringside_server::campaigns::cli::import(server, &token, campaign, file) {
            Ok(answer) => {
                println!("{answer}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("ringside-server: import: {e}");
                ExitCode::FAILURE
            }
        };
    }
    init_logs(&config.log_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ringside-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (demo_campaign, demo_directory) = (cli.demo_campaign, cli.demo_directory);
    runtime.block_on(async move {
        let stop = match stop_signal() {
            Ok(stop) => stop,
            Err(e) => {
                eprintln!("ringside-server: cannot install signal handlers: {e}");
                return ExitCode::FAILURE;
            }
        };
        let database = config.database.clone();
        let clustered = config.cluster.is_some();
        let server = match ringside_server::serve(config).await {
            Ok(server) => server,
            Err(e) => {
                eprintln!("ringside-server: {e}");
                return ExitCode::FAILURE;
            }
        };
        let addr = server.local_addr();
        if clustered {
            // A standby seeds a center once it owns it; it serves meanwhile.
            for (center, ownership) in server.ownership() {
                // Each center stages its demo list in a file of its own.
                let staging = database.with_extension(format!("{center}.db"));
                tokio::spawn(seed_demos(server.owning_center(&center), staging, demo_campaign, demo_directory));
                tokio::spawn(announce_terms(center, ownership));
            }
        } else {
            seed_demos(server.owning(), database, demo_campaign, demo_directory).await;
        }
        // Tokens go in the fragment (#token=...): the page reads them there,
        // and fragments never reach the server's logs or other sites.
        println!("Ringside is running at http://{addr}/. Open the desk as a demo user (each link carries that user's token only):");
        for (user, role) in DEMO_USERS {
            let token = server.keys().issue(user, role, DEMO_TTL_SECS);
            println!("  {user:<6} ({}): http://{addr}/#token={token}", role.name());
        }
        // The admin token drives the simulator API: printed once, labelled,
        // and never inside an agent's link.
        let admin = server.keys().issue("admin", Role::Admin, DEMO_TTL_SECS);
        println!("Customer simulator (admin token, keep it to yourself): http://{addr}/#sim={admin}");
        println!("WebSocket: ws://{addr}/ws   health: http://{addr}/healthz   simulator: http://{addr}/sim/ (admin token)");
        // Other centers: the same users, each its own agent (the token names the center).
        for (center, _) in server.ownership().iter().skip(1) {
            let keys = server.keys().clone().for_center(center);
            let (agent, admin) = (keys.issue("ana", Role::Agent, DEMO_TTL_SECS), keys.issue("admin", Role::Admin, DEMO_TTL_SECS));
            println!("Center {center}: ana (agent): http://{addr}/#token={agent}   simulator: http://{addr}/#sim={admin}");
        }
        println!("Stop with Ctrl-C.");
        let trigger = server.shutdown_trigger();
        tokio::spawn(async move {
            stop.await;
            tracing::info!("stop signal received; shutting down");
            trigger.cancel();
        });
        match server.wait().await {
            Stopped::Asked => ExitCode::SUCCESS,
            Stopped::Failed(e) => {
                eprintln!("ringside-server: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Cluster mode: says when this node takes a center and when it goes back
/// to standing by.
async fn announce_terms(center: String, mut ownership: tokio::sync::watch::Receiver<Option<OwnerSender>>) {
    let mut owned = false;
    loop {
        let owns = ownership.borrow_and_update().is_some();
        if owns != owned {
            owned = owns;
            if owns {
                println!("This node owns center {center} now.");
            } else {
                println!("This node stands by for center {center} now: it lost or handed over the center's lease.");
            }
        }
        if ownership.changed().await.is_err() {
            return;
        }
    }
}

/// Once this node owns the center: creates the demo campaign and directory
/// when asked.
async fn seed_demos(owning: impl std::future::Future<Output = Option<OwnerSender>>, database: PathBuf, campaign: bool, directory: bool) {
    let Some(owner) = owning.await else { return };
    if campaign {
        match ringside_server::campaigns::demo::seed(&owner, &database).await {
            Ok(done) => println!("Demo campaign: {done}."),
            Err(e) => eprintln!("ringside-server: demo campaign: {e}"),
        }
    }
    if directory {
        match ringside_server::directory::demo::seed(&owner).await {
            Ok(done) => println!("Demo directory: {done}."),
            Err(e) => eprintln!("ringside-server: demo directory: {e}"),
        }
    }
}
