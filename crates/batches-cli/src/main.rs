//! `llamacloud`: see the crate docs of `batches_cli`.

fn main() -> std::process::ExitCode {
    batches_cli::run()
}
