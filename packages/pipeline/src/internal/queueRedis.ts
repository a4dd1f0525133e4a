// Redis connections and BullMQ handles for queue mode, each acquired with Effect.acquireRelease so a
// scope's end (normal exit, failure or SIGTERM interruption) closes them in reverse order.
import { Queue as BullQueue, FlowProducer } from "bullmq"
import { Effect, Schema } from "effect"
import { Redis } from "ioredis"

/** Redis cannot be reached or a queue operation failed. */
export class QueueError extends Schema.TaggedError<QueueError>()("QueueError", {
  redis: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** A Redis URL without its password, for messages. */
export const redactUrl = (url: string): string => url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@")

/** One connection (BullMQ needs `maxRetriesPerRequest: null` for its blocking reads). */
export const connect = (url: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const redis = new Redis(url, {
          maxRetriesPerRequest: null,
          lazyConnect: true,
          // Fail fast on the first connection; reconnect with a capped delay afterwards.
          retryStrategy: (times) => Math.min(times * 200, 2000)
        })
        // ioredis emits errors while reconnecting; they surface through failing commands instead.
        redis.on("error", () => {})
        try {
          await redis.connect()
        } catch (e) {
          redis.disconnect()
          throw e
        }
        return redis
      },
      catch: (cause) =>
        new QueueError({
          redis: redactUrl(url),
          message: `cannot connect to Redis at ${redactUrl(url)}: ${messageOf(cause)}; start redis-server or pass --redis redis://host:port`,
          cause
        })
    }),
    (redis) =>
      Effect.promise(() =>
        redis.quit().then(
          () => undefined,
          () => redis.disconnect()
        )
      )
  )

/** A BullMQ queue handle on a connection. */
export const queue = (name: string, connection: Redis) =>
  Effect.acquireRelease(
    Effect.sync(() => new BullQueue(name, { connection })),
    (q) => Effect.promise(() => q.close().catch(() => undefined))
  )

/** A BullMQ flow producer on a connection. */
export const flowProducer = (connection: Redis) =>
  Effect.acquireRelease(
    Effect.sync(() => new FlowProducer({ connection })),
    (f) => Effect.promise(() => f.close().catch(() => undefined))
  )

/** Run a BullMQ call, mapping its rejection to a QueueError naming what was attempted. */
export const call = <A>(url: string, what: string, f: () => Promise<A>) =>
  Effect.tryPromise({
    try: f,
    catch: (cause) =>
      new QueueError({
        redis: redactUrl(url),
        message: `${what} failed on ${redactUrl(url)}: ${messageOf(cause)}`,
        cause
      })
  })
