//! Failed-login limits, in memory, per replica (documented: behind a load balancer that
//! spreads a client over n replicas, a client gets at most n times each limit).
//!
//! Three windows, chosen so that brute force is stopped without handing anyone a way to lock
//! others out:
//! - per account *and* client address: 5 failures in 15 minutes. This is the limit a guesser
//!   meets; it locks out only that address for that account, never the account's owner
//!   elsewhere;
//! - per client address: 50 failures in 15 minutes, over all accounts (a guesser trying many
//!   accounts);
//! - per account, from all addresses together: 50 failures in 24 hours. Only someone with at
//!   least ten addresses can reach it, and it caps guesses at 50 a day whatever they have.
//!
//! An attempt takes its slot in every window *before* the password is checked, atomically, so
//! parallel attempts can never evaluate more guesses than the limits allow; a successful
//! login gives its slot back. Unknown accounts are counted exactly like known ones, so the
//! limits reveal nothing about which accounts exist.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts of one key within the current window.
struct Window {
    started: Instant,
    count: u32,
}

/// One of the limits.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

/// The limits of one replica.
pub struct LoginLimiter {
    windows: Mutex<HashMap<String, Window>>,
    pub per_account_and_address: Limit,
    pub per_address: Limit,
    pub per_account: Limit,
}

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// A login attempt that holds its slots; dropped without `succeeded`, it counts as a failure.
pub struct Attempt<'a> {
    limiter: &'a LoginLimiter,
    keys: Vec<String>,
}

impl LoginLimiter {
    pub fn new(per_account_and_address: Limit, per_address: Limit, per_account: Limit) -> Self {
        Self { windows: Mutex::new(HashMap::new()), per_account_and_address, per_address, per_account }
    }

    /// The defaults described above.
    pub fn standard() -> Self {
        let quarter = Duration::from_secs(15 * 60);
        Self::new(
            Limit { max: 5, window: quarter },
            Limit { max: 50, window: quarter },
            Limit { max: 50, window: Duration::from_secs(24 * 3600) },
        )
    }

    fn keys(&self, email: &str, address: Option<IpAddr>) -> Vec<(String, Limit)> {
        let mut keys = vec![(format!("account:{email}"), self.per_account)];
        if let Some(a) = address {
            keys.push((format!("pair:{email}:{a}"), self.per_account_and_address));
            keys.push((format!("address:{a}"), self.per_address));
        } else {
            keys.push((format!("pair:{email}:-"), self.per_account_and_address));
        }
        keys
    }

    /// Takes a slot in every window of this attempt, or `Err(seconds to wait)` when one of
    /// them is used up (then nothing is taken).
    pub fn begin(&self, email: &str, address: Option<IpAddr>) -> Result<Attempt<'_>, u64> {
        // A poisoned lock means a thread panicked while counting: refuse rather than let
        // guesses through uncounted.
        let Ok(mut map) = self.windows.lock() else { return Err(60) };
        let now = Instant::now();
        if map.len() >= SWEEP_AT {
            let longest = self.per_account.window.max(self.per_address.window).max(self.per_account_and_address.window);
            map.retain(|_, w| now.duration_since(w.started) < longest);
        }
        let keys = self.keys(email, address);
        for (key, limit) in &keys {
            if let Some(w) = map.get(key) {
                let age = now.duration_since(w.started);
                if age < limit.window && w.count >= limit.max {
                    return Err((limit.window - age).as_secs().max(1));
                }
            }
        }
        for (key, limit) in &keys {
            let w = map.entry(key.clone()).or_insert(Window { started: now, count: 0 });
            if now.duration_since(w.started) >= limit.window {
                *w = Window { started: now, count: 0 };
            }
            w.count += 1;
        }
        Ok(Attempt { limiter: self, keys: keys.into_iter().map(|(k, _)| k).collect() })
    }
}

impl Attempt<'_> {
    /// The password was right: the slots are given back, and the failures of this account
    /// from this address are forgotten.
    pub fn succeeded(self) {
        let Ok(mut map) = self.limiter.windows.lock() else { return };
        for key in &self.keys {
            if key.starts_with("pair:") {
                map.remove(key);
            } else if let Some(w) = map.get_mut(key) {
                w.count = w.count.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> LoginLimiter {
        let minute = Duration::from_secs(60);
        LoginLimiter::new(
            Limit { max: 3, window: minute },
            Limit { max: 5, window: minute },
            Limit { max: 4, window: minute },
        )
    }

    #[test]
    fn a_guesser_is_stopped_without_locking_out_the_owner_elsewhere() {
        let l = small();
        let attacker: Option<IpAddr> = "192.0.2.1".parse().ok();
        let owner: Option<IpAddr> = "198.51.100.7".parse().ok();
        for _ in 0..3 {
            drop(l.begin("x@example.org", attacker).unwrap());
        }
        assert!(l.begin("x@example.org", attacker).is_err(), "the pair used up its three");
        l.begin("x@example.org", owner).unwrap().succeeded();
        assert!(l.begin("x@example.org", owner).is_ok(), "the owner is not locked out by another address");
    }

    #[test]
    fn slots_are_taken_before_the_check_so_parallel_attempts_cannot_exceed_the_limit() {
        let l = small();
        let a: Option<IpAddr> = "192.0.2.1".parse().ok();
        let held: Vec<_> = (0..3).map(|_| l.begin("y@example.org", a).unwrap()).collect();
        assert!(l.begin("y@example.org", a).is_err(), "a fourth attempt while three are being checked");
        drop(held);
    }

    #[test]
    fn the_address_and_the_account_over_all_addresses_are_limited_too() {
        let l = small();
        let a: Option<IpAddr> = "192.0.2.1".parse().ok();
        for i in 0..5 {
            drop(l.begin(&format!("u{i}@example.org"), a).unwrap());
        }
        assert!(l.begin("other@example.org", a).is_err(), "the address used up five");
        for i in 0..4 {
            drop(l.begin("z@example.org", format!("10.0.0.{i}").parse().ok()).unwrap());
        }
        assert!(
            l.begin("z@example.org", "10.0.1.1".parse().ok()).is_err(),
            "the account used up four over all addresses"
        );
    }
}
