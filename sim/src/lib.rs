//! The in-page simulator (`ringside/sim`): the real [`ringside::center::Center`]
//! compiled into the page beside the engine, with a virtual clock.
//!
//! [`hub::Hub`] is sans-IO: it takes the frames of simulated sockets and the
//! customer's actions, moves time only when told, and queues the frames each
//! socket gets, speaking the server's protocol (`docs/protocol.md`) so the
//! unchanged engine talks to it. The page binding (`web`, wasm32 only) hands
//! those frames to `js/sim.js`, which plays the sockets.

pub mod hub;
#[cfg(target_arch = "wasm32")]
mod web;
