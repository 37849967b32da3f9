//! Waiting for what the system under test does in the background (a push poll the portal
//! makes ahead of the wait page's status request), without fixed sleeps: ask again every
//! 10 ms until the answer is the awaited one or a real-time budget runs out.

use std::future::Future;
use std::time::{Duration, Instant};

/// How often [`until`] asks again.
pub const EVERY: Duration = Duration::from_millis(10);
/// The budget tests give the portal's background work (generous: CI machines are slow).
pub const BUDGET: Duration = Duration::from_secs(5);

/// Asks `probe` until `done` accepts its answer or `within` has passed (real time), every
/// [`EVERY`]; answers the last answer either way (the caller asserts on it, with context).
pub async fn until<T, F, Fut>(within: Duration, mut probe: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let started = Instant::now();
    loop {
        let answer = probe().await;
        if done(&answer) || started.elapsed() >= within {
            return answer;
        }
        rocket::tokio::time::sleep(EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rocket::async_test]
    async fn stops_at_the_awaited_answer_or_at_the_budget() {
        let mut n = 0;
        let got = until(
            BUDGET,
            || {
                n += 1;
                std::future::ready(n)
            },
            |n| *n == 3,
        )
        .await;
        assert_eq!(got, 3);
        let t = Instant::now();
        let got = until(
            Duration::from_millis(50),
            || std::future::ready(0),
            |n| *n == 1,
        )
        .await;
        assert_eq!(got, 0);
        assert!(t.elapsed() >= Duration::from_millis(50));
    }
}
