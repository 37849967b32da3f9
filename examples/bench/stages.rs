//! The harness's state and its stages: one method per stage, each adding rows to the table;
//! the servers it starts (Redis, the Node peer) and small helpers.

use super::*;

/// One figure of the table.
pub(crate) struct Row {
    pub(crate) stage: &'static str,
    pub(crate) figure: String,
    pub(crate) value: f64,
    pub(crate) unit: &'static str,
}

pub(crate) struct Bench {
    pub(crate) o: Options,
    pub(crate) dir: PathBuf,
    pub(crate) rows: Vec<Row>,
    pub(crate) extra: serde_json::Map<String, Value>,
    pub(crate) errors: Vec<String>,
    pub(crate) emulator: Proc,
    pub(crate) control: Control,
    pub(crate) issuer: String,
    pub(crate) started: Instant,
}

pub(crate) fn say(line: impl AsRef<str>) {
    println!("{}", line.as_ref());
}

impl Bench {
    pub(crate) fn row(
        &mut self,
        stage: &'static str,
        figure: impl Into<String>,
        value: f64,
        unit: &'static str,
    ) {
        let figure = figure.into();
        say(format!("  {figure}: {} {unit}", fmt(value)));
        self.rows.push(Row {
            stage,
            figure,
            value,
            unit,
        });
    }

    /// A stage that failed is reported and the run goes on with the next one.
    pub(crate) fn settle(&mut self, stage: &str, result: Result<(), String>) {
        if let Err(e) = result {
            say(format!("  FAILED ({stage}): {e}"));
            self.errors.push(format!("{stage}: {e}"));
        }
    }

    pub(crate) fn stage(&self, title: &str) {
        say(format!(
            "== [{:>4.0} s] {title}",
            self.started.elapsed().as_secs_f64()
        ));
    }

