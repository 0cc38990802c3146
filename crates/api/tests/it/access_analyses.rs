//! Network Access Analyzer's analyses over the wire, with findings of its own making (the engine
//! that finds them is tested in netsem): findings paged in their stored order, each rendered
//! with Reachability Analyzer's path components; analyses listed by scope and start time.

use crate::{all, call, code, first, ok, scope};
use api::Api;
use model::World;
use model::access_analysis::{AccessAnalysisResult, AccessFinding, NewAccessScopeAnalysis};
use model::access_scope::{
    AccessPathRequest, NewAccessScope, PathStatementRequest, ResourceStatement,
};
use model::network_insights::{AnalysisStatus, ComponentRef, PathComponentRecord};
use store::Store;

/// A world with one scope and one analysis of it holding `findings` findings of two components
/// each, started at `started`: (api, scope id, analysis id).
fn analysed(findings: usize, started: i64) -> (Api, String, String) {
    let mut w = World::default();
    let igw = ResourceStatement {
        resources: Vec::new(),
        resource_types: vec!["AWS::EC2::InternetGateway".into()],
    };
    let req = NewAccessScope {
        match_paths: vec![AccessPathRequest {
            source: Some(PathStatementRequest { packet_header: None, resource: Some(igw) }),
            ..AccessPathRequest::default()
        }],
        client_token: Some("scope".into()),
        ..NewAccessScope::default()
    };
    let scope_id = w.create_network_insights_access_scope(&scope(), req, started).unwrap();
    let component = |n: i32, id: String| PathComponentRecord {
        sequence_number: n,
        component: ComponentRef { id, arn: None, name: None },
        ..PathComponentRecord::default()
    };
    let result = AccessAnalysisResult {
        status: AnalysisStatus::Succeeded,
        analyzed_eni_count: 2,
        findings: (0..findings)
            .map(|i| AccessFinding {
                finding_id: format!("AnalysisFinding-{i}"),
                components: vec![
                    component(1, format!("igw-{i:017x}")),
                    component(2, format!("eni-{i:017x}")),
                ],
            })
            .collect(),
        ..AccessAnalysisResult::default()
    };
    let req = NewAccessScopeAnalysis {
        scope_id: scope_id.clone(),
        client_token: Some("analysis".into()),
        tags: Vec::new(),
    };
    let analysis = w
        .start_network_insights_access_scope_analysis(&scope(), req, started, |_, _| result)
        .unwrap();
    (Api::new(w, Store::in_memory()), scope_id, analysis)
}

fn findings_page(api: &Api, analysis: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("Action", "GetNetworkInsightsAccessScopeAnalysisFindings"),
        ("NetworkInsightsAccessScopeAnalysisId", analysis),
    ];
    pairs.extend_from_slice(extra);
    ok(api, &pairs)
}

