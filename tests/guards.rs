//! Guards on the shape of the code: the sans-IO core never reads a clock.

use std::path::Path;

/// The core modules take `now` from their caller; a clock read inside them
/// would make them untestable with a simulated clock and wrong after a tab
/// slept (SPEC T7).
#[test]
fn the_core_never_reads_a_clock() {
    let forbidden = ["Instant::now", "SystemTime::now", "Date.now", "performance.now", "js_sys::Date"];
    let mut offenders = Vec::new();
    let mut files = 0;
    for module in ["model", "center", "agent", "protocol"] {
        visit(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(module), &mut |path, text| {
            files += 1;
            for needle in forbidden {
                if text.contains(needle) {
                    offenders.push(format!("{} reads the clock with {needle}", path.display()));
                }
            }
        });
    }
    assert!(files >= 8, "the guard read only {files} files: the layout changed");
    assert!(offenders.is_empty(), "{offenders:#?}");
}

fn visit(dir: &Path, check: &mut dyn FnMut(&Path, &str)) {
    for entry in std::fs::read_dir(dir).expect("core module folder") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            visit(&path, check);
        } else if path.extension().is_some_and(|e| e == "rs") {
            check(&path, &std::fs::read_to_string(&path).expect("readable source"));
        }
    }
}
