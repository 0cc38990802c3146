//! `POST /_vpclab/trace` bodies: the question read, traced through the base network, and the
//! answer rendered as the endpoint renders it.

use api::trace::{TraceAnswer, question};

pub fn run(data: &[u8]) {
    let Ok(q) = question(data) else { return };
    crate::traffic::with_base_api(|api| {
        if let Ok(trace) = crate::block_on(api.trace(&q)) {
            let answer = TraceAnswer::new(&q, &trace);
            let json = serde_json::to_string(&answer).unwrap_or_default();
            let back: Result<TraceAnswer, _> = serde_json::from_str(&json);
            assert_eq!(back.ok(), Some(answer), "a trace answer that does not read back: {json}");
        }
    });
}
