//! AFL++ entry point: the browser engine against the simulator (`ringside_fuzz::engine`).
fn main() {
    afl::fuzz!(|data: &[u8]| ringside_fuzz::engine(data));
}
