//! Seeded generator of random conformance cases.
