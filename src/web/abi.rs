//! The wasm module's exports and imports: the engine's only door to the
//! page, spoken by the package's `js/engine.js`.
//!
//! A handful of plain functions over numbers replaces a binding generator:
//! its glue and the per-export shims on the Rust side cost 3.3 KB gzipped,
//! for calls that pass a few strings. Strings go in through one buffer
//! (`buffer(len)` returns where the page writes UTF-8; the next call takes
//! it), come back through the reply
//! (`reply_ptr`, `reply_len`, read at once after the call), and out to the
//! page through `ringside.deliver`. Engines live in a table by handle, so no
//! pointer the page holds is ever dereferenced; a handle is never given
//! twice, so a freed engine's cannot reach a newer one; and an engine freed
//! while one of its own calls runs lives until that call returns. The only unsafe
//! code is the export and import declarations themselves.

use super::{Engine, Host, Timer};
use crate::model::{Millis, Refusal};
use crate::codec;
use core::cell::Cell;
use alloc::{borrow::ToOwned, rc::Rc, string::String, vec::Vec};

#[link(wasm_import_module = "ringside")]
unsafe extern "C" {
    /// `deliver(engine, kind, kind_len, payload, payload_len)`: both strings
    /// UTF-8 in this module's memory, valid during the call.
    safe fn deliver(engine: u32, kind: *const u8, kind_len: usize, payload: *const u8, payload_len: usize);
    /// `now(engine)`: the engine's clock, in milliseconds.
    safe fn now(engine: u32) -> f64;
}

/// The page's side of one engine, by its handle.
struct Page(u32);

impl Host for Page {
    fn deliver(&self, kind: &str, payload: &str) {
        deliver(self.0, kind.as_ptr(), kind.len(), payload.as_ptr(), payload.len());
    }

    fn now(&self) -> Millis {
        // `as` saturates: NaN and negatives read as 0.
        Millis(now(self.0) as u64)
    }
}

/// What the module holds between calls from the page. Cells, each value
/// taken out while it is used and put back: no borrow is ever held across
/// a call out, so none can fail, and no panic path for one is built in.
struct Exports {
    /// The live engines by handle (a page has one or two).
    engines: Cell<Vec<(u32, Rc<Engine<Page>>)>>,
    next_handle: Cell<u32>,
    inbox: Cell<Vec<u8>>,
    reply: Cell<String>,
}

#[cfg(target_feature = "atomics")]
compile_error!("the engine's exports assume the one thread of wasm32 without atomics");

// SAFETY: wasm32 without the atomics feature (checked above) has one
// thread, so nothing here is ever reached from two threads.
unsafe impl Sync for Exports {}

/// One static, not thread-locals: each access to those carried its own
/// check that the thread is alive, which a module with one thread never
/// needs.
static EXPORTS: Exports = Exports {
    engines: Cell::new(Vec::new()),
    next_handle: Cell::new(1),
    inbox: Cell::new(Vec::new()),
    reply: Cell::new(String::new()),
};

/// Runs `f` on the value of `cell`, taken out for it and put back after:
/// `f` must not reach the same cell, and none of its callers do.
fn using<T: Default, R>(cell: &Cell<T>, f: impl FnOnce(&mut T) -> R) -> R {
    let mut value = cell.take();
    let result = f(&mut value);
    cell.set(value);
    result
}

/// Where the page writes the next call's strings, `len` bytes of UTF-8.
#[unsafe(no_mangle)]
pub extern "C" fn buffer(len: usize) -> *mut u8 {
    // The bytes stay where they are when the vector goes back in its cell.
    using(&EXPORTS.inbox, |inbox| {
        inbox.clear();
        inbox.resize(len, 0);
        inbox.as_mut_ptr()
    })
}

/// The text written into the buffer, taken (empty if it is not UTF-8: the
/// page's TextEncoder writes nothing else).
fn take() -> String {
    String::from_utf8(EXPORTS.inbox.take()).unwrap_or_default()
}

/// Where the last call's reply is (a string of UTF-8).
#[unsafe(no_mangle)]
pub extern "C" fn reply_ptr() -> *const u8 {
    using(&EXPORTS.reply, |reply| reply.as_ptr())
}

/// The length of the last call's reply, in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn reply_len() -> usize {
    using(&EXPORTS.reply, |reply| reply.len())
}

/// Sets the reply: 0 for a value, 1 for the JSON of a refusal.
fn reply(result: Result<String, Refusal>) -> u32 {
    let (status, text) = match result {
        Ok(text) => (0, text),
        Err(refusal) => (1, codec::to_string(&refusal)),
    };
    EXPORTS.reply.set(text);
    status
}

/// The engine of that handle, if live; the table is free again before it
/// is used, so its calls may create and free engines.
fn engine(handle: u32) -> Option<Rc<Engine<Page>>> {
    using(&EXPORTS.engines, |engines| engines.iter().find(|(h, _)| *h == handle).map(|(_, engine)| engine.clone()))
}

/// Runs `f` on the engine of that handle, if live.
fn on(handle: u32, f: impl FnOnce(&Engine<Page>)) {
    if let Some(engine) = engine(handle) {
        f(&engine);
    }
}

