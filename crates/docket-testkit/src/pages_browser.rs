//! [`PagesBrowser`]: the person at the browser, as a `Browser` the product
//! can be handed — it fills in the emulator's sign-in and consent pages
//! (`m365_emulator::pages_client`) for the address the product opens.

/// Signs in as `upn` with `password` on the emulator at `base`.
pub struct PagesBrowser {
    pub base: String,
    pub upn: String,
    pub password: String,
}

impl docket_auth::Browser for PagesBrowser {
    fn open(&self, url: &str) -> std::io::Result<()> {
        let (base, url, upn, pw) = (
            self.base.clone(),
            url.to_owned(),
            self.upn.clone(),
            self.password.clone(),
        );
        tokio::spawn(async move {
            if let Err(e) = m365_emulator::pages_client::sign_in(&base, &url, &upn, &pw).await {
                eprintln!("sign-in on the emulator's pages: {e}");
            }
        });
        Ok(())
    }
}
