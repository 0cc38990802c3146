//! DHCP options sets.

use crate::resources::*;
use crate::world::{Scope, World};

impl World {
    pub(crate) fn create_dhcp_options_internal(
        &mut self,
        scope: &Scope,
        configurations: Vec<(String, Vec<String>)>,
    ) -> String {
        let id = self.fresh_id("dopt");
        self.dhcp_options.insert(
            id.clone(),
            DhcpOptions {
                id: id.clone(),
                owner: scope.clone(),
                configurations,
                tags: Default::default(),
            },
        );
        id
    }
}
