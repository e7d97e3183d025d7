//! The lease on a center: one row per center in the engine's
//! `public.ringside_leases` table, `(center, holder, epoch, expires_at,
//! address)`; `address` is where the holder serves, for the gateways.
//!
//! A node owns a center while its row is unexpired. Every time is the
//! database's clock (`clock_timestamp()`), so the nodes' clocks never have
//! to agree. Taking a lease bumps the epoch; every write of the owner runs
//! in a transaction that first renews the lease for its exact holder and
//! epoch ([`renew`]), so a stale owner, one that was paused past its lease
//! while another took over, has its writes refused by the database itself.

use crate::metrics::Metrics;
use postgres::GenericClient;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The leases table, shared by every center of the engine.
pub const LEASES_SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS public.ringside_leases (center TEXT PRIMARY KEY, holder TEXT NOT NULL, epoch BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL, address TEXT NOT NULL)";

/// A held lease: what a write must present to be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    /// The center.
    pub center: String,
    /// The node holding it.
    pub holder: String,
    /// Bumped by every take-over.
    pub epoch: i64,
    /// How long a renewal keeps the lease.
    pub ttl_ms: u64,
}

fn ttl_secs(ttl_ms: u64) -> f64 {
    ttl_ms as f64 / 1000.0
}

/// Takes the lease on `center` for `holder`, serving at `address`, if
/// nobody holds it or it has expired; `None` while another holder's lease
/// runs.
pub fn try_acquire(client: &mut impl GenericClient, center: &str, holder: &str, address: &str, ttl_ms: u64) -> Result<Option<Fence>, postgres::Error> {
    let row = client.query_opt(
        "INSERT INTO public.ringside_leases AS l (center, holder, epoch, expires_at, address)
         VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3), $4)
         ON CONFLICT (center) DO UPDATE SET holder = EXCLUDED.holder, epoch = l.epoch + 1, expires_at = EXCLUDED.expires_at, address = EXCLUDED.address
         WHERE l.expires_at <= clock_timestamp()
         RETURNING epoch",
        &[&center, &holder, &ttl_secs(ttl_ms), &address],
    )?;
    Ok(row.map(|row| Fence { center: center.to_owned(), holder: holder.to_owned(), epoch: row.get(0), ttl_ms }))
}

/// Extends the lease by its ttl if `fence` still holds it; `false` when it
/// has expired or another node took it. In a transaction, it also locks the
/// lease row until the commit, so no take-over can slip in between.
pub fn renew(client: &mut impl GenericClient, fence: &Fence) -> Result<bool, postgres::Error> {
    let renewed = client.execute(
        "UPDATE public.ringside_leases SET expires_at = clock_timestamp() + make_interval(secs => $4)
         WHERE center = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp()",
        &[&fence.center, &fence.holder, &fence.epoch, &ttl_secs(fence.ttl_ms)],
    )?;
    Ok(renewed == 1)
}

/// Keeps a held lease: renews it every third of its ttl on its own
/// connection (every tenth while renewals fail), and cancels [`LeaseKeeper::lost`] when it is lost: the
/// database refused a renewal, or none succeeded for a whole ttl (counted
/// on this node's monotonic clock from before the last good renewal was
/// sent, so it never outlives the database's view).
///
/// The renewals and that deadline run on two threads: a renewal can hang
/// on an engine that holds the connection open without answering (a
/// stalled disk, a paused machine), and the owner must still give the
/// center up when its lease may have run out.
#[derive(Debug)]
pub struct LeaseKeeper {
    lost: CancellationToken,
    stop: Arc<AtomicBool>,
    metrics: Arc<Metrics>,
}

/// What the keeper's two threads share.
#[derive(Debug)]
struct Watch {
    /// Until when the lease surely holds, by this node's clock.
    valid_until: Mutex<Instant>,
    /// Set when the keeper is dropped (the center handed over, the server
    /// stopping): the threads end without a verdict.
    stop: Arc<AtomicBool>,
    /// Set by the first verdict, so the lease is given up once.
    over: AtomicBool,
    lost: CancellationToken,
    metrics: Arc<Metrics>,
}

