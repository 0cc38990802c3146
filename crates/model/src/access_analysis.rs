//! Network Access Analyzer's analyses of access scopes: StartNetworkInsightsAccessScopeAnalysis
//! and DeleteNetworkInsightsAccessScopeAnalysis (Describe and GetFindings read the table).
//!
//! As with Reachability Analyzer's analyses, the engine answers when the analysis starts (the
//! caller passes it in, this crate knows no engine) and the answer is stored with it: the
//! network may change later, the findings stay what they were.

use crate::access_scope::client_token;
use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
pub use crate::types::ec2::access_scope::{
    AccessAnalysisResult, AccessFinding, AccessScope, AccessScopeAnalysis, NewAccessScopeAnalysis,
};
use crate::world::{Scope, World};
use codes::Ec2;

impl World {
    /// StartNetworkInsightsAccessScopeAnalysis: `analyse` answers the scope on the network as it
    /// is now. A repeated request (same client token, same scope and tags) answers with the
    /// analysis the first one started; the same token for another scope is a mismatch.
    pub fn start_network_insights_access_scope_analysis(
        &mut self,
        scope: &Scope,
        req: NewAccessScopeAnalysis,
        now: i64,
        analyse: impl FnOnce(&World, &AccessScope) -> AccessAnalysisResult,
    ) -> Result<String> {
        let token = client_token(&req.client_token)?;
        crate::tags::validate(&req.tags)?;
        let access_scope = self.network_insights_access_scopes.find(
            &kinds::NETWORK_INSIGHTS_ACCESS_SCOPE,
            scope,
            &req.scope_id,
        )?;
        let tags = req.tags.into_iter().collect();
        if let Some(earlier) = self
            .network_insights_access_scope_analyses
            .in_scope(scope)
            .find(|a| a.client_token == token)
        {
            return if earlier.scope_id == req.scope_id && earlier.tags == tags {
                Ok(earlier.id.clone())
            } else {
                Err(Error::idempotent_mismatch(&token))
            };
        }
        let quota = self.quotas.network_insights_access_scope_analyses_per_region;
        if self.network_insights_access_scope_analyses.reaches(scope, quota) {
            // The scopes' quota code: AWS documents none for either (see access_scope).
            return Err(Error::quota(
                "network_insights_access_scope_analyses_per_region",
                Ec2::ResourceLimitExceeded,
                format!("You have reached the limit of {quota} Network Access Scope analyses."),
            ));
        }
        let result = analyse(self, access_scope);
        let id = self.fresh_id(kinds::NETWORK_INSIGHTS_ACCESS_SCOPE_ANALYSIS.prefix);
        self.network_insights_access_scope_analyses.insert(
            id.clone(),
            AccessScopeAnalysis {
                id: id.clone(),
                owner: scope.clone(),
                scope_id: req.scope_id,
                started: now,
                // The analysis runs within the call that starts it.
                ended: Some(now),
                client_token: token,
                result,
                tags,
            },
        );
        Ok(id)
    }

    /// DeleteNetworkInsightsAccessScopeAnalysis.
    pub fn delete_network_insights_access_scope_analysis(
        &mut self,
        scope: &Scope,
        id: &str,
    ) -> Result<()> {
        self.network_insights_access_scope_analyses.find(
            &kinds::NETWORK_INSIGHTS_ACCESS_SCOPE_ANALYSIS,
            scope,
            id,
        )?;
        self.network_insights_access_scope_analyses.remove(id);
        Ok(())
    }
}

