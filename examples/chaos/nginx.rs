//! nginx in front of the portals: round robin, `X-Forwarded-For` passed on (the portals
//! trust 127.0.0.1), an instance that refuses connections skipped. Its configuration,
//! logs and temporary files live in `target/chaos/`; it is not the system's nginx.

use std::path::Path;

use crate::procs::{spawn_program, wait_ready, Proc};

fn conf(dir: &Path, port: u16, portals: &[u16]) -> String {
    let d = dir.display();
    let servers: String = portals
        .iter()
        .map(|p| format!("        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n"))
        .collect();
    format!(
        "# Written by the chaos run (examples/chaos): three portals, round robin.
# One process (no master): nothing is left behind if the run is killed.
master_process off;
daemon off;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format chaos '$msec $status $upstream_addr $upstream_status $request_method $uri';
    access_log {d}/nginx-access.log chaos;
    client_body_temp_path {d}/nginx-tmp/body;
    proxy_temp_path {d}/nginx-tmp/proxy;
    fastcgi_temp_path {d}/nginx-tmp/fastcgi;
    uwsgi_temp_path {d}/nginx-tmp/uwsgi;
    scgi_temp_path {d}/nginx-tmp/scgi;
    upstream portals {{
{servers}        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portals;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"
    )
}

/// Writes the configuration and starts nginx on `port` in front of `portals`; ready when
/// `/healthz` answers through it.
pub async fn start(
    dir: &Path,
    port: u16,
    portals: &[u16],
    http: &reqwest::Client,
) -> Result<Proc, String> {
    let path = dir.join("nginx.conf");
    std::fs::create_dir_all(dir.join("nginx-tmp")).map_err(|e| e.to_string())?;
    std::fs::write(&path, conf(dir, port, portals)).map_err(|e| e.to_string())?;
    let log = dir.join("nginx.log");
    let prefix = format!("{}/", dir.display());
    let mut nginx = spawn_program(
        Path::new("/usr/sbin/nginx"),
        &[
            "-p",
            &prefix,
            "-e",
            &dir.join("nginx-error.log").to_string_lossy(),
            "-c",
            &path.to_string_lossy(),
        ],
        &[],
        &log,
    )?;
    let url = format!("http://127.0.0.1:{port}/healthz");
    wait_ready(http, &url, &mut nginx, "nginx", &log).await?;
    Ok(nginx)
}
