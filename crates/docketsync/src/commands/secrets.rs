//! `docketsync client-secret set` and `docketsync source-credential set`:
//! a secret read from the terminal (not echoed) or standard input, never
//! from the command line, stored by `docket-app` in the keyring.

use std::io::{IsTerminal as _, Read as _};
use std::process::ExitCode;

use docket_app::frontend::{CredentialPrompt, SecretString};
use docket_app::Message;

use super::{exit, fail, open, out, Ctx};

pub fn client_secret_set(ctx: &Ctx) -> ExitCode {
    let app = match open(ctx, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let t = &ctx.texts;
    let secret = match read_secret(ctx, &format!("{} ", t.word("cli-client-secret-prompt"))) {
        Ok(secret) => secret,
        Err(code) => return code,
    };
    match app.set_client_secret(secret) {
        Ok(()) => {
            let m = Message::new("cli-client-secret-stored")
                .message("location", app.secrets_location());
            out(&format!("{}\n", t.render(&m)));
            ExitCode::SUCCESS
        }
        Err(e) => fail(ctx, &e, false),
    }
}

pub fn source_credential_set(ctx: &Ctx) -> ExitCode {
    let app = match open(ctx, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let t = &ctx.texts;
    let prompt = match app.source_credential_prompt() {
        CredentialPrompt::Token => t.word("cli-source-credential-prompt-token"),
        CredentialPrompt::Password { user } => {
            t.render(&Message::new("cli-source-credential-prompt-password").text("user", user))
        }
        // Nothing to ask for: storing it says why not.
        CredentialPrompt::None => {
            t.render(&Message::new("cli-source-credential-prompt-password").text("user", ""))
        }
    };
    let secret = match read_secret(ctx, &format!("{prompt} ")) {
        Ok(secret) => secret,
        Err(code) => return code,
    };
    match app.set_source_credential(secret) {
        Ok(()) => {
            let m = Message::new("cli-source-credential-stored")
                .message("location", app.secrets_location());
            out(&format!("{}\n", t.render(&m)));
            ExitCode::SUCCESS
        }
        Err(e) => fail(ctx, &e, false),
    }
}

/// A secret from the terminal (not echoed) or from standard input.
fn read_secret(ctx: &Ctx, prompt: &str) -> Result<SecretString, ExitCode> {
    let stdin = std::io::stdin();
    let read = if stdin.is_terminal() {
        rpassword::prompt_password(prompt)
    } else {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text).map(|_| text)
    };
    match read {
        Ok(text) => Ok(SecretString::new(text.trim_end_matches(['\r', '\n']))),
        Err(e) => {
            let m = Message::new("cli-secret-unreadable").text("error", e.to_string());
            eprintln!("{}", ctx.texts.render(&m));
            Err(ExitCode::from(exit::USAGE))
        }
    }
}
