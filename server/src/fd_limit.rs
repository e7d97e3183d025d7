//! The limit on open files. Every WebSocket is a file descriptor, and the
//! usual soft limit (1024) is far below `limits.max_connections` (10,000 by
//! default): past it `accept` fails and clients see refused connections
//! instead of the server's own `503 too_many_connections`. The hard limit is
//! what an administrator allows, so the server takes all of it.

/// Raises the soft `RLIMIT_NOFILE` of this process to its hard limit and
/// returns the soft limit now in force. Best effort: on failure the old
/// limit stays, which still serves small centers. An unlimited hard limit is
/// left alone, since not every system accepts an unlimited soft one.
#[cfg(unix)]
pub fn raise_open_files_limit() -> std::io::Result<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    match (limit.current, limit.maximum) {
        (Some(current), Some(maximum)) if current < maximum => {
            setrlimit(Resource::Nofile, Rlimit { current: Some(maximum), maximum: Some(maximum) })?;
            Ok(maximum)
        }
        (current, _) => Ok(current.unwrap_or(u64::MAX)),
    }
}

/// Elsewhere there is no such limit to raise.
#[cfg(not(unix))]
pub fn raise_open_files_limit() -> std::io::Result<u64> {
    Ok(u64::MAX)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let raised = raise_open_files_limit().expect("raising to the hard limit is always allowed");
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        assert_eq!(limit.current.unwrap_or(u64::MAX), raised);
        if let Some(maximum) = limit.maximum {
            assert_eq!(raised, maximum);
        }
    }
}
