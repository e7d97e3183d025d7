//! AFL++ entry point: client frames (`ringside_fuzz::frame`).
fn main() {
    afl::fuzz!(|data: &[u8]| ringside_fuzz::frame(data));
}
