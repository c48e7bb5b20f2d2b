//! The IAM policy JSON front end.