    /// The environment of a portal process against the bench emulator.
    pub(crate) fn portal_env(&self, port: u16, redis: Option<&str>) -> Vec<(String, String)> {
        let mut env: Vec<(&str, String)> = vec![
            ("ROCKET_PROFILE", "release".into()),
            ("ROCKET_ADDRESS", "127.0.0.1".into()),
            ("ROCKET_PORT", port.to_string()),
            ("ROCKET_LOG_LEVEL", "off".into()),
            ("RUST_LOG", "warn".into()),
            ("OKTA_OAUTH2_ISSUER", self.issuer.clone()),
            ("OKTA_OAUTH2_CLIENT_ID", "demo-portal".into()),
            ("OKTA_OAUTH2_CLIENT_SECRET", "demo-portal-secret".into()),
            (
                "DIRECT_SIGNIN_OKTA__SCOPES",
                "openid profile email offline_access groups".into(),
            ),
            ("DIRECT_SIGNIN_SESSION__SECRET", SECRET.into()),
            // The push waits come from many people behind one proxy (X-Forwarded-For).
            (
                "DIRECT_SIGNIN_NETWORK__TRUSTED_PROXIES",
                r#"["127.0.0.1"]"#.into(),
            ),
            // The bench signs thousands of users in from one address, at a rate no
            // per-IP limit or Okta ceiling sized for one instance's real traffic allows.
            (
                "DIRECT_SIGNIN_PROTECTION__IP_SIGNIN_PER_MINUTE",
                "60000".into(),
            ),
            (
                "DIRECT_SIGNIN_PROTECTION__IP_CODE_PER_MINUTE",
                "60000".into(),
            ),
            (
                "DIRECT_SIGNIN_PROTECTION__IP_POLL_PER_MINUTE",
                "60000".into(),
            ),
            (
                "DIRECT_SIGNIN_PROTECTION__OKTA_CALLS_PER_SECOND",
                "100000".into(),
            ),
            (
                "DIRECT_SIGNIN_PROTECTION__OKTA_MAX_CONCURRENT",
                "100000".into(),
            ),
        ];
        if let Some(url) = redis {
            env.push(("DIRECT_SIGNIN_SESSION__STORE", "redis".into()));
            env.push(("DIRECT_SIGNIN_REDIS__URL", url.to_string()));
        }
        env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    pub(crate) async fn start_portal(
        &self,
        name: &'static str,
        redis: Option<&str>,
    ) -> Result<(Proc, String), String> {
        let port = procs::free_port()?;
        let mut p = procs::spawn(
            name,
            SERVER_CORE,
            &procs::release_binary("direct-signin"),
            &[],
            &self.portal_env(port, redis),
            &self.dir.join(format!("{name}.log")),
        )?;
        let base = format!("http://127.0.0.1:{port}");
        procs::wait_ready(&mut p, &format!("{base}/readyz"), 30).await?;
        Ok((p, base))
    }

    /// A signed-in browser on `base` (password user `i`).
    pub(crate) async fn signed_in(&self, base: &str, i: usize) -> Result<Browser, String> {
        let mut b = Browser::new(http_client(None)?, base, None);
        signin::sign_in(
            &mut b,
            Kind::Password,
            &users::password_user(i),
            &self.control,
        )
        .await?;
        Ok(b)
    }

    /// wrk on `path` with `b`'s cookies.
    pub(crate) fn wrk_signed_in(
        &self,
        base: &str,
        path: &str,
        b: &Browser,
        extra: &[(&str, &str)],
    ) -> Result<f64, String> {
        let cookie = b.jar.header().unwrap_or_default();
        let mut headers = vec![("Cookie", cookie.as_str()), ("Accept", "text/html")];
        headers.extend_from_slice(extra);
        load::wrk(
            &format!("{base}{path}"),
            &headers,
            self.o.seconds,
            self.o.connections,
        )
    }

    pub(crate) async fn account(&mut self, portal: &Proc, base: &str) -> Result<f64, String> {
        self.stage("account: /account signed in against a bare Rocket route (same template, same context, no session)");
        let b = self.signed_in(base, 0).await?;
        let account = self.wrk_signed_in(base, "/account", &b, &[])?;
        let port = procs::free_port()?;
        let mut bare = procs::spawn(
            "bare",
            SERVER_CORE,
            &std::env::current_exe().map_err(|e| e.to_string())?,
            &["bare".into(), "--port".into(), port.to_string()],
            &[],
            &self.dir.join("bare.log"),
        )?;
        let bare_base = format!("http://127.0.0.1:{port}");
        procs::wait_ready(&mut bare, &format!("{bare_base}/healthz"), 30).await?;
        // The two pages should be the same size (same template, same shape of context).
        let mut probe = Browser::new(http_client(None)?, base, None);
        probe.jar = b.jar.clone();
        let portal_bytes = probe.get("/account").await?.body.len();
        let bare_bytes = reqwest::get(format!("{bare_base}/account"))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?
            .len();
        say(format!(
            "  page sizes: portal {portal_bytes} bytes, bare route {bare_bytes} bytes"
        ));
        self.extra.insert(
            "account_page_bytes".into(),
            json!({"portal": portal_bytes, "bare": bare_bytes}),
        );
        let bare_rps = load::wrk(
            &format!("{bare_base}/account"),
            &[],
            self.o.seconds,
            self.o.connections,
        )?;
        drop(bare);
        portal_alive(portal)?;
        self.row(
            "account",
            "portal /account (signed in), requests/s",
            account,
            "req/s",
        );
        self.row(
            "account",
            "bare Rocket route, same template and context, requests/s",
            bare_rps,
            "req/s",
        );
        self.row("account", "/account ÷ bare route", account / bare_rps, "×");
        Ok(account)
    }

    pub(crate) async fn gateway(&mut self, base: &str) -> Result<(), String> {
        self.stage("gateway: /auth (signed in) against /healthz");
        let b = self.signed_in(base, 1).await?;
        let healthz = load::wrk(
            &format!("{base}/healthz"),
            &[],
            self.o.seconds,
            self.o.connections,
        )?;
        let auth = self.wrk_signed_in(
            base,
            "/auth",
            &b,
            &[("X-Original-URL", "https://app.example.com/reports")],
        )?;
        self.row("gateway", "/healthz, requests/s", healthz, "req/s");
        self.row(
            "gateway",
            "/auth (signed in, both header families, assertion), requests/s",
            auth,
            "req/s",
        );
        self.row("gateway", "/auth ÷ /healthz", auth / healthz, "×");
        Ok(())
    }

    pub(crate) async fn signin_costs(
        &mut self,
        portal: &Proc,
        base: &str,
        label: &'static str,
        kinds: &[Kind],
        first: usize,
    ) -> Result<Vec<f64>, String> {
        let mut out = Vec::new();
        for &kind in kinds {
            say(format!(
                "  {label}: {} sign-ins, {} at a time: {}",
                self.o.signins,
                self.o.signin_concurrency,
                kind.title()
            ));
            let cost = signin::batch(
                portal,
                base,
                &self.control,
                kind,
                first,
                self.o.signins,
                self.o.signin_concurrency,
            )
            .await?;
            self.row(
                if label == "memory store" {
                    "signin"
                } else {
                    "redis"
                },
                format!(
                    "{label}: portal CPU per sign-in, {} ({} sign-ins, {:.0}/s)",
                    kind.title(),
                    cost.signins,
                    cost.signins_per_second
                ),
                cost.cpu_ms_per_signin,
                "ms",
            );
            out.push(cost.cpu_ms_per_signin);
        }
        Ok(out)
    }

    /// `bench sessions ARGS` as its own process on the servers' core: its JSON answer.
    pub(crate) fn bench_sessions(&self, args: Vec<String>) -> Result<Value, String> {
        let out = std::process::Command::new("taskset")
            .arg("-c")
            .arg(SERVER_CORE.to_string())
            .arg(std::env::current_exe().map_err(|e| e.to_string())?)
            .args(args)
            .current_dir(procs::root())
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "bench sessions: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("bench sessions answered: {e}"))
    }

    pub(crate) async fn memory(&mut self, redis_url: Option<&str>) -> Result<(), String> {
        self.stage(&format!(
            "memory: {} sessions in the memory store (Okta-sized tokens)",
            self.o.sessions
        ));
        let mem = self.bench_sessions(vec![
            "sessions".into(),
            "--count".into(),
            self.o.sessions.to_string(),
        ])?;
        let count = self.o.sessions;
        self.row(
            "memory",
            format!("memory store: bytes per live session ({count} sessions, RSS)"),
            mem["bytes_per_session"].as_f64().unwrap_or(0.0),
            "B",
        );
        self.row(
            "memory",
            format!("memory store: RSS with {count} sessions"),
            procs::mib(mem["rss_after_kib"].as_u64().unwrap_or(0)),
            "MiB",
        );
        self.extra.insert("memory_store".into(), mem);
        if let Some(url) = redis_url {
            let n = (self.o.sessions / 10).clamp(100, 10_000);
            say(format!(
                "  {n} sessions in Redis: MEMORY USAGE of each record and index"
            ));
            let r = self.bench_sessions(vec![
                "sessions".into(),
                "--count".into(),
                n.to_string(),
                "--redis".into(),
                url.into(),
            ])?;
            self.row(
                "memory",
                format!("Redis: bytes per session (record + user index, {n} sessions)"),
                r["redis_bytes_per_session"].as_f64().unwrap_or(0.0),
                "B",
            );
            self.extra.insert("redis_store".into(), r);
        }
        Ok(())
    }
}
