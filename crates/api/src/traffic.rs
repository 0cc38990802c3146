//! vpclab's traffic replay endpoint, `POST /_vpclab/traffic`: a traffic file (format in
//! [`netsem::flows`] and the README) runs through the engine, and the flow log records it
//! leaves are delivered to the flow logs that watch the interfaces it crossed.

use crate::Api;
use crate::flow_delivery::deliver;
use crate::trace::bad_request;
use model::flow_log::{FlowRecord, LogFormat};
use netsem::flows::{parse, replay};
use serde::{Deserialize, Serialize};
use std::path::Path;
use wire::ApiError;

/// What `POST /_vpclab/traffic` answers and `vpclab traffic` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficAnswer {
    pub flows: Vec<FlowView>,
    /// How many flow log records were delivered.
    pub records: usize,
    /// The files they were written to.
    pub files: Vec<String>,
}

/// One line of the traffic file, replayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowView {
    pub line: usize,
    pub from: String,
    pub to: String,
    pub reachable: bool,
    /// The records it left, in the default flow log format.
    pub records: Vec<String>,
}

impl Api {
    /// Replays `text` at Unix time `now`, delivering records under `root`. Refuses the whole
    /// file (nothing delivered) when a line cannot be read or names what does not exist.
    pub async fn replay_traffic(
        &self,
        text: &[u8],
        root: &Path,
        now: i64,
    ) -> Result<TrafficAnswer, ApiError> {
        let text = std::str::from_utf8(text)
            .map_err(|_| bad_request("the traffic file is not UTF-8 text"))?;
        let flows = parse(text).map_err(|e| bad_request(e.to_string()))?;
        let default_format = LogFormat::default();
        let mut all_records: Vec<(String, FlowRecord)> = Vec::new();
        let mut answers = Vec::new();
        self.with_network(|net| -> Result<(), ApiError> {
            for flow in &flows {
                let replayed = replay(&net, flow, now)
                    .map_err(|e| bad_request(format!("line {}: {e}", flow.line)))?;
                answers.push(FlowView {
                    line: flow.line,
                    from: flow.from.to_string(),
                    to: flow.to.to_string(),
                    reachable: replayed.trace.reachable(),
                    records: replayed
                        .records
                        .iter()
                        .map(|(_, r)| default_format.render(r))
                        .collect(),
                });
                all_records.extend(replayed.records);
            }
            Ok(())
        })
        .await?;
        let files = self
            .read(|world| deliver(root, world, &all_records))
            .await
            .map_err(|e| ApiError::internal(format!("writing the flow logs failed: {e}")))?;
        Ok(TrafficAnswer {
            flows: answers,
            records: all_records.len(),
            files: files.iter().map(|f| f.display().to_string()).collect(),
        })
    }
}
