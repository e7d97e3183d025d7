//! The wasm side of the client benchmark: the engine's own
//! [`Replica`] applies a recorded trace of server frames and derives the
//! [`View`] after every one, as the engine does
//! before each render. It lives outside the shipped engine, so the package
//! carries no benchmark code.
//!
//! Frames are handed over as JSON text, a chunk at a time, and decoded by
//! [`Replay::load`] before the timed part: [`Replay::apply`] measures state
//! application and view derivation only, the same work the XState side is
//! timed on (its frames are `JSON.parse`d before its timing starts too).

use ringside::agent::{Replica, View};
use ringside::model::Millis;
use ringside::protocol::ServerMessage;
use wasm_bindgen::prelude::*;

/// A replica fed from a recorded trace.
#[wasm_bindgen]
pub struct Replay {
    replica: Replica,
    /// Decoded frames waiting for [`Replay::apply`], each with the local
    /// time it is applied at.
    loaded: Vec<(Millis, ServerMessage)>,
    /// The server time of the last frame: the replay's clock.
    now: Millis,
    /// A digest of every view derived, so none can be skipped; compared
    /// with the XState side's.
    digest: u32,
}

#[wasm_bindgen]
impl Replay {
    /// An empty replica; the trace's `welcome` frame is its first frame.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Replay {
        Replay { replica: Replica::new("bench"), loaded: Vec::new(), now: Millis(0), digest: 0 }
    }

    /// Decodes newline-separated JSON frames for the next [`Replay::apply`];
    /// returns how many. Untimed: this is what `JSON.parse` is to the page.
    pub fn load(&mut self, frames: &str) -> Result<u32, JsError> {
        self.loaded.clear();
        for line in frames.lines().filter(|l| !l.is_empty()) {
            let frame: ServerMessage = serde_json::from_str(line).map_err(|e| JsError::new(&format!("a frame of the trace: {e}")))?;
            // The replay's local clock is the server's: the view is derived
            // at the instant each event happened.
            self.now = match &frame {
                ServerMessage::Event(event) => Millis(event.at.0),
                ServerMessage::Welcome { server_time, .. } => Millis(server_time.0),
                _ => self.now,
            };
            self.loaded.push((self.now, frame));
        }
        Ok(self.loaded.len() as u32)
    }

    /// Applies the loaded frames in order, deriving the view after each.
    /// Fails on a frame the replica refuses, or on a gap in the numbering
    /// (the replica would ask for a snapshot, which a trace cannot answer).
    pub fn apply(&mut self) -> Result<u32, JsError> {
        let frames = std::mem::take(&mut self.loaded);
        let count = frames.len() as u32;
        for (now, frame) in frames {
            self.replica.handle_message(now, frame).map_err(|e| JsError::new(&e.to_string()))?;
            if self.replica.poll_transmit().is_some() {
                return Err(JsError::new("the trace has a gap: the replica asked for a snapshot"));
            }
            while self.replica.poll_notice().is_some() {}
            let view = self.replica.view(now);
            self.digest = self.digest.wrapping_mul(31).wrapping_add(digest_of(&view));
        }
        Ok(count)
    }

    /// The digest of every view derived so far.
    pub fn digest(&self) -> u32 {
        self.digest
    }

    /// The view at the last frame, as JSON, to compare with the XState
    /// side's at the end of a run.
    pub fn view_json(&self) -> String {
        serde_json::to_string(&self.replica.view(self.now)).unwrap_or_default()
    }
}

impl Default for Replay {
    fn default() -> Replay {
        Replay::new()
    }
}

/// The fields both sides derive, folded into a number cheaply (the fold
/// is part of the timed work on both sides): the status, the last digit of
/// its timer, the offers and their flashes, the interactions with their
/// call states, and the RONA choice.
fn digest_of(view: &View) -> u32 {
    let timer = view.status.timer.as_deref().unwrap_or("");
    let mut value = timer.len() as u32 * 8 + u32::from(timer.as_bytes().last().copied().unwrap_or(0)) * (1 << 21);
    value += view.status.id.as_str().len() as u32 + view.offers.len() as u32 * 256 + view.interactions.len() as u32 * 4096;
    value += view.offers.iter().filter(|o| o.flashing).count() as u32 * 1024;
    value += view.interactions.iter().map(|i| i.call_state as u32 * 65_536).sum::<u32>();
    value + u32::from(view.rona.is_some()) * (1 << 20)
}
