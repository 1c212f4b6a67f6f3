//! Atomic writes.
