//! The processes the harness starts besides the portal and the emulator (a private Redis,
//! the Node peer), and small helpers.

use super::*;

pub(crate) fn portal_alive(p: &Proc) -> Result<(), String> {
    if std::path::Path::new(&format!("/proc/{}", p.pid())).exists() {
        Ok(())
    } else {
        Err(format!("{} is gone", p.name))
    }
}

pub(crate) fn fmt(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

pub(crate) async fn start_redis(dir: &std::path::Path) -> Result<(Proc, String), String> {
    let port = procs::free_port()?;
    let mut p = procs::spawn(
        "redis-server",
        LOAD_CORE,
        std::path::Path::new("redis-server"),
        &[
            "--port".into(),
            port.to_string(),
            "--bind".into(),
            "127.0.0.1".into(),
            "--save".into(),
            "".into(),
            "--appendonly".into(),
            "no".into(),
        ],
        &[],
        &dir.join("redis.log"),
    )?;
    let url = format!("redis://127.0.0.1:{port}/0");
    for _ in 0..100 {
        p.check_alive()?;
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((p, url));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("redis-server did not start".into())
}

pub(crate) async fn start_peer(
    dir: &std::path::Path,
    issuer: &str,
) -> Result<(Proc, String), String> {
    let port = procs::free_port()?;
    let peer = procs::root().join("bench/peers/express");
    let mut p = procs::spawn(
        "express-peer",
        SERVER_CORE,
        std::path::Path::new("node"),
        &[peer.join("server.js").display().to_string()],
        &[
            ("PORT".into(), port.to_string()),
            ("ISSUER".into(), issuer.to_string()),
            ("CLIENT_ID".into(), "demo-portal".into()),
            ("CLIENT_SECRET".into(), "demo-portal-secret".into()),
            ("NODE_ENV".into(), "production".into()),
        ],
        &dir.join("express-peer.log"),
    )?;
    let base = format!("http://127.0.0.1:{port}");
    procs::wait_ready(&mut p, &format!("{base}/healthz"), 30).await?;
    Ok((p, base))
}
