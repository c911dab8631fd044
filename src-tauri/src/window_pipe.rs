//! The window process's ends of its pipe to the tray, kept to itself.
//!
//! The tray hands the pipe over as the window process's standard input and
//! output. WebKit starts its web and network processes with the standard
//! descriptors passed down, and libraries print to standard output, so on
//! Unix the pipe moves to descriptors of its own (closed on exec) and
//! standard input becomes `/dev/null`, standard output standard error:
//! nothing else can write into the protocol, and the tray sees the end of
//! the pipe when the window process ends, not when its last helper does.
//!
//! Elsewhere (Windows, untested) the standard handles are used as they are.

use std::io::{Read, Write};

/// The two ends: read the tray's messages, write calls.
pub type Ends = (Box<dyn Read + Send>, Box<dyn Write + Send>);

/// Take the pipe from the standard descriptors (once, first thing).
#[cfg(unix)]
pub fn take() -> std::io::Result<Ends> {
    use std::fs::File;

    let from_tray = File::from(rustix::io::fcntl_dupfd_cloexec(std::io::stdin(), 3)?);
    let to_tray = File::from(rustix::io::fcntl_dupfd_cloexec(std::io::stdout(), 3)?);
    rustix::stdio::dup2_stdin(File::open("/dev/null")?)?;
    rustix::stdio::dup2_stdout(std::io::stderr())?;
    Ok((Box::new(from_tray), Box::new(to_tray)))
}

/// Take the pipe from the standard handles.
#[cfg(not(unix))]
pub fn take() -> std::io::Result<Ends> {
    Ok((Box::new(std::io::stdin()), Box::new(std::io::stdout())))
}
