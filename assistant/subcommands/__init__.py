"""The command-line subcommands other than running a session."""