/// A new engine (see [`Engine::new`]): the buffer holds the token's
/// `token_len` bytes, then the client tag. Returns its handle.
#[unsafe(no_mangle)]
pub extern "C" fn engine_new(token_len: usize, seed: u32) -> u32 {
    let mut token = take();
    let tag = if token.is_char_boundary(token_len) { token.split_off(token_len) } else { String::new() };
    let handle = EXPORTS.next_handle.get();
    EXPORTS.next_handle.set(handle.wrapping_add(1));
    let engine = Rc::new(Engine::new(token, &tag, seed, Page(handle)));
    using(&EXPORTS.engines, |engines| engines.push((handle, engine)));
    handle
}

/// Frees the engine.
#[unsafe(no_mangle)]
pub extern "C" fn engine_free(handle: u32) {
    let freed = using(&EXPORTS.engines, |engines| engines.iter().position(|(h, _)| *h == handle).map(|at| engines.swap_remove(at)));
    // Dropped after the table is back: the engine's drop may call out.
    drop(freed);
}

/// [`Engine::connect`].
#[unsafe(no_mangle)]
pub extern "C" fn engine_connect(handle: u32) {
    on(handle, |engine| engine.connect());
}

/// [`Engine::opened`].
#[unsafe(no_mangle)]
pub extern "C" fn engine_opened(handle: u32) {
    on(handle, |engine| engine.opened());
}

/// [`Engine::frame_fits`]: 1 when the page may write the frame.
#[unsafe(no_mangle)]
pub extern "C" fn engine_frame_fits(handle: u32, utf16_units: usize) -> u32 {
    engine(handle).is_some_and(|engine| engine.frame_fits(utf16_units)) as u32
}

/// [`Engine::frame`]: the buffer holds the frame.
#[unsafe(no_mangle)]
pub extern "C" fn engine_frame(handle: u32) {
    let text = take();
    on(handle, |engine| engine.frame(&text));
}

/// [`Engine::binary_frame`].
#[unsafe(no_mangle)]
pub extern "C" fn engine_binary_frame(handle: u32) {
    on(handle, |engine| engine.binary_frame());
}

/// [`Engine::closed`]: the buffer holds the reason.
#[unsafe(no_mangle)]
pub extern "C" fn engine_closed(handle: u32, code: u16) {
    let reason = take();
    on(handle, |engine| engine.closed(code, reason));
}

/// [`Engine::fire`]: 0 retry, 1 ping, anything else wake.
#[unsafe(no_mangle)]
pub extern "C" fn engine_fire(handle: u32, timer: u32) {
    let timer = match timer {
        0 => Timer::Retry,
        1 => Timer::Ping,
        _ => Timer::Wake,
    };
    on(handle, |engine| engine.fire(timer));
}

/// The refusal of a call to an engine already freed.
fn gone() -> Refusal {
    Refusal { code: "closed".into(), message: "the engine was freed".into() }
}

/// [`Engine::command`]: the buffer holds the command's JSON; the reply is
/// its id (0) or the refusal (1).
#[unsafe(no_mangle)]
pub extern "C" fn engine_command(handle: u32) -> u32 {
    let json = take();
    reply(engine(handle).ok_or_else(gone).and_then(|engine| engine.command(&json)))
}

/// [`Engine::forget`]: the buffer holds the command's id.
#[unsafe(no_mangle)]
pub extern "C" fn engine_forget(handle: u32) {
    let id = take();
    on(handle, |engine| engine.forget(&id));
}

/// [`Engine::check`]: the buffer holds the command's JSON. 0 with an empty
/// reply when it would be sent, 2 with the rules' refusal when not, 1 with
/// the refusal when it is no command at all.
#[unsafe(no_mangle)]
pub extern "C" fn engine_check(handle: u32) -> u32 {
    let json = take();
    match engine(handle).ok_or_else(gone).and_then(|engine| engine.check(&json)) {
        Ok(None) => reply(Ok(String::new())),
        Ok(Some(refusal)) => reply(Err(refusal)) + 1,
        Err(refusal) => reply(Err(refusal)),
    }
}

/// [`Engine::view`] into the reply (0), or a refusal (1).
#[unsafe(no_mangle)]
pub extern "C" fn engine_view(handle: u32) -> u32 {
    reply(engine(handle).ok_or_else(gone).and_then(|engine| engine.view()))
}

/// [`Engine::roster`] into the reply (0), or a refusal (1).
#[unsafe(no_mangle)]
pub extern "C" fn engine_roster(handle: u32) -> u32 {
    reply(engine(handle).ok_or_else(gone).and_then(|engine| engine.roster()))
}

/// [`Engine::connection_state`] into the reply.
#[unsafe(no_mangle)]
pub extern "C" fn engine_connection_state(handle: u32) -> u32 {
    reply(Ok(engine(handle).map_or("closed", |engine| engine.connection_state()).to_owned()))
}

/// [`Engine::subscribe_roster`].
#[unsafe(no_mangle)]
pub extern "C" fn engine_subscribe_roster(handle: u32) {
    on(handle, |engine| engine.subscribe_roster());
}

/// [`Engine::unsubscribe_roster`].
#[unsafe(no_mangle)]
pub extern "C" fn engine_unsubscribe_roster(handle: u32) {
    on(handle, |engine| engine.unsubscribe_roster());
}

/// [`Engine::update_token`]: the buffer holds the token.
#[unsafe(no_mangle)]
pub extern "C" fn engine_update_token(handle: u32) {
    let token = take();
    on(handle, |engine| engine.update_token(token));
}

/// [`Engine::close`].
#[unsafe(no_mangle)]
pub extern "C" fn engine_close(handle: u32) {
    on(handle, |engine| engine.close());
}
