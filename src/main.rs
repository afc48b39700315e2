//! The `kredo` binary: all behaviour lives in `kredo::native::cli`.

fn main() -> std::process::ExitCode {
    kredo::native::cli::main()
}