/// An analysis goes with its scope (DeleteNetworkInsightsAccessScope), so its scope is always
/// there.
impl References for AccessScopeAnalysis {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new(
            "network_insights_access_scope",
            &self.scope_id,
            "NetworkInsightsAccessScopeId",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access_scope::{AccessPathRequest, NewAccessScope, ResourceStatement};
    use crate::testkit::world_with_subnet;
    use crate::types::ec2::network_insights::AnalysisStatus;

    /// A world with two scopes (from and to its subnet): (world, caller, scope ids).
    fn world() -> (World, Scope, [String; 2]) {
        let (mut w, scope, _vpc, subnet) = world_with_subnet("10.0.1.0/24");
        let mut create = |token: &str, source: bool| {
            let statement = Some(crate::access_scope::PathStatementRequest {
                packet_header: None,
                resource: Some(ResourceStatement {
                    resources: vec![subnet.clone()],
                    resource_types: Vec::new(),
                }),
            });
            let path = if source {
                AccessPathRequest { source: statement, ..AccessPathRequest::default() }
            } else {
                AccessPathRequest { destination: statement, ..AccessPathRequest::default() }
            };
            let req = NewAccessScope {
                match_paths: vec![path],
                client_token: Some(token.into()),
                ..NewAccessScope::default()
            };
            w.create_network_insights_access_scope(&scope, req, 1).unwrap()
        };
        let ids = [create("a", true), create("b", false)];
        (w, scope, ids)
    }

    fn finding(n: usize) -> AccessFinding {
        AccessFinding { finding_id: format!("finding-{n}"), components: Vec::new() }
    }

    fn start(w: &mut World, scope: &Scope, scope_id: &str, token: &str) -> Result<String> {
        let req = NewAccessScopeAnalysis {
            scope_id: scope_id.into(),
            client_token: Some(token.into()),
            tags: Vec::new(),
        };
        w.start_network_insights_access_scope_analysis(scope, req, 5, |world, s| {
            assert!(world.network_insights_access_scopes.contains(&s.id));
            AccessAnalysisResult {
                status: AnalysisStatus::Succeeded,
                analyzed_eni_count: 3,
                findings: vec![finding(1), finding(2)],
                ..AccessAnalysisResult::default()
            }
        })
    }

    #[test]
    fn an_analysis_stores_the_engines_answer() {
        let (mut w, scope, [s1, _]) = world();
        let a = start(&mut w, &scope, &s1, "t1").unwrap();
        assert!(a.starts_with("nisa-"), "{a}");
        let stored = w.network_insights_access_scope_analyses.get(&a).unwrap();
        assert_eq!((stored.started, stored.ended), (5, Some(5)));
        assert_eq!(stored.scope_id, s1);
        assert_eq!(stored.result.analyzed_eni_count, 3);
        assert_eq!(stored.result.findings, vec![finding(1), finding(2)]);
        assert_eq!(stored.result.status, AnalysisStatus::Succeeded);
    }

    #[test]
    fn start_needs_a_scope_of_the_caller_and_a_client_token() {
        let (mut w, scope, [s1, _]) = world();
        for (id, code) in [
            ("nis-0123456789abcdef0", "InvalidNetworkInsightsAccessScopeId.NotFound"),
            ("scope-1", "InvalidNetworkInsightsAccessScopeId.Malformed"),
        ] {
            assert_eq!(start(&mut w, &scope, id, "t").unwrap_err().code, code);
        }
        let other = Scope::new("210987654321", "us-east-1");
        assert_eq!(
            start(&mut w, &other, &s1, "t").unwrap_err().code,
            "InvalidNetworkInsightsAccessScopeId.NotFound"
        );
        assert_eq!(start(&mut w, &scope, &s1, "").unwrap_err().code, "MissingParameter");
        assert!(w.network_insights_access_scope_analyses.is_empty());
    }

    #[test]
    fn client_tokens_make_start_idempotent() {
        let (mut w, scope, [s1, s2]) = world();
        let a = start(&mut w, &scope, &s1, "t1").unwrap();
        assert_eq!(start(&mut w, &scope, &s1, "t1").unwrap(), a);
        assert_eq!(
            start(&mut w, &scope, &s2, "t1").unwrap_err().code,
            "IdempotentParameterMismatch"
        );
        let tagged = NewAccessScopeAnalysis {
            scope_id: s1.clone(),
            client_token: Some("t1".into()),
            tags: vec![("k".into(), "v".into())],
        };
        let r = w.start_network_insights_access_scope_analysis(&scope, tagged, 6, |_, _| {
            AccessAnalysisResult::default()
        });
        assert_eq!(r.unwrap_err().code, "IdempotentParameterMismatch");
        assert_ne!(start(&mut w, &scope, &s1, "t2").unwrap(), a);
        assert_eq!(w.network_insights_access_scope_analyses.len(), 2);
    }

    #[test]
    fn analyses_are_bounded_by_their_quota() {
        let (mut w, scope, [s1, _]) = world();
        w.quotas.network_insights_access_scope_analyses_per_region = 1;
        start(&mut w, &scope, &s1, "t1").unwrap();
        let e = start(&mut w, &scope, &s1, "t2").unwrap_err();
        assert_eq!(e.code, "ResourceLimitExceeded");
        assert_eq!(e.quota, Some("network_insights_access_scope_analyses_per_region"));
        // A repeated request is not a new analysis.
        start(&mut w, &scope, &s1, "t1").unwrap();
    }

    #[test]
    fn analyses_are_deleted_alone_or_with_their_scope() {
        let (mut w, scope, [s1, s2]) = world();
        let a = start(&mut w, &scope, &s1, "t1").unwrap();
        let b = start(&mut w, &scope, &s1, "t2").unwrap();
        let c = start(&mut w, &scope, &s2, "t3").unwrap();
        w.delete_network_insights_access_scope_analysis(&scope, &a).unwrap();
        assert_eq!(
            w.delete_network_insights_access_scope_analysis(&scope, &a).unwrap_err().code,
            "InvalidNetworkInsightsAccessScopeAnalysisId.NotFound"
        );
        assert_eq!(
            w.delete_network_insights_access_scope_analysis(&scope, "nia-1").unwrap_err().code,
            "InvalidNetworkInsightsAccessScopeAnalysisId.Malformed"
        );
        w.delete_network_insights_access_scope(&scope, &s1).unwrap();
        assert!(!w.network_insights_access_scope_analyses.contains(&b), "gone with its scope");
        assert!(w.network_insights_access_scope_analyses.contains(&c), "another scope's stays");
        assert!(w.dangling_references().is_empty());
    }
}
