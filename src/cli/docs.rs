//! `credence completions SHELL` and `credence man`: shell completions and a man page, both generated from
//! the command-line definition itself, so they cannot drift from it.

use std::io::Write;

use clap::{Args, CommandFactory, ValueEnum};

/// Print a shell completion script for credence to standard output.
///
/// For example: `credence completions bash > /etc/bash_completion.d/credence`, or
/// `credence completions zsh > "${fpath[1]}/_credence"`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

pub fn completions(args: CompletionsArgs) -> credence::Result<()> {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Elvish => S::Elvish,
        Shell::Powershell => S::PowerShell,
    };
    let mut cmd = super::Cli::command();
    clap_complete::generate(shell, &mut cmd, "credence", &mut std::io::stdout());
    Ok(())
}

/// Print the man page of credence (roff) to standard output, e.g. `credence man > credence.1`.
#[derive(Args, Debug)]
pub struct ManArgs {}

pub fn man(_args: ManArgs) -> credence::Result<()> {
    let cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out).map_err(io)?;
    // One section per subcommand, so the page documents every option.
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        // clap names take `'static` strings; the few subcommand names are leaked once, in a command that
        // prints and exits.
        let name: &'static str = Box::leak(format!("credence-{}", sub.get_name()).into_boxed_str());
        let sub = sub.clone().name(name);
        clap_mangen::Man::new(sub).render(&mut out).map_err(io)?;
    }
    std::io::stdout().write_all(&out).map_err(io)
}

fn io(source: std::io::Error) -> credence::Error {
    credence::Error::Io {
        path: "<stdout>".into(),
        source,
    }
}
