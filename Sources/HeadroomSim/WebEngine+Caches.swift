// Caches: a lookup (a hit ratio, or Zipf-popular keys in a store with capacity and TTL), a miss
// jumping to the fill path, single-flight fills that make concurrent misses of one key wait
// (coalesced) and wake as hits, and invalidation by writes.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    @inline(__always)
    func cacheStoreIndex(cache: Int32, instance: Int32) -> Int {
        Int(cache) * instanceCount + (cachePerInstance[Int(cache)] ? Int(instance) : 0)
    }

    /// A cache lookup step: waits the lookup's own time (none if zero), then draws a hit (a
    /// hit ratio) or looks a Zipf-drawn key up in the store (keys). A hit goes on; a miss jumps
    /// to the miss path, which ends with a fill, unless, with single flight, another entity is
    /// already filling the key: this one then waits for that fill and is served with it.
    @_transparent
    mutating func runCacheLookup(_ e: Int32, cache: Int32, slot: Int32, missTarget: Int32) -> Bool {
        let ei = Int(e)
        if let serverTime = cacheServerTime[Int(cache)] {
            // A cache server that can saturate: the lookup runs there.
            switch entities[ei].phase {
            case .start, .waitingForCacheConnection, .waitingForCacheServer, .atCacheServer:
                guard useCacheServer(e, cache: cache, time: serverTime, stream: cacheServerStreams[Int(cache)]!) else { return false }
                entities[ei].phase = .lookupDue
            default:
                break  // woken by a single-flight fill
            }
        } else if entities[ei].phase == .start {
            entities[ei].phase = .lookupDue
            let lookup = cacheLookupTime[Int(cache)]
            if case .constant(let t) = lookup, t == 0 {} else {
                schedule(.delayEnd, e, at: now + lookup.sample(cacheStreams[Int(cache)]))
                return false
            }
        }
        if entities[ei].phase == .servedByFill {
            cacheHits[Int(cache)] += 1
            step(e)
            return true
        }
        cacheLookups[Int(cache)] += 1
        let singleFlight = cacheSingleFlight[Int(cache)]
        if !cacheUsesKeys[Int(cache)] {
            if cacheStreams[Int(cache)].uniform() < cacheHitRatio[Int(cache)] {
                cacheHits[Int(cache)] += 1
                step(e)
            } else {
                entities[ei].phase = .start
                entities[ei].pc = missTarget
            }
        } else {
            let store = cacheStoreIndex(cache: cache, instance: entities[ei].instance)
            let key = zipf[Int(cache)]!.sample(cacheStreams[Int(cache)])
            slotValues[slotIndex(e, slot)] = key
            if cacheStores[store]!.lookup(key, now: now) {
                cacheHits[Int(cache)] += 1
                step(e)
            } else if singleFlight && cacheStores[store]!.filling[Int(key)] {
                cacheCoalesced[Int(cache)] += 1
                entities[ei].phase = .waitingForFill
                cacheWaiters[waiterKey(store: store, key: key), default: []].append(e)
                return false
            } else {
                if singleFlight {
                    cacheStores[store]!.filling[Int(key)] = true
                    entities[ei].fillingCache = cache
                    entities[ei].fillingStore = Int32(store)
                    entities[ei].fillingKey = key
                }
                entities[ei].phase = .start
                entities[ei].pc = missTarget
            }
        }
        return true
    }

    /// A cache fill step (the miss path succeeded): the key goes into the store, and the
    /// entity's single-flight waiters are served.
    @_transparent
    mutating func runCacheFill(_ e: Int32, cache: Int32, slot: Int32) -> Bool {
        let ei = Int(e)
        if let fillTime = cacheFillTime[Int(cache)] {
            // The fill is a command at the cache's server too (a SET).
            guard useCacheServer(e, cache: cache, time: fillTime, stream: cacheFillStreams[Int(cache)]!) else { return false }
        }
        if cacheUsesKeys[Int(cache)] {
            let store = cacheStoreIndex(cache: cache, instance: entities[ei].instance)
            let key = slotValues[slotIndex(e, slot)]
            cacheStores[store]!.fill(key, now: now)
            if entities[ei].fillingCache == cache && entities[ei].fillingKey == key {
                finishFill(e, wakeAs: .servedByFill)
            }
        }
        step(e)
        return true
    }

    /// One command at a cache's server (`server:`): a connection of the instance's client pool
    /// first if it has one (`server.connections`, FCFS), then one of the server's `servers`
    /// (FCFS), held for a draw of `time`; both are given back, each to its next waiter. Returns
    /// true when the command is done (the entity goes on), false while it waits or runs; the
    /// entity's phase says where it is, from `.start`.
    mutating func useCacheServer(_ e: Int32, cache: Int32, time: Distribution, stream: RandomStreamHandle) -> Bool {
        let ei = Int(e)
        let c = Int(cache)
        let server = cacheStoreIndex(cache: cache, instance: entities[ei].instance)
        let connection = c * instanceCount + Int(entities[ei].instance)
        switch entities[ei].phase {
        case .start:
            entities[ei].waitStartSeconds = now
            if cacheHasConnectionPool[c] {
                entities[ei].phase = .waitingForCacheConnection
                switch cacheConnections[connection].acquire(e, atSeconds: now) {
                case .granted:
                    break
                case .waiting(let ticket):
                    if let timeout = cacheConnectionTimeout[c] {
                        entities[ei].queueTicket = ticket
                        schedule(.cacheConnectionTimeout, e, tag: ticket, at: now + timeout)
                    }
                    return false
                }
            }
            fallthrough
        case .waitingForCacheConnection:
            if cacheHasConnectionPool[c] {
                cacheConnectionWaits[c].record(now - entities[ei].waitStartSeconds)
                entities[ei].waitStartSeconds = now
            }
            entities[ei].phase = .waitingForCacheServer
            guard case .granted = cacheServers[server].acquire(e, atSeconds: now) else { return false }
            fallthrough
        case .waitingForCacheServer:
            cacheServerWaits[c].record(seconds: now - entities[ei].waitStartSeconds)
            entities[ei].phase = .atCacheServer
            schedule(.delayEnd, e, at: now + time.sample(stream))
            return false
        default:  // .atCacheServer: the command is done
            if let next = cacheServers[server].release(atSeconds: now) { schedule(.resume, next, at: now) }
            if cacheHasConnectionPool[c], let next = cacheConnections[connection].release(atSeconds: now) {
                schedule(.resume, next, at: now)
            }
            return true
        }
    }

    func waiterKey(store: Int, key: Int32) -> Int { store << 32 | Int(key) }

    /// Ends a single-flight fill: the waiters resume, as hits (`.servedByFill`) after a
    /// successful fill or to look up again (`.lookupDue`) after a failed one.
    mutating func finishFill(_ e: Int32, wakeAs phase: Phase) {
        let ei = Int(e)
        let store = Int(entities[ei].fillingStore)
        let key = entities[ei].fillingKey
        cacheStores[store]!.filling[Int(key)] = false
        entities[ei].fillingCache = -1
        if let waiters = cacheWaiters.removeValue(forKey: waiterKey(store: store, key: key)) {
            for w in waiters {
                entities[Int(w)].phase = phase
                schedule(.resume, w, at: now)
            }
        }
    }

    /// A command's wait for a client connection ran out (`server.connection_timeout`): unless it
    /// was granted one meanwhile, it leaves the queue and its request fails, or, with
    /// `on_timeout: miss`, a lookup takes the miss path and a fill is skipped.
    mutating func cacheConnectionTimedOut(entity e: Int32, ticketLowBits: UInt32) {
        let ei = Int(e)
        guard entities[ei].live, entities[ei].phase == .waitingForCacheConnection,
              UInt32(truncatingIfNeeded: entities[ei].queueTicket) == ticketLowBits else { return }
        let cache: Int32
        switch ops[Int(entities[ei].pc)] {
        case .cacheLookup(let c, _, _), .cacheFill(let c, _): cache = c
        default: return
        }
        let connection = Int(cache) * instanceCount + Int(entities[ei].instance)
        guard cacheConnections[connection].abandon(ticket: entities[ei].queueTicket, atSeconds: now) else { return }
        cacheConnectionTimeouts[Int(cache)] += 1
        guard cacheTimeoutIsMiss[Int(cache)] else { terminate(e, failed: true); return }
        // `on_timeout: miss`: the request goes on without the cache.
        switch ops[Int(entities[ei].pc)] {
        case .cacheLookup(_, let slot, let missTarget):
            // A lookup that missed (the hit rate counts it); with keys, the key the miss path will
            // fill is drawn as a lookup draws it, the store unread: the server was never reached.
            cacheLookups[Int(cache)] += 1
            if cacheUsesKeys[Int(cache)] {
                slotValues[slotIndex(e, slot)] = zipf[Int(cache)]!.sample(cacheStreams[Int(cache)])
            }
            entities[ei].phase = .start
            entities[ei].pc = missTarget
        default:
            // A fill that gave up: the key is not stored; single-flight waiters look it up again.
            if entities[ei].fillingCache == cache { finishFill(e, wakeAs: .lookupDue) }
            step(e)
        }
        schedule(.resume, e, at: now)
    }

    mutating func invalidate(_ caches: [Int32], instance: Int32) {
        for cache in caches {
            guard cacheUsesKeys[Int(cache)] else { continue }
            let store = cacheStoreIndex(cache: cache, instance: instance)
            if cacheInvalidatesAll[Int(cache)] {
                cacheStores[store]!.removeAll()
            } else {
                cacheStores[store]!.remove(zipf[Int(cache)]!.sample(cacheStreams[Int(cache)]))
            }
        }
    }
}
