//! Ringside: the agent-state engine of a contact-center desk.
//!
//! One crate, two hosts. The [`center`] is the authority (routing, offers and
//! RONA, the interaction lifecycle); the [`agent`] replica runs in the page,
//! applies the authority's events, validates the agent's commands with the
//! same [`model::rules`] and derives a render-ready view. Neither reads a
//! clock or does I/O: every input carries `now`, effects come back from
//! `poll_*` calls, and `poll_timeout` / `next_change` say when to call again.
//!
//! ```
//! use ringside::center::Center;
//! use ringside::model::{Actor, CommandId, Profile, Role, ServerTime, SessionId, UserId, Channel, QueueId};
//! use ringside::model::profile::Preset;
//! use ringside::model::state::CommandKind;
//!
//! let mut center = Center::new(Profile::preset(Preset::ContactCenter), [QueueId::from("support")]);
//! let ana = Actor { user: UserId::from("ana"), role: Role::Agent };
//! let mut now = ServerTime(1_000);
//! center.connect(now, SessionId(1), &ana.user);
//! center.command(now, &ana, CommandId::from("c1"), CommandKind::Login).unwrap();
//! center.command(now, &ana, CommandId::from("c2"), CommandKind::SetStatus { status: "available".into(), secondary: None }).unwrap();
//! center.enqueue_contact(now, &QueueId::from("support"), Channel::Voice, "+46 8 123").unwrap();
//!
//! // Drain the events, then sleep until the next deadline and tell the center.
//! while let Some(event) = center.poll_event() {
//!     println!("{} {:?}", event.seq, event.kind);
//! }
//! if let Some(deadline) = center.poll_timeout() {
//!     now = deadline; // a real host sleeps until then
//!     center.handle_timeout(now);
//! }
//! assert_eq!(center.agent(&ana.user).unwrap().status.as_str(), "rona");
//! ```

#![warn(missing_docs)]
// The browser engine is built without std: std's panic machinery formats
// every panic message, which links `core::fmt` and the messages into the
// module. Its own panic handler below traps instead (a panic is a bug: the
// engine must never reach one). Every other build, the server's, the
// simulator's and the tests', keeps std.
#![cfg_attr(all(target_arch = "wasm32", feature = "browser"), no_std)]
// Unsafe code only in the wasm module's export and import declarations
// (src/web/abi.rs) and its memory allocator (src/heap.rs), the two places
// that allow it.
#![deny(unsafe_code)]

// The codec's derives name `::ringside::codec`, inside this crate too.
extern crate self as ringside;
// Collections and text come from `alloc`, which std re-exports, so the
// same paths serve the std builds and the browser engine.
extern crate alloc;

/// The browser engine's panic handler: trap, with no message to format.
#[cfg(all(target_arch = "wasm32", feature = "browser"))]
#[panic_handler]
fn trap(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Every wasm build of the core (the browser engine, the in-page simulator,
/// the benchmark's replay module) allocates with [`heap`]: smaller in the
/// module than Rust's default dlmalloc or talc.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: heap::Heap<heap::WasmMemory> = heap::Heap::new(heap::WasmMemory);

pub mod agent;
// The authority runs at the server and in the simulator, never in the
// browser engine (its indexes are hash maps, which need std).
#[cfg(not(all(target_arch = "wasm32", feature = "browser")))]
pub mod center;
pub mod codec;
#[cfg(any(test, target_arch = "wasm32"))]
#[allow(unsafe_code)]
mod heap;
pub mod model;
pub mod protocol;
pub mod text;
#[cfg(test)]
mod typescript;
#[cfg(feature = "browser")]
pub mod web;
