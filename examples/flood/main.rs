//! Flood simulation (issue 4, item 4; issue 8, item 9): a measurement, not a test.
//!
//! Run it with `scripts/flood` (which builds the release binary and this example first);
//! `--scenario NAME` picks one (default: all):
//! - `one-ip`, `many-ips`: credential stuffing on the password step, below;
//! - `otp-flood`, `push-flood`: code guessing and delivery floods on passwordless
//!   sign-in (see `codes.rs`);
//! - `slow-week`: a week of slow guessing on one moved clock, portal and emulator in this
//!   process (see `week.rs`).
//!
//! For `one-ip` and `many-ips` it starts a fresh emulator and a fresh portal as processes
//! on loopback ports, then:
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
//! Exit status: 0 when the protections held; 1 when a real account got locked at the
//! emulator in any scenario, when a random code signed an attacker in, when
//! the emulator saw more than 4 `/token` requests in one second for any username, when
//! bob never signed in during a flood, when his browser got no device cookie, or when the
//! portal exited or panicked; 2 when the simulation itself could not run.

mod attack;
mod bob;
mod browser;
mod codes;
mod procs;
mod report;
mod scenario;
mod week;

use std::net::Ipv4Addr;
use std::process::ExitCode;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
// The demo users, password and client, named once in the test kit.
use testkit::demo::{
    ALICE, BOB, CAROL, DAVE, DEMO_CLIENT_ID as CLIENT_ID, DEMO_CLIENT_SECRET as CLIENT_SECRET,
    PASSWORD,
};

use report::{Report, OKTA_PER_USER_PER_SECOND};

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
    /// Length of `otp-flood` and `push-flood`.
    code_seconds: f64,
    /// Clients of `otp-flood` and `push-flood`.
    code_concurrency: usize,
    /// New attacker browsers per second in `otp-flood` and `push-flood`.
    code_rate: f64,
    /// Simulated days of `slow-week`.
    days: usize,
    /// Attempts per account per simulated day in `slow-week`.
    per_day: usize,
    scenarios: Vec<Scenario>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    OneIp,
    ManyIps,
    OtpFlood,
    PushFlood,
    SlowWeek,
}

const ALL: [Scenario; 5] = [
    Scenario::OneIp,
    Scenario::ManyIps,
    Scenario::OtpFlood,
    Scenario::PushFlood,
    Scenario::SlowWeek,
];

impl Scenario {
    fn title(self) -> &'static str {
        match self {
            Scenario::OneIp => "one IP",
            Scenario::ManyIps => "many IPs",
            Scenario::OtpFlood => "OTP flood",
            Scenario::PushFlood => "push flood",
            Scenario::SlowWeek => "slow week",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Scenario::OneIp => "one-ip",
            Scenario::ManyIps => "many-ips",
            Scenario::OtpFlood => "otp-flood",
            Scenario::PushFlood => "push-flood",
            Scenario::SlowWeek => "slow-week",
        }
    }

    /// The password floods, whose figures share one summary table.
    fn is_password_flood(self) -> bool {
        matches!(self, Scenario::OneIp | Scenario::ManyIps)
    }
}

const USAGE: &str = "usage: flood [--attempts N] [--seconds S] [--usernames N] [--concurrency N] \
[--bob-signins N] [--code-seconds S] [--code-concurrency N] [--code-rate R] [--days N] [--per-day N] \
[--scenario one-ip|many-ips|both|otp-flood|push-flood|slow-week|all]
(default: all; --scenario may be repeated or comma-separated)";

