//! Organizations in the text language.

use crate::org::Organization;

/// Placeholder.
pub fn parse_org_text() {}
/// Placeholder.
pub fn load_org_file() {}
pub(crate) fn print_org(_org: &Organization) -> String {
    String::new()
}
