//! Where a server's state comes from and where its files go: the stored rows, checked for
//! references before anything is served, and the flow-log directory of an in-memory server.

use crate::ServeArgs;
use anyhow::{Context, Result, anyhow, bail};
use model::World;
use std::path::{Path, PathBuf};
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

/// Where flow logs are written: under the state directory, or for an in-memory server a
/// directory of its own that only its user can enter and that goes when the server ends.
#[derive(Debug)]
pub struct FlowLogRoot {
    path: PathBuf,
    /// Whether the directory was made for this process (and is removed with it).
    owned: bool,
}

impl FlowLogRoot {
    pub fn for_server(args: &ServeArgs) -> Result<Self> {
        if !args.in_memory {
            return Ok(FlowLogRoot { path: args.state_dir.clone(), owned: false });
        }
        let path = std::env::temp_dir().join(format!("vpclab-{:016x}", fastrand::u64(..)));
        private_dir(&path)
            .with_context(|| format!("creating the flow-log directory {}", path.display()))?;
        Ok(FlowLogRoot { path, owned: true })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FlowLogRoot {
    fn drop(&mut self) {
        if self.owned
            && let Err(e) = std::fs::remove_dir_all(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            eprintln!("vpclab: could not remove {}: {e}", self.path.display());
        }
    }
}

/// Creates `path` with mode 0700; fails if anything is already there (a directory someone
/// else made in the shared temporary directory is never written into).
#[cfg(unix)]
fn private_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn private_dir(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_directory_is_refused() {
        let path = std::env::temp_dir().join(format!("vpclab-test-{:016x}", fastrand::u64(..)));
        private_dir(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        assert!(private_dir(&path).is_err(), "an existing directory must not be reused");
        std::fs::remove_dir(&path).unwrap();
    }
}