impl Watch {
    /// The lease is lost: says why, once, unless the keeper was dropped
    /// (the node may hold the lease again by now).
    fn lose(&self, center: &str, epoch: i64, why: &str) {
        if self.stop.load(Ordering::Relaxed) || self.over.swap(true, Ordering::Relaxed) {
            return;
        }
        self.metrics.lease_held.store(false, Ordering::Relaxed);
        tracing::error!(center, epoch, why, "lost the lease on the center");
        self.lost.cancel();
    }

    /// Whether the threads should end.
    fn ended(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.over.load(Ordering::Relaxed)
    }
}

impl LeaseKeeper {
    /// Starts renewing `fence` (just taken, so valid for a ttl from `taken`).
    pub fn start(connect: postgres::Config, fence: Fence, taken: Instant, metrics: Arc<Metrics>) -> std::io::Result<LeaseKeeper> {
        let lost = CancellationToken::new();
        let stop = Arc::new(AtomicBool::new(false));
        let keeper = LeaseKeeper { lost: lost.clone(), stop: stop.clone(), metrics: metrics.clone() };
        metrics.lease_held.store(true, Ordering::Relaxed);
        metrics.lease_epoch.store(fence.epoch as u64, Ordering::Relaxed);
        let ttl = Duration::from_millis(fence.ttl_ms);
        let watch = Arc::new(Watch { valid_until: Mutex::new(taken + ttl), stop, over: AtomicBool::new(false), lost, metrics });
        let deadline = watch.clone();
        let center = fence.center.clone();
        std::thread::Builder::new().name("lease-deadline".into()).spawn(move || {
            // Wakes often enough to end soon after a drop.
            while !deadline.ended() {
                let until = *deadline.valid_until.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                if now >= until {
                    deadline.lose(&center, fence.epoch, "no renewal succeeded within the lease time");
                    return;
                }
                std::thread::sleep((until - now).min(ttl / 10));
            }
        })?;
        std::thread::Builder::new().name("lease-keeper".into()).spawn(move || {
            let mut client: Option<postgres::Client> = None;
            // After a failure the next try comes sooner: an engine that
            // restarts within the lease is met as soon as it is back.
            let mut pause = ttl / 3;
            loop {
                std::thread::sleep(pause);
                pause = ttl / 10;
                if watch.ended() {
                    return;
                }
                let sent = Instant::now();
                if client.as_ref().is_none_or(|c| c.is_closed()) {
                    client = connect.connect(postgres::NoTls).map_err(|e| tracing::warn!(error = %e, "lease keeper: cannot reach the engine")).ok();
                }
                match client.as_mut().map(|c| renew(c, &fence)) {
                    Some(Ok(true)) => {
                        let mut until = watch.valid_until.lock().unwrap_or_else(PoisonError::into_inner);
                        *until = (*until).max(sent + ttl);
                        Metrics::add(&watch.metrics.lease_renewals, 1);
                        pause = ttl / 3;
                    }
                    Some(Ok(false)) => {
                        watch.lose(&fence.center, fence.epoch, "another node holds it now");
                        return;
                    }
                    Some(Err(e)) => tracing::warn!(error = %e, "lease keeper: renewal failed"),
                    None => {}
                }
            }
        })?;
        Ok(keeper)
    }

    /// Cancelled when the lease is lost.
    pub fn lost(&self) -> CancellationToken {
        self.lost.clone()
    }
}

impl Drop for LeaseKeeper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Not at the thread's next wake, up to a third of the lease later.
        self.metrics.lease_held.store(false, Ordering::Relaxed);
    }
}

/// Where the current holder of `center`'s lease serves; `None` when no
/// lease runs.
pub fn owner_address(client: &mut impl GenericClient, center: &str) -> Result<Option<String>, postgres::Error> {
    let row = client.query_opt("SELECT address FROM public.ringside_leases WHERE center = $1 AND expires_at > clock_timestamp()", &[&center])?;
    Ok(row.map(|r| r.get(0)))
}

/// Gives the lease up (a graceful stop): it expires now, so a standby takes
/// over at its next try instead of after the ttl.
pub fn release(client: &mut impl GenericClient, fence: &Fence) -> Result<(), postgres::Error> {
    client.execute(
        "UPDATE public.ringside_leases SET expires_at = clock_timestamp() WHERE center = $1 AND holder = $2 AND epoch = $3",
        &[&fence.center, &fence.holder, &fence.epoch],
    )?;
    Ok(())
}
