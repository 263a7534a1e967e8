fn main() -> std::process::ExitCode {
    flightdeck::cli::main()
}
