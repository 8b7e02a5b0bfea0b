//! See benches/render.rs.
