//! Credential-stuffing flood simulation (issue 4, item 4): a measurement, not a test.
//!
//! Run it with `scripts/flood` (which builds the release binary and this example first).
//! For each scenario it starts a fresh emulator and a fresh portal as processes on
//! loopback ports, then:
//! - floods `POST /signin` with thousands of wrong passwords over many usernames, among
//!   them three real users (bob, alice, dave), from many concurrent clients that each keep
//!   their own cookies and CSRF token;
//! - meanwhile signs the real user bob in repeatedly, like a browser that kept the device
//!   cookie of an earlier sign-in: password, then a TOTP code, then sign-out;
//! - prints what the attacker got, what reached the emulator ("Okta"), whether bob got
//!   locked, bob's sign-in latency, and the portal's memory.
//!
//! Scenario "one IP": every attack request comes from 127.0.0.1 with no
//! `X-Forwarded-For`; bob comes from 127.0.0.2 (another loopback address: the attacker
//! is not on bob's network). Scenario "many IPs": the portal trusts 127.0.0.1 as a proxy
//! and every attack request carries a different random `X-Forwarded-For`; bob's requests
//! carry his own, fixed one.
//!
//! Bob's TOTP codes: the emulator accepts a code of the current 30 s step or the one
//! before or after, each once. So that bob can sign in more often than once per 30 s, the
//! simulation moves the emulator's clock forward by up to 105 s per scenario (the portal
//! accepts ID tokens issued up to 120 s in its future). A forward jump can only split the
//! emulator's one-second windows, never fill them.
//!
//! Bob's sign-in latency runs from `GET /signin` to the account page (seven requests:
//! form, password, factor page, factor choice, code page, code, account page).
//!
//! Exit status: 0 when the protections held; 1 when bob got locked at the emulator, when
//! the emulator saw more than 4 `/token` requests in one second for any username, when
//! bob never signed in during a flood, when his browser got no device cookie, or when the
//! portal exited or panicked; 2 when the simulation itself could not run.

mod attack;
mod bob;
mod browser;
mod procs;
mod report;
mod scenario;

use std::net::Ipv4Addr;
use std::process::ExitCode;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use report::{Report, OKTA_PER_USER_PER_SECOND};

const BOB: &str = "bob@example.com";
const ALICE: &str = "alice@example.com";
const DAVE: &str = "dave@example.com";
const PASSWORD: &str = "Sup3r-Secret!";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
const CLIENT_ID: &str = "demo-portal";
const CLIENT_SECRET: &str = "demo-portal-secret";
/// How far the emulator's clock may be moved (the portal tolerates 120 s of `iat` skew).
const MAX_CLOCK_ADVANCE: i64 = 105;
/// Bob's own address: another loopback address in "one IP", a forwarded one in "many IPs".
const BOB_SOCKET_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const BOB_FORWARDED_IP: &str = "203.0.113.77";
/// Attack clients switch to a fresh cookie jar (a new "browser") after this many attempts.
const ATTEMPTS_PER_JAR: u32 = 10;
const DEVICE_COOKIE: &str = "__Host-device";

#[derive(Clone, Debug)]
struct Options {
    attempts: u64,
    seconds: f64,
    usernames: usize,
    concurrency: usize,
    bob_signins: usize,
    scenarios: Vec<Scenario>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    OneIp,
    ManyIps,
}

impl Scenario {
    fn title(self) -> &'static str {
        match self {
            Scenario::OneIp => "one IP",
            Scenario::ManyIps => "many IPs",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Scenario::OneIp => "one-ip",
            Scenario::ManyIps => "many-ips",
        }
    }
}

const USAGE: &str = "usage: flood [--attempts N] [--seconds S] [--usernames N] [--concurrency N] \
[--bob-signins N] [--scenario one-ip|many-ips|both]";

