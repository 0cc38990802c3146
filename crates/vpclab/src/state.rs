//! Where a server's state comes from: the stored rows, checked for references before anything
//! is served.

use crate::ServeArgs;
use anyhow::{Context, Result, anyhow, bail};
use model::World;
use std::path::Path;
use store::Store;

/// How many dangling references a refused start-up lists.
const LISTED: usize = 20;

/// The store and the world it holds (empty for `--in-memory`).
pub fn open(args: &ServeArgs) -> Result<(Store, World)> {
    if args.in_memory {
        return Ok((Store::in_memory(), World::default()));
    }
    let (store, rows) = Store::open(&args.state_dir)
        .with_context(|| format!("opening the state in {}", args.state_dir.display()))?;
    let mut world = World::default();
    for row in rows {
        world.load_row(&row.kind, row.id, &row.body).map_err(|e| anyhow!("{e}"))?;
    }
    check_references(&world, &args.state_dir)?;
    Ok((store, world))
}

/// Refuses a world whose rows refer to rows that are not stored: serving it would show
/// orphans (a subnet without its VPC) that no AWS API call can make or remove.
fn check_references(world: &World, dir: &Path) -> Result<()> {
    let dangling = world.dangling_references();
    if dangling.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = dangling.iter().take(LISTED).map(|d| format!("  {d}")).collect();
    if dangling.len() > LISTED {
        lines.push(format!("  … and {} more", dangling.len() - LISTED));
    }
    bail!(
        "the stored state in {} is damaged: {} reference(s) lead to rows that are not stored:\n{}\n\
         vpclab does not serve orphans; restore {} from a copy, or move it away to start empty",
        dir.display(),
        dangling.len(),
        lines.join("\n"),
        dir.join(store::DB_FILE).display()
    )
}
