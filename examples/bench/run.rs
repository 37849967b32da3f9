//! One run: the servers started, each chosen stage in turn, the table printed and written.

use super::*;

pub(crate) async fn run(o: Options) -> Result<(), String> {
    let started = Instant::now();
    let dir = o
        .out
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_else(|| procs::root().join("target/bench"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    say(format!(
        "== [   0 s] setup: {} password, {} TOTP, {} email and {} push users; servers on core {SERVER_CORE}, load on core {LOAD_CORE}{}",
        o.users, o.users, o.users, o.push_flows, if o.quick { " (quick)" } else { "" }
    ));
    let wants = |s: &str| o.stages.iter().any(|x| x == s);
    let push_users = if wants("push") { o.push_flows } else { 0 };
    let users_file = dir.join("users.json");
    let file = users::file(o.users, o.users, o.users, push_users)?;
    std::fs::write(&users_file, file.to_string()).map_err(|e| e.to_string())?;
    let emu_port = procs::free_port()?;
    let mut emulator = procs::spawn(
        "emulator",
        LOAD_CORE,
        &procs::release_binary("okta-emulator"),
        &[
            "--port".into(),
            emu_port.to_string(),
            "--users".into(),
            users_file.display().to_string(),
            // The org-wide limit is Okta's, per org: the bench measures the portal.
            "--org-rate-limit".into(),
            "100000000".into(),
        ],
        &[],
        &dir.join("emulator.log"),
    )?;
    let emu_base = format!("http://127.0.0.1:{emu_port}");
    procs::wait_ready(
        &mut emulator,
        &format!("{emu_base}/oauth2/default/.well-known/openid-configuration"),
        60,
    )
    .await?;
    let control = Control::with_client(http_client(None)?, &emu_base);
    let mut b = Bench {
        issuer: format!("{emu_base}/oauth2/default"),
        o: o.clone(),
        dir: dir.clone(),
        rows: Vec::new(),
        extra: Default::default(),
        errors: Vec::new(),
        emulator,
        control,
        started,
    };

    let (portal, base) = b.start_portal("portal", None).await?;
    let mut portal_account = None;
    let mut portal_password = None;
    if wants("account") {
        match b.account(&portal, &base).await {
            Ok(v) => portal_account = Some(v),
            Err(e) => b.settle("account", Err(e)),
        }
    }
    if wants("gateway") {
        let r = b.gateway(&base).await;
        b.settle("gateway", r);
    }
    if wants("signin") {
        b.stage("signin: portal CPU per complete sign-in (the portal process's own CPU time; emulator excluded)");
        match b
            .signin_costs(
                &portal,
                &base,
                "memory store",
                &[Kind::Password, Kind::PasswordTotp, Kind::Email],
                0,
            )
            .await
        {
            Ok(costs) => portal_password = costs.first().copied(),
            Err(e) => b.settle("signin", Err(e)),
        }
    }
    if wants("scale") {
        let r = b.concurrency(&base).await;
        b.settle("scale", r);
    }
    let rss = portal.rss_kib();
    b.extra
        .insert("portal_rss_after_stages_mib".into(), json!(procs::mib(rss)));
    drop(portal);

    if wants("peer") {
        let r: Result<(), String> = async {
        b.stage("peer: the Node peer (Express 5, express-session, openid-client, jose), same pinning");
        let (peer, peer_base) = start_peer(&dir, &b.issuer).await?;
        let signed = b.signed_in(&peer_base, 3).await?;
        let account = b.wrk_signed_in(&peer_base, "/account", &signed, &[])?;
        b.row("peer", "Node peer: /account (signed in), requests/s", account, "req/s");
        if let Some(mem) = portal_account {
            b.row("peer", "portal ÷ Node peer, /account requests/s", mem / account, "×");
        }
        let first = b.o.users / 4;
        say(format!("  Node peer: {} password sign-ins, {} at a time", b.o.signins, b.o.signin_concurrency));
        let cost = signin::batch(&peer, &peer_base, &b.control, Kind::Password, first, b.o.signins, b.o.signin_concurrency).await?;
        b.row("peer", format!("Node peer: CPU per password sign-in ({} sign-ins, {:.0}/s)", cost.signins, cost.signins_per_second), cost.cpu_ms_per_signin, "ms");
        if let Some(mem) = portal_password {
            b.row("peer", "Node peer ÷ portal, CPU per password sign-in", cost.cpu_ms_per_signin / mem, "×");
        }
        b.extra.insert("peer_rss_mib".into(), json!(procs::mib(peer.rss_kib())));
        Ok(())
        }
        .await;
        b.settle("peer", r);
    }

    let redis = if wants("redis") || wants("memory") || wants("scale") {
        Some(start_redis(&dir).await?)
    } else {
        None
    };
    if wants("memory") {
        let r = b.memory(redis.as_ref().map(|(_, u)| u.as_str())).await;
        b.settle("memory", r);
    }
    if let (true, Some((_, url))) = (wants("redis"), &redis) {
        let r: Result<(), String> = async {
            b.stage(
                "redis: the Redis store against the memory store (/account and password sign-in)",
            );
            let (portal, base) = b.start_portal("portal-redis", Some(url)).await?;
            let signed = b.signed_in(&base, 2).await?;
            let account = b.wrk_signed_in(&base, "/account", &signed, &[])?;
            b.row(
                "redis",
                "Redis store: /account (signed in), requests/s",
                account,
                "req/s",
            );
            if let Some(mem) = portal_account {
                b.row(
                    "redis",
                    "Redis ÷ memory store, /account",
                    account / mem,
                    "×",
                );
            }
            // Other users than the memory store's batch: each user signs in once per kind.
            let first = b.o.users / 2;
            let costs = b
                .signin_costs(&portal, &base, "Redis store", &[Kind::Password], first)
                .await?;
            if let Some(mem) = portal_password {
                b.row(
                    "redis",
                    "Redis ÷ memory store, CPU per password sign-in",
                    costs[0] / mem,
                    "×",
                );
            }
            Ok(())
        }
        .await;
        b.settle("redis", r);
    }

    if let (true, Some((_, url))) = (wants("scale"), &redis) {
        let r = b.sessions_in_redis(url).await;
        b.settle("scale", r);
    }
    drop(redis);

    if wants("push") {
        let r: Result<(), String> = async {
        b.stage(&format!("push: {} concurrent push waits on one instance, polled every 2 s", b.o.push_flows));
        let (portal, base) = b.start_portal("portal-push", None).await?;
        let w = push::run(&portal, &b.emulator, &base, &b.control, b.o.push_flows, Duration::from_secs(b.o.push_seconds), say).await?;
        // The emulator's push interval (Okta's default): 5 s.
        let expected = w.flows as f64 / 5.0;
        b.row("push", format!("push waits started in {:.0} s", w.start_seconds), w.flows as f64, "flows");
        b.row("push", "push starts that failed (not counted in the flows)", w.failed_starts as f64, "");
        b.row("push", "polls sent to Okta per second", w.okta_polls_per_second, "/s");
        b.row("push", "flows ÷ interval (5 s): the most allowed", expected, "/s");
        b.row("push", "/signin/wait/status requests per second", w.status_requests_per_second, "/s");
        b.row("push", "/signin/wait/status p50", w.p50_ms, "ms");
        b.row("push", "/signin/wait/status p99", w.p99_ms, "ms");
        b.row("push", "/signin/wait/status slowest", w.max_ms, "ms");
        b.row("push", "portal RSS before the flows", w.rss_before_mib, "MiB");
        b.row("push", format!("portal RSS with {} flows waiting", w.flows), w.rss_waiting_mib, "MiB");
        b.row("push", "portal's open connections (file descriptors) with the flows waiting", w.fds_waiting as f64, "");
        b.row("push", "portal CPU during the window (core 0)", w.portal_cpu_percent, "%");
        b.row("push", "emulator + driver CPU during the window (core 1)", w.emulator_cpu_percent + w.driver_cpu_percent, "%");
        b.row("push", "status answers that were not pending (should be 0)", w.not_pending as f64, "");
        b.extra.insert("push_polls_within_limit".into(), json!(w.okta_polls_per_second <= expected * 1.02));
        if w.okta_polls_per_second > expected * 1.02 {
            say(format!("  WARNING: {:.1} polls/s reached Okta, more than flows ÷ interval ({expected:.1})", w.okta_polls_per_second));
        }
        b.extra.insert("push_window_seconds".into(), json!(w.window_seconds));
        let slow = w.okta_results.iter().filter(|(k, _)| k.ends_with("/slow_down")).map(|(_, v)| v).sum::<f64>();
        b.row("push", "Okta answers slow_down during the window (polled before the interval)", slow.max(0.0), "");
        say(format!("  the portal's calls to Okta during the window: {:?}", w.okta_results));
        b.extra.insert("push_okta_results".into(), json!(w.okta_results));
        Ok(())
        }
        .await;
        b.settle("push", r);
    }

    b.emulator.check_alive()?;

    // The table.
    say(format!(
        "\n== Result ({:.0} s{})",
        started.elapsed().as_secs_f64(),
        if o.quick {
            ", quick: short runs, noisy"
        } else {
            ""
        }
    ));
    let width = b
        .rows
        .iter()
        .map(|r| r.figure.chars().count())
        .max()
        .unwrap_or(10);
    let mut last = "";
    for r in &b.rows {
        if r.stage != last {
            say(format!("  [{}]", r.stage));
            last = r.stage;
        }
        say(format!(
            "  {:<width$}  {:>10} {}",
            r.figure,
            fmt(r.value),
            r.unit
        ));
    }
    let json = json!({
        "date": httpdate::fmt_http_date(std::time::SystemTime::now()),
        "quick": o.quick,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "options": {
            "seconds": o.seconds, "connections": o.connections, "signins": o.signins,
            "signin_concurrency": o.signin_concurrency, "users": o.users, "sessions": o.sessions,
            "push_flows": o.push_flows, "push_seconds": o.push_seconds, "stages": o.stages,
        },
        "figures": b.rows.iter().map(|r| json!({"stage": r.stage, "figure": r.figure, "value": r.value, "unit": r.unit})).collect::<Vec<_>>(),
        "details": b.extra,
        "errors": b.errors,
    });
    std::fs::write(
        &o.out,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    say(format!(
        "  (also in {}; logs in {})",
        o.out.display(),
        dir.display()
    ));
    if b.errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} stage(s) failed: {}",
            b.errors.len(),
            b.errors.join("; ")
        ))
    }
}
