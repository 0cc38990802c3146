//! Traffic files (`POST /_vpclab/traffic`, `vpclab traffic`): parsed, each flow replayed
//! through the base network, and its flow log records rendered in the default format. (The
//! records' delivery to files is left out: it writes to disk and reads nothing of the input
//! beyond what is checked here.)

use api::Api;
use model::flow_log::LogFormat;
use netsem::flows::{parse, replay};

/// A server holding the base network, shared by the read-only targets of this thread.
pub fn with_base_api<T>(f: impl FnOnce(&Api) -> T) -> T {
    thread_local! {
        static API: Api = crate::base::fresh_api();
    }
    API.with(f)
}

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(flows) = parse(text) else { return };
    let format = LogFormat::default();
    with_base_api(|api| {
        crate::block_on(api.with_network(|net| {
            for flow in &flows {
                let Ok(replayed) = replay(&net, flow, 1_800_000_000) else { continue };
                for (_, record) in &replayed.records {
                    let line = format.render(record);
                    assert!(!line.contains('\n'), "a record spans lines: {line:?}");
                }
            }
        }));
    });
}
