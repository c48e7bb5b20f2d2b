//! Loaders: account authorization dumps, the organization manifest, IAMSpy fixtures.

use super::Organization;
use std::path::Path;

/// Loads an organization for the command line. TEMPORARY until the manifest loader lands.
pub fn load_for_cli(path: &Path) -> Result<Organization, String> {
    Err(format!(
        "cannot load `{}`: organization loading is not available yet",
        path.display()
    ))
}