#[test]
fn findings_are_paged_in_their_stored_order() {
    let (api, scope_id, analysis) = analysed(12, 1);
    let whole = findings_page(&api, &analysis, &[]);
    assert_eq!(first(&whole, "analysisStatus"), Some("succeeded"));
    assert_eq!(all(&whole, "findingId").len(), 12);
    assert!(first(&whole, "nextToken").is_none());
    // Each finding names its analysis and scope; its components are RA's path components.
    assert!(whole.contains(&format!("<networkInsightsAccessScopeId>{scope_id}<")), "{whole}");
    assert_eq!(all(&whole, "findingComponentSet").len(), 12);
    assert_eq!(all(&whole, "sequenceNumber"), ["1", "2"].repeat(12));
    assert!(whole.contains(&format!("<id>eni-{:017x}</id>", 11)), "{whole}");

    // Five a page: 5, 5, 2, in the same order, the analysis and its status on every page.
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    let mut sizes = Vec::new();
    loop {
        let mut extra = vec![("MaxResults", "5")];
        if let Some(t) = &token {
            extra.push(("NextToken", t));
        }
        let page = findings_page(&api, &analysis, &extra);
        assert_eq!(first(&page, "analysisStatus"), Some("succeeded"));
        assert_eq!(
            first(&page, "networkInsightsAccessScopeAnalysisId").map(str::to_owned),
            Some(analysis.clone())
        );
        let found = all(&page, "findingId");
        sizes.push(found.len());
        ids.extend(found.into_iter().map(str::to_owned));
        match first(&page, "nextToken") {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(sizes, [5, 5, 2]);
    let expected: Vec<String> = (0..12).map(|i| format!("AnalysisFinding-{i}")).collect();
    assert_eq!(ids, expected, "stored order, not id order");

    let get = |extra: &[(&str, &str)]| {
        let mut pairs = vec![
            ("Action", "GetNetworkInsightsAccessScopeAnalysisFindings"),
            ("NetworkInsightsAccessScopeAnalysisId", analysis.as_str()),
        ];
        pairs.extend_from_slice(extra);
        code(&api, &pairs)
    };
    assert_eq!(get(&[("MaxResults", "0")]), "InvalidParameterValue");
    assert_eq!(get(&[("MaxResults", "1001")]), "InvalidParameterValue");
    assert_eq!(get(&[("NextToken", "nope")]), "InvalidNextToken");
    assert_eq!(
        findings_page(&api, &analysis, &[("MaxResults", "1000")]).matches("<findingId>").count(),
        12
    );
}

#[test]
fn an_analysis_is_described_with_what_it_found() {
    let (api, scope_id, analysis) = analysed(1, 1_700_000_000_000);
    let describe = |extra: &[(&str, &str)]| {
        let mut pairs = vec![("Action", "DescribeNetworkInsightsAccessScopeAnalyses")];
        pairs.extend_from_slice(extra);
        ok(&api, &pairs)
    };
    let body = describe(&[("NetworkInsightsAccessScopeAnalysisId.1", &analysis)]);
    assert_eq!(first(&body, "status"), Some("succeeded"));
    assert_eq!(first(&body, "findingsFound"), Some("true"));
    assert_eq!(first(&body, "analyzedEniCount"), Some("2"));
    assert_eq!(first(&body, "startDate"), first(&body, "endDate"));
    assert_eq!(first(&body, "networkInsightsAccessScopeId"), Some(scope_id.as_str()));

    let listed = |extra: &[(&str, &str)]| {
        all(&describe(extra), "networkInsightsAccessScopeAnalysisId").len()
    };
    assert_eq!(listed(&[("NetworkInsightsAccessScopeId", &scope_id)]), 1);
    assert_eq!(listed(&[("NetworkInsightsAccessScopeId", "nis-0123456789abcdef0")]), 0);
    assert_eq!(listed(&[("AnalysisStartTimeBegin", "2023-11-14T22:13:20.000Z")]), 1);
    assert_eq!(listed(&[("AnalysisStartTimeBegin", "2023-11-14T22:13:20.001Z")]), 0);
    assert_eq!(listed(&[("AnalysisStartTimeEnd", "2023-11-14T22:13:19.999Z")]), 0);
    let unknown = [
        ("Action", "DescribeNetworkInsightsAccessScopeAnalyses"),
        ("NetworkInsightsAccessScopeAnalysisId.1", "nisa-0123456789abcdef0"),
    ];
    assert_eq!(code(&api, &unknown), "InvalidNetworkInsightsAccessScopeAnalysisId.NotFound");
    let r = call(
        &api,
        &[("Action", "DescribeNetworkInsightsAccessScopeAnalyses"), ("MaxResults", "101")],
    );
    assert_eq!(first(&r.body, "Code"), Some("InvalidParameterValue"));
}

#[test]
fn an_analysis_without_findings_found_none() {
    let (api, _, analysis) = analysed(0, 1);
    let body = ok(
        &api,
        &[
            ("Action", "DescribeNetworkInsightsAccessScopeAnalyses"),
            ("NetworkInsightsAccessScopeAnalysisId.1", &analysis),
        ],
    );
    assert_eq!(first(&body, "findingsFound"), Some("false"));
    let page = findings_page(&api, &analysis, &[("MaxResults", "1")]);
    assert!(all(&page, "findingId").is_empty() && first(&page, "nextToken").is_none(), "{page}");
}