fn parse_options() -> Result<Options, String> {
    let mut o = Options {
        attempts: 3000,
        seconds: 60.0,
        usernames: 200,
        concurrency: 48,
        bob_signins: 8,
        code_seconds: 15.0,
        code_concurrency: 16,
        code_rate: 2.0,
        days: 7,
        per_day: 6,
        scenarios: vec![],
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
            "--code-seconds" => o.code_seconds = value.parse().map_err(|_| bad())?,
            "--code-concurrency" => o.code_concurrency = value.parse().map_err(|_| bad())?,
            "--code-rate" => o.code_rate = value.parse().map_err(|_| bad())?,
            "--days" => o.days = value.parse().map_err(|_| bad())?,
            "--per-day" => o.per_day = value.parse().map_err(|_| bad())?,
            "--scenario" => {
                for name in value.split(',') {
                    let picked: &[Scenario] = match name.trim() {
                        "one-ip" => &[Scenario::OneIp],
                        "many-ips" => &[Scenario::ManyIps],
                        "both" => &[Scenario::OneIp, Scenario::ManyIps],
                        "otp-flood" => &[Scenario::OtpFlood],
                        "push-flood" => &[Scenario::PushFlood],
                        "slow-week" => &[Scenario::SlowWeek],
                        "all" => &ALL,
                        _ => return Err(format!("--scenario: unknown scenario {name}\n{USAGE}")),
                    };
                    for s in picked {
                        if !o.scenarios.contains(s) {
                            o.scenarios.push(*s);
                        }
                    }
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
    o.code_seconds = o.code_seconds.clamp(5.0, 300.0);
    o.code_concurrency = o.code_concurrency.clamp(1, 128);
    o.code_rate = o.code_rate.clamp(0.1, 200.0);
    o.days = o.days.clamp(1, 60);
    o.per_day = o.per_day.clamp(1, 48);
    if o.scenarios.is_empty() {
        o.scenarios = ALL.to_vec();
    }
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
    if o.scenarios.iter().any(|s| s.is_password_flood()) {
        println!(
        "Flood simulation: {} wrong passwords over {:.0} s per scenario, {} concurrent clients, \
         {} made-up usernames plus bob (10 %), alice (5 %), dave (5 %); bob signs in up to {} times \
         during each flood (password + TOTP).",
        o.attempts, o.seconds, o.concurrency, o.usernames, o.bob_signins
    );
    }
    println!(
        "Scenarios: {}",
        o.scenarios
            .iter()
            .map(|s| s.slug())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("Binary: {}", procs::binary().display());
    if !inherited.is_empty() {
        println!("Inherited configuration: {}", inherited.join(" "));
    }
    let mut reports = vec![];
    for scenario in &o.scenarios {
        let seed = seed_rng.gen();
        let report = match scenario {
            Scenario::OneIp | Scenario::ManyIps => {
                report::report(scenario::run(&o, *scenario, &secret, seed).await?, &o)
            }
            Scenario::OtpFlood => report::code_report(
                codes::run(&o, codes::Kind::Otp, &secret, seed).await?,
                *scenario,
            ),
            Scenario::PushFlood => report::code_report(
                codes::run(&o, codes::Kind::Push, &secret, seed).await?,
                *scenario,
            ),
            Scenario::SlowWeek => report::week_report(week::run(&o, &secret, seed).await?),
        };
        reports.push(report);
    }
    Ok(reports)
}

#[rocket::main]
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
    let password_floods: Vec<&Report> = reports
        .iter()
        .filter(|r| r.scenario.is_password_flood())
        .collect();
    if !password_floods.is_empty() {
        println!("\n== Summary (attempts sent | portal 401 / 429 / other | /token calls at the emulator | max per username per second | bob locked | bob signed in | bob latency median / p99 | portal RSS)");
        for r in &password_floods {
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
    }
    for r in reports.iter().filter(|r| !r.scenario.is_password_flood()) {
        println!(
            "  {:<10} | {}",
            r.scenario.slug(),
            r.summary.get("line").map_or("-", String::as_str)
        );
    }
    let failed: Vec<&String> = reports.iter().flat_map(|r| &r.failed_checks).collect();
    if failed.is_empty() {
        println!("\nThe protections held: no real account was locked at the emulator, no portal crashed, no random code signed anyone in.");
        if password_floods.iter().len() > 0 {
            println!("Password floods: bob was never locked, no username went over {OKTA_PER_USER_PER_SECOND}/s at the emulator, bob signed in during every flood.");
        }
        ExitCode::SUCCESS
    } else {
        println!("\n!!!!!!!! PROTECTION FAILED !!!!!!!!");
        for f in failed {
            println!("  - {f}");
        }
        ExitCode::from(1)
    }
}
