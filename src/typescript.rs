//! The package's TypeScript data types, `js/types.gen.d.ts`, derived from
//! the Rust types by ts-rs (which reads their serde attributes), so the
//! types a page sees cannot drift from what the engine sends and takes.
//!
//! ts-rs derives exist only in this crate's unit-test build: neither the
//! wasm engine nor the server links it. The test below fails when the
//! committed file differs from the derived one; `./scripts/gen-types`
//! writes it afresh.

use crate::agent::link::LinkState;
use crate::agent::{RosterView, View};
use crate::model::state::CommandKind;
use crate::model::Refusal;
use crate::protocol::{codes, ClientMessage, ServerMessage};
use std::collections::BTreeMap;
use ts_rs::{Config, TypeVisitor, TS};

/// The generated file, relative to the crate.
const GENERATED: &str = "js/types.gen.d.ts";

/// Collects the declaration of every named type reachable from the roots.
struct Declarations<'a> {
    config: &'a Config,
    /// Declarations by type name, so the file's order is stable.
    found: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Primitives and wrappers (Vec, Option, Box) have no file of their own.
        if T::output_path().is_some() {
            let name = T::ident(self.config);
            if self.found.contains_key(&name) {
                return;
            }
            let docs = T::docs().unwrap_or_default();
            self.found.insert(name, format!("{docs}export {}\n", T::decl(self.config)));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

/// The whole generated file.
fn generate() -> String {
    // Every integer on the wire fits a JS number: ids, times and counts.
    let config = Config::new().with_large_int("number");
    let mut declarations = Declarations { config: &config, found: BTreeMap::new() };
    declarations.visit::<View>();
    declarations.visit::<RosterView<'static>>();
    declarations.visit::<CommandKind>();
    declarations.visit::<ClientMessage>();
    declarations.visit::<ServerMessage>();
    declarations.visit::<LinkState>();
    declarations.visit::<Refusal>();
    let mut out = String::from(
        "// Generated from the Rust types by `./scripts/gen-types`; do not edit.\n\
         // Field names are the wire's and the view's (snake_case).\n\n",
    );
    out.push_str(
        "/**\n * Every stable error code: refusals of commands and frames, the server's own\n \
         * conditions, and the codes this package makes up itself (docs/protocol.md).\n */\n",
    );
    out.push_str("export type ErrorCode =\n");
    for code in codes::all() {
        out.push_str(&format!("  | \"{code}\"\n"));
    }
    out.push_str(";\n");
    for declaration in declarations.found.values() {
        out.push('\n');
        out.push_str(&tidy(declaration));
    }
    out
}

/// Lays out a declaration for people: ts-rs runs fields and closing braces
/// together on long lines; this puts one field per line, indents by
/// nesting, and writes a one-line doc comment on one line.
fn tidy(raw: &str) -> String {
    let split = raw.replace(", }", ",\n}");
    let lines: Vec<&str> = split.lines().map(str::trim_end).collect();
    let mut out = String::new();
    let mut depth = 0usize;
    let mut at = 0;
    while at < lines.len() {
        let pad = "  ".repeat(depth);
        if lines[at] == "/**" {
            let end = (at..lines.len()).find(|&i| lines[i] == " */").unwrap_or(lines.len());
            let text: Vec<&str> = lines[at + 1..end].iter().map(|l| l.trim_start_matches(" *").trim_start()).collect();
            match text.as_slice() {
                [one] => out.push_str(&format!("{pad}/** {one} */\n")),
                many => {
                    out.push_str(&format!("{pad}/**\n"));
                    for line in many {
                        out.push_str(&format!("{pad} * {line}\n").replace(" * \n", " *\n"));
                    }
                    out.push_str(&format!("{pad} */\n"));
                }
            }
            at = end + 1;
            continue;
        }
        let line = lines[at].trim_start();
        let code: String = line.split('"').step_by(2).collect();
        let leading_closes = line.chars().take_while(|c| *c == '}' || *c == ' ').filter(|c| *c == '}').count();
        out.push_str(&"  ".repeat(depth.saturating_sub(leading_closes)));
        out.push_str(line);
        out.push('\n');
        depth = (depth + code.matches('{').count()).saturating_sub(code.matches('}').count());
        at += 1;
    }
    out
}

#[test]
fn committed_types_match_the_rust_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED);
    let fresh = generate();
    if std::env::var_os("RINGSIDE_WRITE_TYPES").is_some() {
        std::fs::write(&path, &fresh).expect("js/types.gen.d.ts is writable");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == fresh, "{GENERATED} is out of date with the Rust types: run ./scripts/gen-types and commit it");
}
