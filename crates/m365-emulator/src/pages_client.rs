//! A stand-in for the person at the browser, for the demo: it fills in the
//! emulator's own sign-in, account-picker and consent pages over HTTP and
//! follows the redirect to the app's loopback listener. It knows only the
//! emulator's pages (element names as in Microsoft's: `login`, `passwd`,
//! `idSIButton9`); against a real tenant a person signs in in a real
//! browser, with MFA and conditional access.

/// Sign in as `upn` starting at the authorize `url`, accept consent, and
/// deliver the code to the loopback redirect. Returns the page the app's
/// listener showed at the end.
pub async fn sign_in(base: &str, url: &str, upn: &str, password: &str) -> Result<String, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let mut cookie: Option<String> = None;
    let mut next = Request::Get(url.to_string());
    for _ in 0..12 {
        let req = match &next {
            Request::Get(u) => http.get(u),
            Request::Post(u, form) => http.post(u).form(form),
        };
        let req = match &cookie {
            Some(c) => req.header("cookie", c.clone()),
            None => req,
        };
        let resp = req.send().await.map_err(|e| e.to_string())?;
        for sc in resp.headers().get_all("set-cookie") {
            let pair = sc.to_str().unwrap_or("").split(';').next().unwrap_or("");
            if pair.starts_with("ESTSAUTH=") {
                cookie = (pair != "ESTSAUTH=").then(|| pair.to_string());
            }
        }
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        let body = resp.text().await.map_err(|e| e.to_string())?;
        if status == 302 {
            let loc = location.ok_or("a redirect without a location")?;
            if loc.starts_with(base) {
                next = Request::Get(loc);
                continue;
            }
            // The app's loopback listener.
            let page = http.get(&loc).send().await.map_err(|e| e.to_string())?;
            return page.text().await.map_err(|e| e.to_string());
        }
        if status != 200 {
            return Err(format!("the sign-in page answered {status}"));
        }
        let flow = between(&body, r#"name="flow" value=""#).ok_or("no sign-in form on the page")?;
        let action = between(&body, r#"<form method="post" action=""#).ok_or("no form action")?;
        let mut form = vec![("flow".to_string(), flow.to_string())];
        if body.contains(r#"id="i0116""#) {
            form.push(("login".into(), upn.to_string()));
            form.push(("passwd".into(), password.to_string()));
        } else if body.contains(r#"name="account""#) {
            let mine = body.contains(&format!(r#"data-test-id="{upn}""#));
            form.push((
                "account".into(),
                if mine { upn.into() } else { String::new() },
            ));
        } else if body.contains("acceptConsent") {
            form.push(("acceptConsent".into(), "true".into()));
        } else {
            return Err("an unexpected page (MFA or a block?) in the demo sign-in".into());
        }
        next = Request::Post(format!("{base}{action}"), form);
    }
    Err("the sign-in did not finish".into())
}

enum Request {
    Get(String),
    Post(String, Vec<(String, String)>),
}

fn between<'a>(body: &'a str, start: &str) -> Option<&'a str> {
    let at = body.find(start)? + start.len();
    let rest = &body[at..];
    Some(&rest[..rest.find('"')?])
}
