// SPDX-License-Identifier: GPL-2.0-only
//
// Worker threads that are started with pthread_create and joined, so a
// thread that cannot start (memory or thread limits with a large --jobs)
// is an error the caller reports, not a wait for a thread that never runs.
import Foundation

public enum WorkerThreads {
    /// How a thread is started; tests substitute one that fails.
    public typealias Spawn = (_ index: Int, _ stackSize: Int, _ body: @escaping () -> Void) -> Int32

    /// pthread_create with the given stack size; 0 or an errno value.
    public static let pthreadSpawn: Spawn = { _, stackSize, body in
        final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, stackSize)
        let ctx = Unmanaged.passRetained(Box(body)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, &attr, { p in
            let box = Unmanaged<AnyObject>.fromOpaque(p!).takeRetainedValue() as! Box
            box.body()
            return nil
        }, ctx)
        if rc != 0 {
            Unmanaged<AnyObject>.fromOpaque(ctx).release()
            return rc
        }
        pthread_detach(tid)
        return 0
    }

    /// Run `body(i)` for i in 0..<count, each on its own thread, and wait
    /// for all of them.  When thread i cannot start, `stop` is called (the
    /// running ones must then return soon), they are waited for, and the
    /// error names how many threads did start.
    public static func run(_ count: Int, stackSize: Int = 1 << 22, stop: () -> Void,
                           spawn: Spawn = pthreadSpawn, _ body: @escaping (Int) -> Void) throws {
        let group = DispatchGroup()
        var failure: (Int, Int32)? = nil
        for i in 0..<count {
            group.enter()
            let rc = spawn(i, stackSize) { body(i); group.leave() }
            if rc != 0 {
                group.leave()
                failure = (i, rc)
                stop()
                break
            }
        }
        group.wait()
        if let (i, rc) = failure {
            throw HarnessError.badInput(
                "cannot start worker thread \(i + 1) of \(count): \(String(cString: strerror(rc))) (try a smaller --jobs)")
        }
    }
}
