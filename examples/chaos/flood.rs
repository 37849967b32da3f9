//! The credential-stuffing flood: `rate` wrong passwords per second, open loop (a slow
//! answer does not slow the attacker down), each from a fresh browser with a forwarded
//! address drawn from thousands, against many made-up usernames and (one in five) the
//! real users' names.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Semaphore;

use crate::browser::Browser;
use crate::tally::{Tally, Who};

/// Attempts in flight at most (more are skipped and counted).
const MAX_IN_FLIGHT: usize = 512;
const ADDRESSES: usize = 5000;
const MADE_UP_USERNAMES: usize = 1000;

/// What the flood sent and got.
#[derive(Default, Debug)]
pub struct FloodFigures {
    pub sent: u64,
    /// Skipped: too many attempts in flight.
    pub skipped: u64,
    /// Answers to the `POST /signin` by status.
    pub statuses: BTreeMap<u16, u64>,
    /// Attempts that got no CSRF token or no answer.
    pub failed_before_post: u64,
    pub transport_errors: u64,
    /// Attempts that named a real user.
    pub real_names: u64,
}

fn address(rng: &mut StdRng) -> String {
    loop {
        let ip = Ipv4Addr::from(rng.gen::<u32>());
        // Not loopback (the trusted proxy) and not the real users' 198.51.x.x.
        if !(ip.is_loopback()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || ip.is_multicast()
            || ip.octets()[0] == 198)
        {
            return ip.to_string();
        }
    }
}

async fn attempt(
    mut b: Browser,
    username: String,
    password: String,
    tally: Arc<Tally>,
    figures: Arc<Mutex<FloodFigures>>,
) {
    let form = b.get("/signin").await;
    tally.server_errors(Who::Flood, &mut b.server_errors);
    let csrf = match &form {
        Ok(a) => a.csrf(),
        Err(_) => {
            tally.transport_error(Who::Flood);
            figures.lock().transport_errors += 1;
            None
        }
    };
    let Some(csrf) = csrf else {
        figures.lock().failed_before_post += 1;
        return;
    };
    let a = b
        .post(
            "/signin",
            &[
                ("username", &username),
                ("password", &password),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    tally.server_errors(Who::Flood, &mut b.server_errors);
    let mut f = figures.lock();
    match a {
        Ok(a) => *f.statuses.entry(a.status).or_default() += 1,
        Err(_) => {
            tally.transport_error(Who::Flood);
            f.transport_errors += 1;
        }
    }
}

/// Floods `POST /signin` until `deadline`.
pub async fn run(
    base: String,
    http: reqwest::Client,
    real_names: Vec<String>,
    rate: f64,
    tally: Arc<Tally>,
    deadline: Instant,
) -> FloodFigures {
    let figures = Arc::new(Mutex::new(FloodFigures::default()));
    if rate <= 0.0 {
        return FloodFigures::default();
    }
    let mut rng = StdRng::from_entropy();
    let addresses: Vec<String> = (0..ADDRESSES).map(|_| address(&mut rng)).collect();
    let made_up: Vec<String> = (0..MADE_UP_USERNAMES)
        .map(|_| format!("user-{:08x}@example.org", rng.gen::<u32>()))
        .collect();
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let mut tasks = vec![];
    for i in 0u32.. {
        let due = start + interval * i;
        if due >= deadline {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            figures.lock().skipped += 1;
            continue;
        };
        let username = if rng.gen_range(0..5) == 0 && !real_names.is_empty() {
            figures.lock().real_names += 1;
            real_names[rng.gen_range(0..real_names.len())].clone()
        } else {
            made_up[rng.gen_range(0..made_up.len())].clone()
        };
        let ip = addresses[rng.gen_range(0..addresses.len())].clone();
        let password = format!("Wr0ng-{:08x}!", rng.gen::<u32>());
        figures.lock().sent += 1;
        let b = Browser::new(http.clone(), &base, Some(ip));
        let (tally, figures) = (tally.clone(), figures.clone());
        tasks.push(tokio::spawn(async move {
            attempt(b, username, password, tally, figures).await;
            drop(permit);
        }));
    }
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(30), t).await;
    }
    let mut f = figures.lock();
    std::mem::take(&mut *f)
}
