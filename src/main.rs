//! samenhier: the back end of a community-sponsorship programme that matches newcomers with
//! Welcome Groups. This binary is the command line (`cli`); the server, the API, the use cases
//! and the domain are crates of their own under `crates/` (README.md, "Code map"). There is no
//! library target here: it would compile the same instantiations a second time.

mod cli;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
