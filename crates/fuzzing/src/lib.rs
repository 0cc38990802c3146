//! vpclab's fuzz targets: every decoder of client input, driven from bytes.
//!
//! Each target takes one input, runs it through the code a client reaches, and panics only
//! when something is wrong: a panic in vpclab itself, or a check that fails (an answer that is
//! not well-formed in its service's format, a `5xx` from an in-memory server that cannot fail,
//! a reference left dangling, a signature vpclab made that it then refuses). `fuzz/` wraps
//! each one for cargo-fuzz (`scripts/fuzz.sh`); `tests/corpora.rs` replays the committed
//! corpora and every crash input found, so a fixed crash stays fixed.
//!
//! The targets run against [`base::Base`]: a small network built once through the API (a VPC
//! with subnets, an instance, an ALB with rules, a hosted zone with records), so that inputs
//! can name things that exist.

pub mod alb_request;
pub mod api_requests;
pub mod base;
pub mod dns_message;
pub mod reach_question;
pub mod sigv4;
pub mod trace_question;
pub mod traffic;

/// A fuzz target: one input in, a panic when something is wrong.
pub type Target = fn(&[u8]);

/// Every target by the name its corpus directory and cargo-fuzz binary carry.
pub const TARGETS: &[(&str, Target)] = &[
    ("ec2_query", api_requests::ec2_query),
    ("aws_query", api_requests::aws_query),
    ("aws_json", api_requests::aws_json),
    ("rest_xml", api_requests::rest_xml),
    ("sigv4", sigv4::run),
    ("dns_message", dns_message::run),
    ("alb_request", alb_request::run),
    ("trace_question", trace_question::run),
    ("reach_question", reach_question::run),
    ("traffic", traffic::run),
];

thread_local! {
    /// One runtime per thread: building one per input would cost more than most inputs.
    static RUNTIME: tokio::runtime::Runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => panic!("the fuzz runtime cannot start: {e}"),
    };
}

/// Runs `future` to completion on this thread's runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    RUNTIME.with(|runtime| runtime.block_on(future))
}

/// Splits an input holding several requests (separated by NUL bytes) into at most `max`.
pub(crate) fn pieces(data: &[u8], max: usize) -> impl Iterator<Item = &[u8]> {
    data.split(|b| *b == 0).take(max)
}

/// The first line of `piece` as text, and what follows it.
pub(crate) fn head_and_rest(piece: &[u8]) -> (String, &[u8]) {
    match piece.iter().position(|b| *b == b'\n') {
        Some(at) => (
            String::from_utf8_lossy(piece.get(..at).unwrap_or_default()).into_owned(),
            piece.get(at + 1..).unwrap_or_default(),
        ),
        None => (String::from_utf8_lossy(piece).into_owned(), &[]),
    }
}
