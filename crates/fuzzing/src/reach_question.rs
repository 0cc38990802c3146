//! `POST /_vpclab/reach` bodies: the question read, answered exhaustively on the base network,
//! and the answer rendered as the endpoint renders it.

use api::reach::ReachAnswer;

pub fn run(data: &[u8]) {
    crate::traffic::with_base_api(|api| {
        if let Ok(answer) = crate::block_on(api.reach(data)) {
            let json = serde_json::to_string(&answer).unwrap_or_default();
            let back: Result<ReachAnswer, _> = serde_json::from_str(&json);
            assert_eq!(back.ok(), Some(answer), "a reach answer that does not read back: {json}");
        }
    });
}
