//! What happened during the run, by phase: a phase starts with each fault and lasts until
//! the next one ("steady" before the first). Real users and the flood record here; the
//! report reads it at the end.

use std::collections::BTreeMap;
use std::time::Instant;

use parking_lot::Mutex;

/// Who saw an answer: a real user or the flood.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Real,
    Flood,
}

impl Who {
    pub fn name(self) -> &'static str {
        match self {
            Who::Real => "real users",
            Who::Flood => "flood",
        }
    }
}

/// One real sign-in attempt.
#[derive(Clone, Debug)]
pub struct SignIn {
    pub kind: &'static str,
    pub phase: String,
    /// Seconds since the load started (negative: the warm-up).
    pub at: f64,
    /// `None`: completed; else why not.
    pub failure: Option<String>,
}

/// One re-check of `/account` by a signed-in user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// 200: the session answered.
    Alive,
    /// Sent to sign in: the session is gone.
    Lost,
    /// No clear answer after the retries (5xx, transport errors).
    Unreachable,
}

/// A phase of the run: its name and start, seconds since the load started.
#[derive(Clone, Debug)]
pub struct Phase {
    pub name: String,
    pub start: f64,
}

#[derive(Default)]
struct Inner {
    origin: Option<Instant>,
    phases: Vec<Phase>,
    ended: Option<f64>,
    five_xx: BTreeMap<(String, Who, u16), u64>,
    transport: BTreeMap<(String, Who), u64>,
    signins: Vec<SignIn>,
    checks: Vec<(String, Check, String)>,
    signouts: (u64, u64),
}

/// The shared record of the run.
pub struct Tally(Mutex<Inner>);

impl Tally {
    pub fn new() -> Self {
        Tally(Mutex::new(Inner::default()))
    }

    /// The load starts at `origin`, in phase `name`.
    pub fn begin(&self, name: &str, origin: Instant) {
        let mut t = self.0.lock();
        t.origin = Some(origin);
        t.phases.push(Phase {
            name: name.into(),
            start: 0.0,
        });
    }

    /// Seconds since the load started (negative before: the warm-up).
    pub fn now(&self) -> f64 {
        let t = self.0.lock();
        t.origin.map_or(-1.0, |o| {
            let now = Instant::now();
            if now >= o {
                (now - o).as_secs_f64()
            } else {
                -(o - now).as_secs_f64()
            }
        })
    }

    /// A new phase from now on.
    pub fn phase(&self, name: &str) {
        let at = self.now();
        self.0.lock().phases.push(Phase {
            name: name.into(),
            start: at,
        });
    }

    pub fn end(&self, at: Instant) {
        let mut t = self.0.lock();
        t.ended = t
            .origin
            .map(|o| at.saturating_duration_since(o).as_secs_f64());
    }

    /// The current phase's name ("warm-up" before the load).
    pub fn current(&self) -> String {
        let t = self.0.lock();
        t.phases
            .last()
            .map_or_else(|| "warm-up".to_string(), |p| p.name.clone())
    }

    pub fn phases(&self) -> (Vec<Phase>, f64) {
        let t = self.0.lock();
        (t.phases.clone(), t.ended.unwrap_or(0.0))
    }

    /// 5xx statuses a browser saw (drained from it).
    pub fn server_errors(&self, who: Who, statuses: &mut Vec<u16>) {
        if statuses.is_empty() {
            return;
        }
        let phase = self.current();
        let mut t = self.0.lock();
        for s in statuses.drain(..) {
            *t.five_xx.entry((phase.clone(), who, s)).or_default() += 1;
        }
    }

    /// A request that got no HTTP answer at all.
    pub fn transport_error(&self, who: Who) {
        let phase = self.current();
        *self.0.lock().transport.entry((phase, who)).or_default() += 1;
    }

    pub fn signin(&self, kind: &'static str, failure: Option<String>) {
        let (phase, at) = (self.current(), self.now());
        self.0.lock().signins.push(SignIn {
            kind,
            phase,
            at,
            failure,
        });
    }

    pub fn check(&self, outcome: Check, user: &str) {
        let phase = self.current();
        self.0
            .lock()
            .checks
            .push((phase, outcome, user.to_string()));
    }

    pub fn signout(&self, ok: bool) {
        let mut t = self.0.lock();
        t.signouts.1 += 1;
        if ok {
            t.signouts.0 += 1;
        }
    }

    pub fn five_xx(&self) -> BTreeMap<(String, Who, u16), u64> {
        self.0.lock().five_xx.clone()
    }

    pub fn transport(&self) -> BTreeMap<(String, Who), u64> {
        self.0.lock().transport.clone()
    }

    pub fn signins(&self) -> Vec<SignIn> {
        self.0.lock().signins.clone()
    }

    /// `(phase, outcome, user)` of every `/account` re-check.
    pub fn checks(&self) -> Vec<(String, Check, String)> {
        self.0.lock().checks.clone()
    }

    /// Sign-outs `(answered 303, attempted)`.
    pub fn signouts(&self) -> (u64, u64) {
        self.0.lock().signouts
    }
}
