//! Flow log delivery: records the semantics engine produced, written where each matching flow
//! log sends them, under a local root directory.
//!
//! - `s3` → `<root>/s3/<bucket>/<prefix>/AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/
//!   <account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz`, AWS's key
//!   layout (with the Hive-compatible and per-hour variants). One file per flow log and
//!   5-minute window of the records' end time; the file starts with the header line of field
//!   names, as AWS writes it. Later deliveries to the same window append another gzip member,
//!   which `zcat`, `gzip -dc` and every gzip library read as one stream.
//! - `cloud-watch-logs` → `<root>/logs/<log group>/<interface-id>.log`: the log group is a
//!   directory, the log stream (AWS names it after the interface) a file, one line per record,
//!   no header (CloudWatch events have none).
//! - `kinesis-data-firehose`, and S3 flow logs in Parquet format, are accepted by the API but
//!   nothing is delivered for them.
//!
//! A record whose action the flow log does not want (TrafficType) is left out; records
//! without an action (`NODATA`, `SKIPDATA`) go to every flow log.

use flate2::Compression;
use flate2::write::GzEncoder;
use model::World;
use model::flow_log::{Destination, FileFormat, FlowLog, FlowRecord};
use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Seconds of one S3 file's window.
const S3_WINDOW: i64 = 300;

/// Appends each `(interface id, record)` to every flow log that watches the interface and
/// wants the record. Returns the files written, sorted.
pub fn deliver(
    root: &Path,
    world: &World,
    records: &[(String, FlowRecord)],
) -> io::Result<Vec<PathBuf>> {
    // Lines per file, in record order; S3 files also carry their header.
    let mut files: BTreeMap<PathBuf, (Option<String>, Vec<String>)> = BTreeMap::new();
    for (eni, record) in records {
        for log in world.flow_logs_for_interface(eni) {
            if record.action.is_some_and(|a| !log.wants(a)) {
                continue;
            }
            let format = log.format();
            let Some((path, header)) = target(root, log, eni, record) else { continue };
            let entry =
                files.entry(path).or_insert_with(|| (header.then(|| format.header()), vec![]));
            entry.1.push(format.render(record));
        }
    }
    for (path, (header, lines)) in &files {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        match header {
            Some(header) => append_gzip(path, header, lines)?,
            None => append_text(path, lines)?,
        }
    }
    Ok(files.into_keys().collect())
}

/// The file a flow log writes a record to, and whether it is an S3 file (with a header).
fn target(root: &Path, log: &FlowLog, eni: &str, record: &FlowRecord) -> Option<(PathBuf, bool)> {
    match &log.destination {
        Destination::CloudWatchLogs { log_group, .. } => {
            let mut path = root.join("logs");
            push_segments(&mut path, log_group);
            path.push(format!("{}.log", safe_segment(eni)));
            Some((path, false))
        }
        Destination::S3 { bucket, prefix, .. } => {
            let options = log.destination_options.clone().unwrap_or_default();
            if options.file_format == FileFormat::Parquet {
                return None;
            }
            let mut path = root.join("s3");
            path.push(safe_segment(bucket));
            push_segments(&mut path, prefix);
            path.push(s3_key(
                log,
                record.end,
                options.hive_compatible_partitions,
                options.per_hour_partition,
            ));
            Some((path, true))
        }
        Destination::KinesisDataFirehose { .. } => None,
    }
}

/// `AWSLogs/…/<file>.log.gz` for a record ending at `end` (Unix seconds).
fn s3_key(log: &FlowLog, end: i64, hive: bool, hourly: bool) -> String {
    let (account, region) = (&log.owner.account, &log.owner.region);
    let window = end.div_euclid(S3_WINDOW) * S3_WINDOW;
    let t = Utc::from_unix(window);
    let mut key = if hive {
        format!(
            "AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/year={:04}/month={:02}/day={:02}/",
            t.year, t.month, t.day
        )
    } else {
        format!("AWSLogs/{account}/vpcflowlogs/{region}/{:04}/{:02}/{:02}/", t.year, t.month, t.day)
    };
    if hourly {
        key.push_str(&if hive {
            format!("hour={:02}/", t.hour)
        } else {
            format!("{:02}/", t.hour)
        });
    }
    let stamp = format!("{:04}{:02}{:02}T{:02}{:02}Z", t.year, t.month, t.day, t.hour, t.minute);
    let hash = fnv1a(&format!("{}/{window}", log.id)) as u32;
    key.push_str(&format!("{account}_vpcflowlogs_{region}_{}_{stamp}_{hash:08x}.log.gz", log.id));
    key
}

/// A UTC calendar time, to the minute.
struct Utc {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
}

