package main

import (
	"runtime"
	"runtime/metrics"
	"strconv"
)

// liveNode is one element of the long-lived heap: linked in a list, with tree pointers, a small map
// and a string, so that marking it means chasing pointers rather than skipping pointer-free spans.
type liveNode struct {
	next        *liveNode
	left, right *liveNode
	attrs       map[uint32]*liveNode
	key         string
	vals        [6]uint64
}

// liveHeapRoot keeps the live heap reachable for the whole process lifetime.
var liveHeapRoot []*liveNode

const liveHeapBatch = 4096 // nodes built between two size checks

func heapObjectBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// buildLiveHeap grows a pointer-rich structure until the heap's object bytes have grown by mib MiB,
// then collects once and returns the live heap the runtime reports.
func buildLiveHeap(mib int) (liveBytes uint64) {
	if mib > 0 {
		target := heapObjectBytes() + uint64(mib)<<20
		var prev *liveNode
		chunk := make([]*liveNode, 0, liveHeapBatch)
		for i := 0; ; i++ {
			n := &liveNode{next: prev, key: "k" + strconv.Itoa(i)}
			n.vals[0] = uint64(i)
			if len(chunk) > 0 {
				n.left = chunk[len(chunk)/2]
				n.right = chunk[len(chunk)-1]
				n.attrs = map[uint32]*liveNode{uint32(i): n.left, uint32(i + 1): n.right}
			}
			chunk = append(chunk, n)
			prev = n
			if len(chunk) == liveHeapBatch {
				liveHeapRoot = append(liveHeapRoot, chunk[0])
				chunk = chunk[:0]
				// The previous chunk stays reachable through the next pointers of the current one.
				if heapObjectBytes() >= target {
					break
				}
			}
		}
		liveHeapRoot = append(liveHeapRoot, prev)
	}
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
