//! Loaders: account authorization dumps, the organization manifest, IAMSpy fixtures.
