//! `POST /_vpclab/trace` bodies: the question read, traced through the base network, and the
//! answer rendered as the endpoint renders it.

use api::trace::{question, trace_json};

pub fn run(data: &[u8]) {
    let Ok(q) = question(data) else { return };
    crate::traffic::with_base_api(|api| {
        if let Ok(trace) = crate::block_on(api.trace(&q)) {
            let json = trace_json(&q, &trace);
            assert!(json.is_object(), "a trace answer that is not an object: {json}");
        }
    });
}
