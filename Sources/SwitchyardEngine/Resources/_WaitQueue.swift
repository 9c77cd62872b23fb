// SPDX-License-Identifier: GPL-3.0-or-later

/// The waiting line of a resource: request slots in service order.
///
/// An array with a moving head: `removeFirst` is O(1); the consumed prefix is
/// dropped once it is more than half the storage, so memory stays proportional to
/// the waiting requests. Insertion in the middle (priority order) is O(n).
@usableFromInline
struct _WaitQueue: Sendable {
    @usableFromInline var storage: ContiguousArray<UInt32> = []
    @usableFromInline var head = 0

    @inlinable init() {}

    @inlinable var count: Int { storage.count - head }
    @inlinable var isEmpty: Bool { head == storage.count }
    @inlinable var first: UInt32? { isEmpty ? nil : storage[head] }
    @inlinable subscript(position: Int) -> UInt32 { storage[head + position] }

    @inlinable
    mutating func append(_ slot: UInt32) { storage.append(slot) }

    @inlinable
    mutating func insert(_ slot: UInt32, at position: Int) { storage.insert(slot, at: head + position) }

    @inlinable
    mutating func removeFirst() {
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 32 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }

    /// Replaces the queue's contents (e.g. the waiters left after one pass).
    @inlinable
    mutating func replace(with slots: ContiguousArray<UInt32>) {
        storage = slots
        head = 0
    }

    @inlinable
    mutating func remove(at position: Int) {
        if position == 0 { removeFirst() } else { storage.remove(at: head + position) }
    }

    @inlinable
    func firstIndex(of slot: UInt32) -> Int? {
        var position = head
        while position < storage.count {
            if storage[position] == slot { return position - head }
            position += 1
        }
        return nil
    }
}
