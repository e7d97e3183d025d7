//! AFL++ entry point: input sequences against the center (`ringside_fuzz::center`).
fn main() {
    afl::fuzz!(|data: &[u8]| ringside_fuzz::center(data));
}
