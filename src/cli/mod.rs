//! Command line (clap lives only here).
pub fn main() -> i32 {
    0
}
