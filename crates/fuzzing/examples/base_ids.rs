//! Prints the ids and ARNs the base network holds, one per line, for `fuzz/seeds.py` to
//! write seeds that name them.

use std::collections::BTreeSet;

fn main() {
    let text = format!("{:?}", fuzzing::base::base().world);
    let ids: BTreeSet<&str> = text
        .split(|c: char| c == '"' || c.is_whitespace())
        .filter(|word| {
            word.starts_with("arn:aws:")
                || word.split_once('-').is_some_and(|(prefix, hex)| {
                    (1..=8).contains(&prefix.len())
                        && prefix.bytes().all(|b| b.is_ascii_lowercase())
                        && hex.len() == 17
                        && hex.bytes().all(|b| b.is_ascii_hexdigit())
                })
                || (word.starts_with('Z')
                    && word.len() > 10
                    && word.bytes().all(|b| b.is_ascii_alphanumeric()))
        })
        .collect();
    for id in ids {
        println!("{id}");
    }
    println!("{}", fuzzing::base::base().load_balancer_dns);
}
