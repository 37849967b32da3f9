//! The chaos run's command line: `--seconds`, `--users`, `--flood-rate`, `--ceiling`,
//! `--sentinel`. Every figure is clamped to a range the machine can carry.

/// What the run was asked for.
#[derive(Clone, Debug)]
pub struct Options {
    /// Length of the load (after the warm-up), seconds.
    pub seconds: u64,
    /// Real users (two in three TOTP, one in three push).
    pub users: usize,
    /// Credential-stuffing attempts per second.
    pub flood_rate: f64,
    /// `protection.okta_calls_per_second` of the fleet.
    pub ceiling: u32,
    /// Redis Sentinel (`redis.mode = "sentinel"`) instead of one master URL.
    pub sentinel: bool,
}

const USAGE: &str =
    "usage: chaos [--seconds 90] [--users 15] [--flood-rate 30] [--ceiling 16] [--sentinel]
  --seconds     length of the load and fault schedule (40-600)
  --users       real users signing in during the run (3-200; 2/3 TOTP, 1/3 push)
  --flood-rate  credential-stuffing attempts per second (0-400)
  --ceiling     protection.okta_calls_per_second for the fleet (1-1000)
  --sentinel    Redis Sentinel: the portals get redis.mode=sentinel, the failover kills the master";

/// Parses the command line; `Err` is the message to print (usage included).
pub fn parse() -> Result<Options, String> {
    let mut o = Options {
        seconds: 90,
        users: 15,
        flood_rate: 30.0,
        ceiling: 16,
        sentinel: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "-h" | "--help" => return Err(USAGE.into()),
            "--sentinel" => {
                o.sentinel = true;
                continue;
            }
            _ => {}
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = || format!("{flag}: not a valid value: {value}\n{USAGE}");
        match flag.as_str() {
            "--seconds" => o.seconds = value.parse().map_err(|_| bad())?,
            "--users" => o.users = value.parse().map_err(|_| bad())?,
            "--flood-rate" => o.flood_rate = value.parse().map_err(|_| bad())?,
            "--ceiling" => o.ceiling = value.parse().map_err(|_| bad())?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if !o.flood_rate.is_finite() {
        return Err(format!("--flood-rate: not a valid value\n{USAGE}"));
    }
    o.seconds = o.seconds.clamp(40, 600);
    o.users = o.users.clamp(3, 200);
    o.flood_rate = o.flood_rate.clamp(0.0, 400.0);
    o.ceiling = o.ceiling.clamp(1, 1000);
    Ok(o)
}