impl Utc {
    fn from_unix(secs: i64) -> Self {
        let (year, month, day) = wire::Timestamp(secs.saturating_mul(1000)).ymd();
        let of_day = secs.rem_euclid(86_400);
        Utc { year, month, day, hour: of_day / 3600, minute: (of_day / 60) % 60 }
    }
}

/// A stable 64-bit hash (FNV-1a), so a window's file keeps its name across deliveries.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Adds the `/`-separated parts of a name (a log group, an S3 prefix) as directories.
fn push_segments(path: &mut PathBuf, name: &str) {
    for seg in name.split('/').filter(|s| !s.is_empty()) {
        path.push(safe_segment(seg));
    }
}

/// A path segment that stays inside its parent: `.` and `..` are escaped.
fn safe_segment(seg: &str) -> String {
    match seg {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        s => s.replace('\\', "%5C"),
    }
}

/// Appends one gzip member; a new file gets the header line first.
fn append_gzip(path: &Path, header: &str, lines: &[String]) -> io::Result<()> {
    let fresh = !path.exists();
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let mut gz = GzEncoder::new(file, Compression::default());
    if fresh {
        writeln!(gz, "{header}")?;
    }
    for line in lines {
        writeln!(gz, "{line}")?;
    }
    gz.finish()?.sync_all()
}

