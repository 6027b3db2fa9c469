//! The `tarsier` binary: all logic lives in the `tarsier_cli` library.

/// The allocator of everything in Rust: jemalloc. Tree-sitter keeps the C library's `malloc`,
/// so the analysis between two parses no longer shares glibc's arena with the parser: there,
/// the analysis's first large block after a parse made glibc merge every small block the
/// parser had freed, and the next parse allocated from the merged blocks more slowly
/// (`benches/README.md`, session 9: the full scan 5–15% faster, peak RSS about 40 MiB more).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    tarsier_cli::main_with_args(std::env::args_os())
}
