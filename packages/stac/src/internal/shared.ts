// One request per key among the fibers that ask for it while it is in flight: the first runs it, the
// others wait for its outcome. Registering the request and attaching its completion are one
// uninterruptible step, so an interruption cannot leave a waiter on a request nobody completes.
import { Deferred, Effect, type Exit } from "effect"

/**
 * Runs `run` for `key` unless a run for it is in flight in `pending`, in which case `joined` is called and
 * its outcome awaited. When the run ends, waiters get `settle(exit)` (what an interrupted or failed run
 * means for them is the caller's rule).
 */
export const shared = <A, E>(
  pending: Map<string, Deferred.Deferred<A, E>>,
  key: string,
  run: Effect.Effect<A, E>,
  settle: (exit: Exit.Exit<A, E>) => Effect.Effect<A, E>,
  joined: () => void = () => {}
): Effect.Effect<A, E> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.suspend(() => {
      const waiting = pending.get(key)
      if (waiting !== undefined) {
        joined()
        return restore(Deferred.await(waiting))
      }
      const deferred = Deferred.makeUnsafe<A, E>()
      pending.set(key, deferred)
      return restore(run).pipe(
        Effect.onExit((exit) =>
          Effect.sync(() => {
            pending.delete(key)
            Deferred.doneUnsafe(deferred, settle(exit))
          })
        )
      )
    })
  )
