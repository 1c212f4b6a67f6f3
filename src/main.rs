/// mimalloc: quire allocates many small, short-lived values (glyph runs, lines, items); the
/// system allocator spent a fifth of a build in malloc and free.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    quire::process::no_huge_pages();
    std::process::exit(quire::cli::main());
}
