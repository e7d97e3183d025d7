//! Prints what a center fuzz input does, one line per input with its answer,
//! to read a crash or a seed:
//!
//! ```text
//! cargo run -p ringside-fuzz --example trace -- fuzz/corpus/center/basic
//! ```
//!
//! A crashing input panics after its last line, with the broken invariant.

use ringside::center::Outcome;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: trace <center input file>");
        std::process::exit(2);
    };
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut n = 0;
    ringside_fuzz::center_observed(&data, |input, applied| {
        n += 1;
        let answer = match &applied.outcome {
            Outcome::Reply(Ok(seq)) => format!("ack {seq}"),
            Outcome::Reply(Err(refusal)) => format!("nack {}", refusal.code),
            Outcome::Contact(Ok(contact)) => format!("contact {contact}"),
            Outcome::Contact(Err(e)) | Outcome::Done(Err(e)) => format!("refused {}", e.code()),
            Outcome::Done(Ok(())) | Outcome::Directory(Ok(())) => "done".to_owned(),
            Outcome::Directory(Err(e)) => format!("refused {}", e.code()),
            Outcome::Applied => "applied".to_owned(),
        };
        println!("{n:3} {input:?} -> {answer}");
    });
    println!("{n} inputs, every invariant held");
}
