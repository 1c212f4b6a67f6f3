//! Bounded data parallelism on the standard library's scoped threads: the typesetter sets
//! parts, the PDF writer builds pages and the batch driver builds books on every core. Results
//! keep their input order, so the output never depends on which thread finished first.
//!
//! One process-wide budget of threads, one per core, is shared by every parallel region, however
//! they nest: a thread that works holds one slot of it, and a region adds helper threads only
//! while spare slots are left. So `quire build -j 2` on two cores runs two books side by side,
//! each on one thread, and when the last book is left alone its parts and pages spread over the
//! slot the finished worker gave back. Invariant: the threads doing work never outnumber the
//! budget, which is the number of cores unless `-j N` set it ([`set_threads`]).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// The number of cores (at least 1).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The budget: how many threads may work at once (the cores, unless [`set_threads`] said).
static TOTAL: OnceLock<AtomicUsize> = OnceLock::new();

fn total() -> &'static AtomicUsize {
    TOTAL.get_or_init(|| AtomicUsize::new(cores()))
}

/// Spare slots: the budget minus the threads at work (the first thread holds one from the
/// start). Negative for a while after the budget was lowered under the threads at work.
fn spare() -> &'static AtomicIsize {
    static SPARE: OnceLock<AtomicIsize> = OnceLock::new();
    SPARE.get_or_init(|| {
        AtomicIsize::new(isize::try_from(total().load(Ordering::Relaxed)).unwrap_or(1) - 1)
    })
}

/// Sets the budget to `threads` (at least 1): `quire build -j N` runs at most N threads at
/// once, books and the parts and pages inside them together. Returns the previous budget.
pub fn set_threads(threads: usize) -> usize {
    let threads = threads.max(1);
    spare();
    let old = total().swap(threads, Ordering::AcqRel);
    let delta = isize::try_from(threads).unwrap_or(isize::MAX) - isize::try_from(old).unwrap_or(0);
    spare().fetch_add(delta, Ordering::AcqRel);
    old
}

/// Slots of the thread budget, given back when dropped.
#[derive(Debug)]
pub struct Slots(usize);

impl Slots {
    /// Takes up to `wanted` spare slots (perhaps none).
    pub fn take(wanted: usize) -> Slots {
        let mut got = 0;
        while got < wanted {
            let current = spare().load(Ordering::Relaxed);
            if current <= 0 {
                break;
            }
            if spare()
                .compare_exchange(current, current - 1, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                got += 1;
            }
        }
        Slots(got)
    }

    pub fn count(&self) -> usize {
        self.0
    }

    /// Splits off one slot, for a helper thread to carry and give back when it ends.
    pub fn split_one(&mut self) -> Option<Slots> {
        (self.0 > 0).then(|| {
            self.0 -= 1;
            Slots(1)
        })
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        if self.0 > 0 {
            spare().fetch_add(isize::try_from(self.0).unwrap_or(0), Ordering::AcqRel);
        }
    }
}

/// The helper threads of one region: a thread that has run out of work waits for them with
/// [`Helpers::wait`], lending its slot meanwhile, so that the work still running can grow
/// into it (a book's EPUB is done long before its PDF, whose pages then take both cores).
#[derive(Debug, Default)]
pub struct Helpers {
    running: Mutex<usize>,
    done: Condvar,
}

/// Marks a helper as running until dropped (also when it unwinds).
pub struct Running<'a>(&'a Helpers);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        *lock(&self.0.running) -= 1;
        self.0.done.notify_all();
    }
}

impl Helpers {
    /// Counts a helper about to be spawned; it ends when the guard is dropped.
    pub fn start(&self) -> Running<'_> {
        *lock(&self.running) += 1;
        Running(self)
    }

    /// Waits until no helper runs, with the calling thread's slot lent to the others.
    pub fn wait(&self) {
        spare().fetch_add(1, Ordering::AcqRel);
        let mut running = lock(&self.running);
        while *running > 0 {
            running = self
                .done
                .wait(running)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        drop(running);
        spare().fetch_sub(1, Ordering::AcqRel);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Applies `f` to every item, keeping the order. The calling thread works too; helpers are
/// added, one spare slot each, whenever a slot is free and items are left, so a region that
/// starts alone on a busy machine grows when other work ends.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let shared = Shared {
        items,
        f: &f,
        next: AtomicUsize::new(0),
        done: Mutex::new(Vec::with_capacity(items.len())),
        helpers: Helpers::default(),
    };
    std::thread::scope(|scope| {
        work(scope, &shared, Slots(0));
        shared.helpers.wait();
    });
    let mut results = shared
        .done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// What the threads of one [`map`] share.
struct Shared<'a, T, R, F> {
    items: &'a [T],
    f: &'a F,
    next: AtomicUsize,
    done: Mutex<Vec<(usize, R)>>,
    helpers: Helpers,
}

/// Takes items until none is left, first adding a helper if a slot is spare and at least one
/// more item waits. `_slot` is the helper's slot, given back when it runs out of work.
fn work<'scope, 'env, T: Sync, R: Send, F: Fn(&T) -> R + Sync>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    shared: &'scope Shared<'env, T, R, F>,
    _slot: Slots,
) {
    let mut mine = Vec::new();
    loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = shared.items.get(i) else {
            break;
        };
        if i + 1 < shared.items.len() {
            let helper = Slots::take(1);
            if helper.count() == 1 {
                let running = shared.helpers.start();
                scope.spawn(move || {
                    let _running = running;
                    work(scope, shared, helper);
                });
            }
        }
        mine.push((i, (shared.f)(item)));
    }
    lock(&shared.done).extend(mine);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_gives_slots_back() {
        let before = spare().load(Ordering::Relaxed);
        let items: Vec<u32> = (0..200).collect();
        let out = map(&items, |x| {
            std::thread::sleep(std::time::Duration::from_micros(50));
            x * 2
        });
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        // Other tests may hold slots at this moment; ours are back once the map returns.
        assert!(spare().load(Ordering::Relaxed) >= before.min(0));
    }

    #[test]
    fn nested_maps_keep_order() {
        let outer: Vec<u32> = (0..8).collect();
        let out = map(&outer, |&x| map(&[x, x + 1, x + 2], |y| y * 10));
        for (x, row) in outer.iter().zip(out) {
            assert_eq!(row, vec![x * 10, (x + 1) * 10, (x + 2) * 10]);
        }
    }

    #[test]
    fn slots_are_returned_when_dropped() {
        let mut some = Slots::take(0);
        assert_eq!(some.count(), 0);
        assert!(some.split_one().is_none());
    }
}
