//! Network Access Analyzer: analyses of access scopes and their findings.
//!
//! The semantics engine answers an analysis when it starts ([`netsem::access::analyse`]) and
//! the answer is stored with it, as Reachability Analyzer's analyses are: the start call
//! reports `running`, as AWS does; by the time a client describes it, it has `succeeded` with
//! its findings (each one a path, in Reachability Analyzer's path components).

use super::common::{tag_set, tags_for};
use super::describe::{Ask, describe, in_scope, require_found};
use super::filter::{Table, table};
use super::network_insights::path_component;
use super::page::{paginate, position_id};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::World;
use model::access_analysis::{AccessScopeAnalysis, NewAccessScopeAnalysis};
use model::kinds;
use model::network_insights::AnalysisStatus;
use netsem::trace::Network;
use shapes::ec2::*;
use wire::Timestamp;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("StartNetworkInsightsAccessScopeAnalysis", write(start_analysis)),
        ("DeleteNetworkInsightsAccessScopeAnalysis", write(delete_analysis)),
        ("DescribeNetworkInsightsAccessScopeAnalyses", read(describe_analyses)),
        ("GetNetworkInsightsAccessScopeAnalysisFindings", read(get_findings)),
    ]
}

/// An analysis as reported with `status`: while `running`, without its result.
fn render_analysis(
    a: &AccessScopeAnalysis,
    status: AnalysisStatus,
) -> NetworkInsightsAccessScopeAnalysis {
    let mut out = NetworkInsightsAccessScopeAnalysis {
        network_insights_access_scope_analysis_arn: a.owner.ec2_arn(&a.id),
        network_insights_access_scope_analysis_id: Some(a.id.clone()),
        network_insights_access_scope_id: Some(a.scope_id.clone()),
        start_date: Some(Timestamp(a.started)),
        status: Some(status.as_str().to_owned()),
        tags: tag_set(&a.tags),
        ..NetworkInsightsAccessScopeAnalysis::default()
    };
    if status != AnalysisStatus::Running {
        let r = &a.result;
        out.end_date = a.ended.map(Timestamp);
        out.status_message = r.status_message.clone();
        out.warning_message = r.warning_message.clone();
        out.analyzed_eni_count = Some(r.analyzed_eni_count);
        // `unknown` when the analysis could not be made (INFERRED: AWS names the value only).
        let found = match status {
            AnalysisStatus::Succeeded if r.findings.is_empty() => "false",
            AnalysisStatus::Succeeded => "true",
            _ => "unknown",
        };
        out.findings_found = Some(found.to_owned());
    }
    out
}

fn start_analysis(
    ctx: &Ctx,
    w: &mut World,
    req: StartNetworkInsightsAccessScopeAnalysisRequest,
) -> Outcome<StartNetworkInsightsAccessScopeAnalysisResult> {
    let new = NewAccessScopeAnalysis {
        scope_id: req.network_insights_access_scope_id,
        client_token: Some(req.client_token),
        tags: tags_for(&req.tag_specifications, "network-insights-access-scope-analysis")?,
    };
    let kept = w.quotas.network_insights_access_scope_analysis_findings;
    let id = w.start_network_insights_access_scope_analysis(
        &ctx.scope,
        new,
        Timestamp::now().0,
        |world, access_scope| {
            // The analysis runs before this call changes anything the engine looks at, so the
            // index of the last committed version is the network's.
            let index = ctx.network_index.get(world);
            let net = Network { world, index: &index };
            netsem::access::analyse(&net, access_scope, kept)
        },
    )?;
    let a = w.network_insights_access_scope_analyses.find(
        &kinds::NETWORK_INSIGHTS_ACCESS_SCOPE_ANALYSIS,
        &ctx.scope,
        &id,
    )?;
    Ok(StartNetworkInsightsAccessScopeAnalysisResult {
        network_insights_access_scope_analysis: Some(render_analysis(a, AnalysisStatus::Running)),
    })
}

fn delete_analysis(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteNetworkInsightsAccessScopeAnalysisRequest,
) -> Outcome<DeleteNetworkInsightsAccessScopeAnalysisResult> {
    let id = req.network_insights_access_scope_analysis_id;
    w.delete_network_insights_access_scope_analysis(&ctx.scope, &id)?;
    Ok(DeleteNetworkInsightsAccessScopeAnalysisResult {
        network_insights_access_scope_analysis_id: Some(id),
    })
}

/// "There are no supported filters" (the operation's documentation).
pub(super) const ANALYSIS_FILTERS: Table<AccessScopeAnalysis> = table![];

fn describe_analyses(
    ctx: &Ctx,
    w: &World,
    req: DescribeNetworkInsightsAccessScopeAnalysesRequest,
) -> Outcome<DescribeNetworkInsightsAccessScopeAnalysesResult> {
    let ids = &req.network_insights_access_scope_analysis_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, (1, 100));
    let (from, until) = (req.analysis_start_time_begin, req.analysis_start_time_end);
    let scope_id = req.network_insights_access_scope_id.as_deref();
    let table = &w.network_insights_access_scope_analyses;
    let (network_insights_access_scope_analyses, next_token) = describe(
        ask,
        ANALYSIS_FILTERS,
        |ids| {
            if let Some(s) = scope_id {
                kinds::NETWORK_INSIGHTS_ACCESS_SCOPE.check_format(s)?;
            }
            require_found(table, &kinds::NETWORK_INSIGHTS_ACCESS_SCOPE_ANALYSIS, &ctx.scope, ids)?;
            Ok(in_scope(table, w, &ctx.scope)
                .filter(move |l| scope_id.is_none_or(|s| s == l.row.scope_id))
                .filter(move |l| {
                    from.is_none_or(|t| l.row.started >= t.0)
                        && until.is_none_or(|t| l.row.started <= t.0)
                }))
        },
        |r| render_analysis(r.item, r.result.status),
    )?;
    Ok(DescribeNetworkInsightsAccessScopeAnalysesResult {
        network_insights_access_scope_analyses,
        next_token,
    })
}

fn get_findings(
    ctx: &Ctx,
    w: &World,
    req: GetNetworkInsightsAccessScopeAnalysisFindingsRequest,
) -> Outcome<GetNetworkInsightsAccessScopeAnalysisFindingsResult> {
    let a = w.network_insights_access_scope_analyses.find(
        &kinds::NETWORK_INSIGHTS_ACCESS_SCOPE_ANALYSIS,
        &ctx.scope,
        &req.network_insights_access_scope_analysis_id,
    )?;
    // Findings have no order of their own but the engine's: their page tokens are positions.
    let positioned = a.result.findings.iter().enumerate().map(|(i, f)| (position_id(i), f));
    let (page, next_token) =
        paginate(positioned.collect(), req.max_results, req.next_token.as_deref(), (1, 1000))?;
    Ok(GetNetworkInsightsAccessScopeAnalysisFindingsResult {
        analysis_findings: page
            .into_iter()
            .map(|f| AccessScopeAnalysisFinding {
                finding_components: f.components.iter().map(path_component).collect(),
                finding_id: Some(f.finding_id.clone()),
                network_insights_access_scope_analysis_id: Some(a.id.clone()),
                network_insights_access_scope_id: Some(a.scope_id.clone()),
            })
            .collect(),
        analysis_status: Some(a.result.status.as_str().to_owned()),
        network_insights_access_scope_analysis_id: Some(a.id.clone()),
        next_token,
    })
}
