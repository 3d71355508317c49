//! Failed-login limits, per account and per client address, in memory. Each replica counts on
//! its own (documented): behind a load balancer that spreads a client over n replicas, a client
//! gets at most n times the limit, which still stops guessing. Unknown accounts are counted
//! exactly like known ones, so the limit reveals nothing about which accounts exist.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures of one key within the current window.
struct Window {
    started: Instant,
    failures: u32,
}

/// The limiter of one replica.
pub struct LoginLimiter {
    windows: Mutex<HashMap<String, Window>>,
    per_account: u32,
    per_address: u32,
    window: Duration,
}

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

impl LoginLimiter {
    pub fn new(per_account: u32, per_address: u32, window: Duration) -> Self {
        Self { windows: Mutex::new(HashMap::new()), per_account, per_address, window }
    }

    fn keys(email: &str, address: Option<IpAddr>) -> [(Option<String>, bool); 2] {
        [(Some(format!("account:{email}")), true), (address.map(|a| format!("address:{a}")), false)]
    }

    /// `Err(seconds to wait)` when the account or the address used up its failures.
    pub fn check(&self, email: &str, address: Option<IpAddr>) -> Result<(), u64> {
        let Ok(map) = self.windows.lock() else { return Ok(()) };
        let now = Instant::now();
        for (key, is_account) in Self::keys(email, address) {
            let Some(key) = key else { continue };
            let limit = if is_account { self.per_account } else { self.per_address };
            if let Some(w) = map.get(&key) {
                let age = now.duration_since(w.started);
                if age < self.window && w.failures >= limit {
                    return Err((self.window - age).as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    /// Counts a failed login.
    pub fn fail(&self, email: &str, address: Option<IpAddr>) {
        let Ok(mut map) = self.windows.lock() else { return };
        let now = Instant::now();
        if map.len() >= SWEEP_AT {
            let window = self.window;
            map.retain(|_, w| now.duration_since(w.started) < window);
        }
        for (key, _) in Self::keys(email, address) {
            let Some(key) = key else { continue };
            let w = map.entry(key).or_insert(Window { started: now, failures: 0 });
            if now.duration_since(w.started) >= self.window {
                *w = Window { started: now, failures: 0 };
            }
            w.failures += 1;
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn succeed(&self, email: &str) {
        if let Ok(mut map) = self.windows.lock() {
            map.remove(&format!("account:{email}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_and_an_address_are_limited_separately() {
        let l = LoginLimiter::new(3, 5, Duration::from_secs(60));
        let a: Option<IpAddr> = "127.0.0.1".parse().ok();
        for _ in 0..3 {
            assert!(l.check("x@example.org", a).is_ok());
            l.fail("x@example.org", a);
        }
        assert!(l.check("x@example.org", a).is_err());
        assert!(l.check("y@example.org", a).is_ok());
        l.fail("y@example.org", a);
        l.fail("y@example.org", a);
        assert!(l.check("z@example.org", a).is_err(), "the address used up five failures");
        assert!(l.check("z@example.org", "10.0.0.1".parse().ok()).is_ok());
        l.succeed("x@example.org");
        assert!(l.check("x@example.org", "10.0.0.1".parse().ok()).is_ok());
    }
}
