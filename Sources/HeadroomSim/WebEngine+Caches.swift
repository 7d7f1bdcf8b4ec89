// Caches: a lookup (a hit ratio, or Zipf-popular keys in a store with capacity and TTL), a miss
// jumping to the fill path, single-flight fills that make concurrent misses of one key wait
// (coalesced) and wake as hits, and invalidation by writes.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    @inline(__always)
    func cacheStoreIndex(cache: Int32, instance: Int32) -> Int {
        Int(cache) * instanceCount + (caches.perInstance[Int(cache)] ? Int(instance) : 0)
    }

    /// A cache lookup step: waits the lookup's own time (none if zero), then draws a hit (a
    /// hit ratio) or looks a Zipf-drawn key up in the store (keys). A hit goes on; a miss jumps
    /// to the miss path, which ends with a fill, unless, with single flight, another entity is
    /// already filling the key: this one then waits for that fill and is served with it.
    @_transparent
    mutating func runCacheLookup(_ e: Int32, cache: Int32, slot: Int32, missTarget: Int32) -> Bool {
        let ei = Int(e)
        if let serverTime = caches.serverTime[Int(cache)] {
            // A cache server that can saturate: the lookup runs there.
            switch entities[ei].state {
            case .start, .waitingForCacheConnection, .waitingForCacheServer, .atCacheServer:
                guard useCacheServer(e, cache: cache, time: serverTime, stream: caches.serverStreams[Int(cache)]!) else { return false }
                entities[ei].state = .lookupDue
            default:
                break  // woken by a single-flight fill
            }
        } else if entities[ei].state == .start {
            entities[ei].state = .lookupDue
            let lookup = caches.lookupTime[Int(cache)]
            if case .constant(let t) = lookup, t == 0 {} else {
                schedule(.delayEnd, e, at: now + lookup.sample(caches.streams[Int(cache)]))
                return false
            }
        }
        if entities[ei].state == .servedByFill {
            caches.hits[Int(cache)] += 1
            step(e)
            return true
        }
        caches.lookups[Int(cache)] += 1
        let singleFlight = caches.singleFlight[Int(cache)]
        if !caches.usesKeys[Int(cache)] {
            if caches.streams[Int(cache)].uniform() < caches.hitRatio[Int(cache)] {
                caches.hits[Int(cache)] += 1
                step(e)
            } else {
                entities[ei].state = .start
                entities[ei].pc = missTarget
            }
        } else {
            let store = cacheStoreIndex(cache: cache, instance: entities[ei].instance)
            let key = caches.zipf[Int(cache)]!.sample(caches.streams[Int(cache)])
            slotValues[slotIndex(e, slot)] = key
            if caches.stores[store]!.lookup(key, now: now) {
                caches.hits[Int(cache)] += 1
                step(e)
            } else if singleFlight && caches.stores[store]!.filling[Int(key)] {
                caches.coalesced[Int(cache)] += 1
                entities[ei].state = .waitingForFill
                caches.waiters[waiterKey(store: store, key: key), default: []].append(e)
                return false
            } else {
                if singleFlight {
                    caches.stores[store]!.filling[Int(key)] = true
                    entities[ei].fillingCache = cache
                    entities[ei].fillingStore = Int32(store)
                    entities[ei].fillingKey = key
                }
                entities[ei].state = .start
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
        if let fillTime = caches.fillTime[Int(cache)] {
            // The fill is a command at the cache's server too (a SET).
            guard useCacheServer(e, cache: cache, time: fillTime, stream: caches.fillStreams[Int(cache)]!) else { return false }
        }
        if caches.usesKeys[Int(cache)] {
            let store = cacheStoreIndex(cache: cache, instance: entities[ei].instance)
            let key = slotValues[slotIndex(e, slot)]
            caches.stores[store]!.fill(key, now: now)
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
    /// entity's state says where it is, from `.start`.
    mutating func useCacheServer(_ e: Int32, cache: Int32, time: Distribution, stream: RandomStreamHandle) -> Bool {
        let ei = Int(e)
        let c = Int(cache)
        let server = cacheStoreIndex(cache: cache, instance: entities[ei].instance)
        let connection = c * instanceCount + Int(entities[ei].instance)
        switch entities[ei].state {
        case .start:
            entities[ei].waitStartSeconds = now
            if caches.hasConnectionPool[c] {
                entities[ei].state = .waitingForCacheConnection
                switch caches.connections[connection].acquire(e, atSeconds: now) {
                case .granted:
                    break
                case .waiting(let ticket):
                    if let timeout = caches.connectionTimeout[c] {
                        entities[ei].queueTicket = ticket
                        schedule(.cacheConnectionTimeout, e, tag: ticket, at: now + timeout)
                    }
                    return false
                }
            }
            fallthrough
        case .waitingForCacheConnection:
            if caches.hasConnectionPool[c] {
                caches.connectionWaits[c].record(now - entities[ei].waitStartSeconds)
                entities[ei].waitStartSeconds = now
            }
            entities[ei].state = .waitingForCacheServer
            guard case .granted = caches.servers[server].acquire(e, atSeconds: now) else { return false }
            fallthrough
        case .waitingForCacheServer:
            caches.serverWaits[c].record(seconds: now - entities[ei].waitStartSeconds)
            entities[ei].state = .atCacheServer
            schedule(.delayEnd, e, at: now + time.sample(stream))
            return false
        default:  // .atCacheServer: the command is done
            if let next = caches.servers[server].release(atSeconds: now) { schedule(.resume, next, at: now) }
            if caches.hasConnectionPool[c], let next = caches.connections[connection].release(atSeconds: now) {
                schedule(.resume, next, at: now)
            }
            return true
        }
    }

    func waiterKey(store: Int, key: Int32) -> Int { store << 32 | Int(key) }

    /// Ends a single-flight fill: the waiters resume, as hits (`.servedByFill`) after a
    /// successful fill or to look up again (`.lookupDue`) after a failed one.
    mutating func finishFill(_ e: Int32, wakeAs phase: StepState) {
        let ei = Int(e)
        let store = Int(entities[ei].fillingStore)
        let key = entities[ei].fillingKey
        caches.stores[store]!.filling[Int(key)] = false
        entities[ei].fillingCache = -1
        if let waiters = caches.waiters.removeValue(forKey: waiterKey(store: store, key: key)) {
            for w in waiters {
                entities[Int(w)].state = phase
                schedule(.resume, w, at: now)
            }
        }
    }

    /// A command's wait for a client connection ran out (`server.connection_timeout`): unless it
    /// was granted one meanwhile, it leaves the queue and its request fails, or, with
    /// `on_timeout: miss`, a lookup takes the miss path and a fill is skipped.
    mutating func cacheConnectionTimedOut(entity e: Int32, ticketLowBits: UInt32) {
        let ei = Int(e)
        guard entities[ei].live, entities[ei].state == .waitingForCacheConnection,
              UInt32(truncatingIfNeeded: entities[ei].queueTicket) == ticketLowBits else { return }
        let cache: Int32
        switch ops[Int(entities[ei].pc)] {
        case .cacheLookup(let c, _, _), .cacheFill(let c, _): cache = c
        default: return
        }
        let connection = Int(cache) * instanceCount + Int(entities[ei].instance)
        guard caches.connections[connection].abandon(ticket: entities[ei].queueTicket, atSeconds: now) else { return }
        caches.connectionTimeouts[Int(cache)] += 1
        guard caches.timeoutIsMiss[Int(cache)] else { fail(e, .errorCacheConnection); return }
        // `on_timeout: miss`: the request goes on without the cache.
        switch ops[Int(entities[ei].pc)] {
        case .cacheLookup(_, let slot, let missTarget):
            // A lookup that missed (the hit rate counts it); with keys, the key the miss path will
            // fill is drawn as a lookup draws it, the store unread: the server was never reached.
            caches.lookups[Int(cache)] += 1
            if caches.usesKeys[Int(cache)] {
                slotValues[slotIndex(e, slot)] = caches.zipf[Int(cache)]!.sample(caches.streams[Int(cache)])
            }
            entities[ei].state = .start
            entities[ei].pc = missTarget
        default:
            // A fill that gave up: the key is not stored; single-flight waiters look it up again.
            if entities[ei].fillingCache == cache { finishFill(e, wakeAs: .lookupDue) }
            step(e)
        }
        schedule(.resume, e, at: now)
    }

    mutating func invalidate(_ invalidated: [Int32], instance: Int32) {
        for cache in invalidated {
            guard caches.usesKeys[Int(cache)] else { continue }
            let store = cacheStoreIndex(cache: cache, instance: instance)
            if caches.invalidatesAll[Int(cache)] {
                caches.stores[store]!.removeAll()
            } else {
                caches.stores[store]!.remove(caches.zipf[Int(cache)]!.sample(caches.streams[Int(cache)]))
            }
        }
    }
}
