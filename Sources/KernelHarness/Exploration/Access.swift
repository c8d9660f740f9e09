// SPDX-License-Identifier: GPL-2.0-only
//
// The dependency relation used by DPOR and sleep sets: two pending
// operations conflict iff they name the same (nonzero) object and at least
// one of them writes it.  Every lock operation counts as a write on its
// lock, whatever the shim says (down_read and up_read change the reader
// count, and they enable or disable a queued writer).
import CKernelShim

/// What one pending operation touches: an object key and read/write.
public struct Access: Sendable, Hashable {
    public var object: UInt64
    public var write: Bool

    public static let none = Access(object: 0, write: false)

    @inline(__always)
    public init(object: UInt64, write: Bool) {
        self.object = object
        self.write = write
    }

    @inline(__always)
    public init(kind: Int32, object: UInt64, write: Bool) {
        self.object = object
        self.write = write || Access.isLockKind(kind)
    }

    @inline(__always)
    public static func isLockKind(_ kind: Int32) -> Bool {
        switch UInt32(bitPattern: kind) {
        case KSIM_OP_SPIN_LOCK.rawValue, KSIM_OP_SPIN_TRYLOCK.rawValue, KSIM_OP_SPIN_UNLOCK.rawValue,
             KSIM_OP_MUTEX_LOCK.rawValue, KSIM_OP_MUTEX_TRYLOCK.rawValue, KSIM_OP_MUTEX_UNLOCK.rawValue,
             KSIM_OP_DOWN_READ.rawValue, KSIM_OP_DOWN_READ_TRYLOCK.rawValue, KSIM_OP_UP_READ.rawValue,
             KSIM_OP_DOWN_WRITE.rawValue, KSIM_OP_DOWN_WRITE_TRYLOCK.rawValue, KSIM_OP_UP_WRITE.rawValue,
             KSIM_OP_LOCK_PAGE.rawValue, KSIM_OP_TRYLOCK_PAGE.rawValue, KSIM_OP_UNLOCK_PAGE.rawValue:
            return true
        default:
            return false
        }
    }

    /// Dependent: same object and at least one write.
    @inline(__always)
    public func conflicts(with o: Access) -> Bool {
        object != 0 && object == o.object && (write || o.write)
    }
}

extension World {
    /// Task i's pending access (`.none` when it has no pending operation).
    @inline(__always)
    public func access(_ i: Int) -> Access {
        guard let a = pendingAccess(i) else { return .none }
        return Access(kind: a.kind, object: a.object, write: a.write)
    }
}

/// How an operation takes part in a lock's hand-over.  A task that takes a
/// lock after another released it cannot take it before that release (it
/// would block), so that pair is not a race to reverse: the acquisition
/// races with the other task's acquisition instead (it can come first).
/// Two readers of an rwsem do not exclude each other, so a read release
/// followed by a read acquisition stays an ordinary race.
enum LockRole: UInt8 {
    case none = 0
    /// takes the lock for itself and cannot start while it is held:
    /// spin_lock, mutex_lock, lock_page
    case acquire
    /// down_read: cannot start while a writer holds the rwsem or waits
    case acquireShared
    /// takes the lock but can run while it is held, so its race with a
    /// release stays: a trylock (it fails there, a read: a trace of its
    /// own) and down_write (its first step queues the writer, which is
    /// what makes new readers wait)
    case acquireAnyway
    /// wait_on_page_locked: passes only while the page is unlocked, holds
    /// nothing afterwards
    case wait
    /// spin_unlock, mutex_unlock, up_write, unlock_page
    case release
    /// up_read: hands the rwsem over to a queued writer only (another
    /// reader did not wait for it)
    case releaseShared

    init(kind: Int32) {
        switch UInt32(bitPattern: kind) {
        case KSIM_OP_SPIN_LOCK.rawValue, KSIM_OP_MUTEX_LOCK.rawValue, KSIM_OP_LOCK_PAGE.rawValue:
            self = .acquire
        case KSIM_OP_DOWN_READ.rawValue: self = .acquireShared
        case KSIM_OP_SPIN_TRYLOCK.rawValue, KSIM_OP_MUTEX_TRYLOCK.rawValue, KSIM_OP_DOWN_WRITE_TRYLOCK.rawValue,
             KSIM_OP_DOWN_READ_TRYLOCK.rawValue, KSIM_OP_TRYLOCK_PAGE.rawValue, KSIM_OP_DOWN_WRITE.rawValue:
            self = .acquireAnyway
        case KSIM_OP_WAIT_PAGE_UNLOCKED.rawValue: self = .wait
        case KSIM_OP_SPIN_UNLOCK.rawValue, KSIM_OP_MUTEX_UNLOCK.rawValue, KSIM_OP_UP_WRITE.rawValue,
             KSIM_OP_UNLOCK_PAGE.rawValue:
            self = .release
        case KSIM_OP_UP_READ.rawValue: self = .releaseShared
        default: self = .none
        }
    }

    /// An operation of this role that follows a release of `r` by another
    /// task could not have run before that release.  `queued`: the
    /// operation is a queued down_write's completion, which waits for
    /// readers too.
    func waitsFor(_ r: LockRole, queued: Bool = false) -> Bool {
        switch (r, self) {
        case (.release, .acquire), (.release, .acquireShared), (.release, .wait): true
        case (.release, .acquireAnyway), (.releaseShared, .acquireAnyway): queued
        default: false
        }
    }
}

/// SplitMix64: the seeded generator of the random and PCT strategies.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// The seed of schedule number `index` of a run seeded with `seed`.
    public static func derive(_ seed: UInt64, _ index: Int) -> UInt64 {
        var g = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return g.next()
    }
}
