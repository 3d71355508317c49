//! A unit of script work (a validation, a preview, a round, a recommendation) with a time
//! budget of its own and a cancellation flag, and the slots that bound how many run at once.
//!
//! Why: scoring is synchronous CPU work on blocking threads, so a request's time-out (or a
//! client that went away) cannot stop it from the outside. Every script call checks its job
//! every 256 operations, and the native evaluator between rows, so a job stops within
//! milliseconds of being cancelled or of running out of budget. Each job scores on threads of
//! its own (a small rayon pool), so one city's long round shares the cores with another
//! city's dry run instead of queueing it behind its own work.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::engine::CURRENT_JOB;

/// Why a job stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Its request ended (time-out or client gone).
    Cancelled,
    /// It used up its time budget.
    OutOfBudget,
}

/// One job's budget and cancellation flag, shared by every thread working on it.
#[derive(Debug)]
pub struct Job {
    /// What the job is, for messages: "the round", "the validation", …
    pub what: &'static str,
    pub budget: Duration,
    deadline: Instant,
    cancelled: AtomicBool,
}

impl Job {
    pub fn new(what: &'static str, budget: Duration) -> Arc<Self> {
        Arc::new(Self { what, budget, deadline: Instant::now() + budget, cancelled: AtomicBool::new(false) })
    }

    /// Stops the job at its next check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Why the job must stop now, if it must.
    pub fn stopped(&self) -> Option<Stopped> {
        if self.cancelled.load(Ordering::Relaxed) {
            Some(Stopped::Cancelled)
        } else if Instant::now() >= self.deadline {
            Some(Stopped::OutOfBudget)
        } else {
            None
        }
    }

    pub fn should_stop(&self) -> bool {
        self.stopped().is_some()
    }

    /// A sentence for the caller when the job stopped early.
    pub fn message(&self, why: Stopped) -> String {
        match why {
            Stopped::Cancelled => format!("{} was stopped because its request ended", self.what),
            Stopped::OutOfBudget => format!(
                "{} used up its time budget of {} s and was stopped; nothing was stored (is the script slow for some households?)",
                self.what,
                self.budget.as_secs_f64()
            ),
        }
    }

    /// Makes this the job of the current thread until the guard is dropped.
    pub fn enter(self: &Arc<Self>) -> JobGuard {
        JobGuard(CURRENT_JOB.with(|j| j.replace(Some(Arc::clone(self)))))
    }

    /// Runs `work` on `threads` threads of their own, each working for this job; rayon's
    /// parallel iterators inside `work` use those threads.
    pub fn run<T: Send>(self: &Arc<Self>, threads: usize, work: impl FnOnce() -> T + Send) -> T {
        if threads <= 1 {
            let _guard = self.enter();
            return work();
        }
        let job = Arc::clone(self);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("samenhier-score-{i}"))
            .start_handler(move |_| {
                // The guard lives as long as the thread: the pool's threads serve this job only.
                std::mem::forget(job.enter());
            })
            .build();
        match pool {
            Ok(pool) => pool.install(work),
            // Threads could not be started (resource limits): work on this thread alone.
            Err(e) => {
                tracing::warn!(error = %e, "could not start scoring threads; scoring on one thread");
                let _guard = self.enter();
                work()
            }
        }
    }
}

/// The job of the current thread, if any.
pub fn current() -> Option<Arc<Job>> {
    CURRENT_JOB.with(|j| j.borrow().clone())
}

/// Why the current thread's job must stop, as a sentence, if it must.
pub fn stop_message() -> Option<String> {
    current().and_then(|job| job.stopped().map(|why| job.message(why)))
}

/// Restores the thread's previous job when dropped.
pub struct JobGuard(Option<Arc<Job>>);

impl Drop for JobGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT_JOB.with(|j| *j.borrow_mut() = previous);
    }
}

/// Cancels a job when dropped: held by the request's future, so a request that times out or
/// whose client goes away (actix drops its future) stops its work.
pub struct CancelOnDrop(pub Arc<Job>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// How many jobs may score at once: in all, and per city (one, so a city's own hostile or slow
/// script waits behind itself, never in front of another city's work).
pub struct Slots {
    all: Arc<tokio::sync::Semaphore>,
    per_city: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>,
    /// Threads each job scores on.
    pub threads: usize,
}

/// A job's right to score, until dropped.
pub struct Slot {
    _all: tokio::sync::OwnedSemaphorePermit,
    _city: tokio::sync::OwnedSemaphorePermit,
}

impl Slots {
    pub fn new(jobs: usize, threads: usize) -> Self {
        Self {
            all: Arc::new(tokio::sync::Semaphore::new(jobs.max(1))),
            per_city: Default::default(),
            threads: threads.max(1),
        }
    }

    /// Waits for a slot for `city` (the city's first, then one of all).
    pub async fn acquire(&self, city: &str) -> Option<Slot> {
        let city_sem = match self.per_city.lock() {
            Ok(mut map) => {
                Arc::clone(map.entry(city.to_owned()).or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(1))))
            }
            Err(_) => return None,
        };
        let city = city_sem.acquire_owned().await.ok()?;
        let all = Arc::clone(&self.all).acquire_owned().await.ok()?;
        Some(Slot { _all: all, _city: city })
    }
}