fn append_text(path: &Path, lines: &[String]) -> io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    let mut text = String::new();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::MultiGzDecoder;
    use model::Scope;
    use model::flow_log::{Action, NewFlowLogs};
    use std::io::Read;

    fn gunzip(path: &Path) -> String {
        let mut out = String::new();
        MultiGzDecoder::new(fs::File::open(path).unwrap()).read_to_string(&mut out).unwrap();
        out
    }

    struct Lab {
        world: World,
        scope: Scope,
        vpc: String,
        subnet: String,
        eni: String,
        root: PathBuf,
    }

    fn lab(name: &str) -> Lab {
        let mut world = World::default();
        let scope = Scope::new("123456789012", "us-east-1");
        world.ensure_scope(&scope).unwrap();
        let vpc = world
            .create_vpc(
                &scope,
                model::vpc::NewVpc { cidr: Some("10.0.0.0/16".into()), ..Default::default() },
            )
            .unwrap();
        let subnet = world
            .create_subnet(&scope, &vpc, "10.0.1.0/24", Some("us-east-1a"), None, &[])
            .unwrap();
        let eni = world
            .create_network_interface(
                &scope,
                model::eni::NewInterface { subnet_id: subnet.clone(), ..Default::default() },
            )
            .unwrap();
        let root = std::env::temp_dir().join(format!("vpclab-flow-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        Lab { world, scope, vpc, subnet, eni, root }
    }

    fn flow_log(
        l: &mut Lab,
        resource_type: &str,
        resource: &str,
        traffic: &str,
        dest: (&str, &str),
    ) -> String {
        let mut req = NewFlowLogs {
            resource_type: resource_type.into(),
            resource_ids: vec![resource.into()],
            traffic_type: Some(traffic.into()),
            log_destination_type: Some(dest.0.into()),
            ..Default::default()
        };
        if dest.0 == "cloud-watch-logs" {
            req.log_group_name = Some(dest.1.into());
            req.deliver_logs_permission_arn = Some("arn:aws:iam::123456789012:role/r".into());
        } else {
            req.log_destination = Some(dest.1.into());
        }
        l.world.create_flow_logs(&l.scope, req, 0).unwrap().flow_log_ids.remove(0)
    }

    fn record(eni: &str, action: Action, end: i64) -> FlowRecord {
        FlowRecord {
            account_id: Some("123456789012".into()),
            interface_id: Some(eni.into()),
            srcaddr: Some("10.0.1.5".parse().unwrap()),
            dstaddr: Some("10.0.1.6".parse().unwrap()),
            srcport: Some(40000),
            dstport: Some(443),
            protocol: Some(6),
            packets: Some(3),
            bytes: Some(180),
            start: end - 30,
            end,
            action: Some(action),
            ..Default::default()
        }
    }

    #[test]
    fn s3_files_follow_aws_key_layout_with_a_header() {
        let mut l = lab("s3");
        let (vpc, eni) = (l.vpc.clone(), l.eni.clone());
        let id = flow_log(&mut l, "VPC", &vpc, "ALL", ("s3", "arn:aws:s3:::my-bucket/flows/"));
        // 2024-05-01T12:03:20Z and 12:04:10Z fall in the 12:00 window; 12:06:00Z in 12:05.
        let (t1, t2, t3) = (1_714_565_000, 1_714_565_050, 1_714_565_160);
        let batch = vec![
            (eni.clone(), record(&eni, Action::Accept, t1)),
            (eni.clone(), record(&eni, Action::Reject, t2)),
            (eni.clone(), record(&eni, Action::Accept, t3)),
        ];
        let written = deliver(&l.root, &l.world, &batch).unwrap();
        assert_eq!(written.len(), 2);
        let dir =
            l.root.join("s3/my-bucket/flows/AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/01");
        let name = written[0].file_name().unwrap().to_str().unwrap().to_owned();
        assert_eq!(written[0].parent().unwrap(), dir);
        assert!(
            name.starts_with(&format!("123456789012_vpcflowlogs_us-east-1_{id}_20240501T1200Z_")),
            "{name}"
        );
        assert!(
            name.ends_with(".log.gz")
                && name.len()
                    == format!(
                        "123456789012_vpcflowlogs_us-east-1_{id}_20240501T1200Z_12345678.log.gz"
                    )
                    .len()
        );
        let text = gunzip(&written[0]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
        );
        assert_eq!(
            lines[1],
            format!(
                "2 123456789012 {eni} 10.0.1.5 10.0.1.6 40000 443 6 3 180 {} {t1} ACCEPT OK",
                t1 - 30
            )
        );
        assert!(lines[2].ends_with("REJECT OK"));
        assert_eq!(lines.len(), 3);

        // A later delivery to the same window appends, without a second header.
        let again = deliver(&l.root, &l.world, &batch[..1]).unwrap();
        assert_eq!(again, written[..1]);
        let text = gunzip(&written[0]);
        assert_eq!(text.lines().count(), 4);
        assert_eq!(text.lines().filter(|x| x.starts_with("version ")).count(), 1);
        fs::remove_dir_all(&l.root).unwrap();
    }

    #[test]
    fn hive_and_hourly_partitions() {
        let mut l = lab("hive");
        let (vpc, eni) = (l.vpc.clone(), l.eni.clone());
        let req = NewFlowLogs {
            resource_type: "VPC".into(),
            resource_ids: vec![vpc],
            traffic_type: Some("ALL".into()),
            log_destination_type: Some("s3".into()),
            log_destination: Some("arn:aws:s3:::bucket".into()),
            destination_options: Some((None, Some(true), Some(true))),
            log_format: Some("${srcaddr} ${action}".into()),
            ..Default::default()
        };
        l.world.create_flow_logs(&l.scope, req, 0).unwrap();
        let written = deliver(
            &l.root,
            &l.world,
            &[(eni.clone(), record(&eni, Action::Accept, 1_714_565_000))],
        )
        .unwrap();
        let rel = written[0]
            .strip_prefix(&l.root)
            .unwrap()
            .parent()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            rel,
            "s3/bucket/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=05/day=01/hour=12"
        );
        assert_eq!(gunzip(&written[0]), "srcaddr action\n10.0.1.5 ACCEPT\n");
        fs::remove_dir_all(&l.root).unwrap();
    }

    #[test]
    fn cloud_watch_stream_per_interface_and_traffic_type_filter() {
        let mut l = lab("cwl");
        let (subnet, eni) = (l.subnet.clone(), l.eni.clone());
        flow_log(&mut l, "Subnet", &subnet, "REJECT", ("cloud-watch-logs", "/vpc/../flows"));
        flow_log(
            &mut l,
            "NetworkInterface",
            &eni,
            "ACCEPT",
            ("kinesis-data-firehose", "arn:aws:firehose:us-east-1:123456789012:deliverystream/s"),
        );
        let batch = vec![
            (eni.clone(), record(&eni, Action::Accept, 1_714_565_000)),
            (eni.clone(), record(&eni, Action::Reject, 1_714_565_001)),
            ("eni-12345678".to_owned(), record("eni-12345678", Action::Reject, 1_714_565_002)),
        ];
        let written = deliver(&l.root, &l.world, &batch).unwrap();
        assert_eq!(written, vec![l.root.join("logs/vpc/%2E%2E/flows").join(format!("{eni}.log"))]);
        let text = fs::read_to_string(&written[0]).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(text.ends_with("1714565001 REJECT OK\n"), "{text}");
        fs::remove_dir_all(&l.root).unwrap();
    }

    #[test]
    fn parquet_and_firehose_write_nothing() {
        let mut l = lab("none");
        let (vpc, eni) = (l.vpc.clone(), l.eni.clone());
        let req = NewFlowLogs {
            resource_type: "VPC".into(),
            resource_ids: vec![vpc],
            traffic_type: Some("ALL".into()),
            log_destination_type: Some("s3".into()),
            log_destination: Some("arn:aws:s3:::bucket".into()),
            destination_options: Some((Some("parquet".into()), None, None)),
            ..Default::default()
        };
        l.world.create_flow_logs(&l.scope, req, 0).unwrap();
        let written =
            deliver(&l.root, &l.world, &[(eni.clone(), record(&eni, Action::Accept, 0))]).unwrap();
        assert!(written.is_empty());
        assert!(!l.root.exists());
    }
}
