extension UnsafeMutableBufferPointer {
    /// Sorts the elements in place by `areInIncreasingOrder` (a strict weak order), not stably: an introsort,
    /// quicksort around a median of three, insertion sort for short ranges, and heapsort for ranges still unsorted
    /// after 2 log₂ n levels, so never worse than O(n log n).
    ///
    /// The shuffle sorts by an order in which no two records tie (their offsets break ties), so the result is the
    /// one a stable sort would give, without the standard library's merge buffers and copies.
    @inlinable
    func sortUnstably(by areInIncreasingOrder: (Element, Element) -> Bool) {
        sortUnstably(depthLimit: 2 * (Int.bitWidth - count.leadingZeroBitCount), by: areInIncreasingOrder)
    }

    /// ``sortUnstably(by:)`` with the number of quicksort levels before heapsort takes over given.
    @inlinable
    func sortUnstably(depthLimit: Int, by areInIncreasingOrder: (Element, Element) -> Bool) {
        guard count > 1, let base = baseAddress else { return }
        Self.introsort(base, low: 0, high: count, depth: depthLimit, by: areInIncreasingOrder)
    }

    /// Ranges at most this long are insertion sorted.
    @inlinable static var shortRange: Int { 16 }

    @inlinable
    static func introsort(_ base: UnsafeMutablePointer<Element>, low: Int, high: Int, depth: Int, by less: (Element, Element) -> Bool) {
        var low = low
        var high = high
        var depth = depth
        while high - low > shortRange {
            if depth == 0 {
                heapsort(base + low, count: high - low, by: less)
                return
            }
            depth -= 1
            // The median of three goes to `low` as the pivot; the other two, now on either side of it, stop the
            // scans below at the range's ends.
            let middle = low + (high - low) / 2
            order(base, low + 1, middle, by: less)
            order(base, middle, high - 1, by: less)
            order(base, low + 1, middle, by: less)
            base.swapAt(low, middle)
            let pivot = base[low]
            var left = low
            var right = high
            while true {
                repeat { left += 1 } while less(base[left], pivot)
                repeat { right -= 1 } while less(pivot, base[right])
                if left >= right { break }
                base.swapAt(left, right)
            }
            base.swapAt(low, right)
            // Recurse into the smaller side, loop on the larger: the stack stays O(log n) deep.
            if right - low < high - right - 1 {
                introsort(base, low: low, high: right, depth: depth, by: less)
                low = right + 1
            } else {
                introsort(base, low: right + 1, high: high, depth: depth, by: less)
                high = right
            }
        }
        insertionSort(base + low, count: high - low, by: less)
    }

    /// Swaps `base[i]` and `base[j]` if they are out of order.
    @inlinable @inline(__always)
    static func order(_ base: UnsafeMutablePointer<Element>, _ i: Int, _ j: Int, by less: (Element, Element) -> Bool) {
        if less(base[j], base[i]) { base.swapAt(i, j) }
    }

    @inlinable
    static func insertionSort(_ base: UnsafeMutablePointer<Element>, count: Int, by less: (Element, Element) -> Bool) {
        guard count > 1 else { return }
        for index in 1..<count {
            let element = base[index]
            var hole = index
            while hole > 0, less(element, base[hole - 1]) {
                base[hole] = base[hole - 1]
                hole -= 1
            }
            base[hole] = element
        }
    }

    @inlinable
    static func heapsort(_ base: UnsafeMutablePointer<Element>, count: Int, by less: (Element, Element) -> Bool) {
        var start = count / 2
        while start > 0 {
            start -= 1
            siftDown(base, from: start, count: count, by: less)
        }
        var end = count
        while end > 1 {
            end -= 1
            base.swapAt(0, end)
            siftDown(base, from: 0, count: end, by: less)
        }
    }

    @inlinable
    static func siftDown(_ base: UnsafeMutablePointer<Element>, from start: Int, count: Int, by less: (Element, Element) -> Bool) {
        var parent = start
        while true {
            var child = 2 * parent + 1
            guard child < count else { return }
            if child + 1 < count, less(base[child], base[child + 1]) { child += 1 }
            guard less(base[parent], base[child]) else { return }
            base.swapAt(parent, child)
            parent = child
        }
    }
}

extension UnsafeMutablePointer {
    @inlinable @inline(__always)
    func swapAt(_ i: Int, _ j: Int) {
        let element = (self + i).move()
        (self + i).moveInitialize(from: self + j, count: 1)
        (self + j).initialize(to: element)
    }
}