fn parse_options() -> Result<Options, String> {
    let mut o = Options {
        attempts: 3000,
        seconds: 60.0,
        usernames: 200,
        concurrency: 48,
        bob_signins: 8,
        scenarios: vec![Scenario::OneIp, Scenario::ManyIps],
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = || format!("{flag}: not a valid value: {value}");
        match flag.as_str() {
            "--attempts" => o.attempts = value.parse().map_err(|_| bad())?,
            "--seconds" => o.seconds = value.parse().map_err(|_| bad())?,
            "--usernames" => o.usernames = value.parse().map_err(|_| bad())?,
            "--concurrency" => o.concurrency = value.parse().map_err(|_| bad())?,
            "--bob-signins" => o.bob_signins = value.parse().map_err(|_| bad())?,
            "--scenario" => {
                o.scenarios = match value.as_str() {
                    "one-ip" => vec![Scenario::OneIp],
                    "many-ips" => vec![Scenario::ManyIps],
                    "both" => vec![Scenario::OneIp, Scenario::ManyIps],
                    _ => return Err(format!("--scenario: one-ip, many-ips or both\n{USAGE}")),
                }
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    // Everything stays bounded, whatever is asked.
    o.attempts = o.attempts.clamp(1, 20_000);
    o.seconds = o.seconds.clamp(5.0, 120.0);
    o.usernames = o.usernames.clamp(1, 5_000);
    o.concurrency = o.concurrency.clamp(1, 256);
    o.bob_signins = o.bob_signins.clamp(1, 20);
    Ok(o)
}

async fn run(o: Options) -> Result<Vec<Report>, String> {
    let mut seed_rng = StdRng::from_entropy();
    let secret: String = (0..48)
        .map(|_| char::from(seed_rng.gen_range(b'a'..=b'z')))
        .collect();
    let inherited: Vec<String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("DIRECT_SIGNIN_") || k.starts_with("ROCKET_"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    println!(
        "Flood simulation: {} wrong passwords over {:.0} s per scenario, {} concurrent clients, \
         {} made-up usernames plus bob (10 %), alice (5 %), dave (5 %); bob signs in up to {} times \
         during each flood (password + TOTP).",
        o.attempts, o.seconds, o.concurrency, o.usernames, o.bob_signins
    );
    println!("Binary: {}", procs::binary().display());
    if !inherited.is_empty() {
        println!("Inherited configuration: {}", inherited.join(" "));
    }
    let mut reports = vec![];
    for scenario in &o.scenarios {
        let measured = scenario::run(&o, *scenario, &secret, seed_rng.gen()).await?;
        reports.push(report::report(measured, &o));
    }
    Ok(reports)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    // Ctrl-C drops the run, and with it the child processes.
    let result = tokio::select! {
        r = run(options) => r,
        _ = tokio::signal::ctrl_c() => Err("interrupted".to_string()),
    };
    let reports = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("\nflood: {e}");
            return ExitCode::from(2);
        }
    };
    println!("\n== Summary (attempts sent | portal 401 / 429 / other | /token calls at the emulator | max per username per second | bob locked | bob signed in | bob latency median / p99 | portal RSS)");
    for r in &reports {
        let s = &r.summary;
        println!(
            "  {:<9} | {} | {} | {} | {} | {} | {} | {} | {}",
            r.scenario.title(),
            s["attempts"],
            s["answers"],
            s["reached"],
            s["max"],
            s["locked"],
            s["bob"],
            s["latency"],
            s["memory"]
        );
    }
    let failed: Vec<&String> = reports.iter().flat_map(|r| &r.failed_checks).collect();
    if failed.is_empty() {
        println!("\nThe protections held: bob was never locked, no username went over {OKTA_PER_USER_PER_SECOND}/s at the emulator, bob signed in during every flood.");
        ExitCode::SUCCESS
    } else {
        println!("\n!!!!!!!! PROTECTION FAILED !!!!!!!!");
        for f in failed {
            println!("  - {f}");
        }
        ExitCode::from(1)
    }
}
