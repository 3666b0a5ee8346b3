package ecommerce

import "testing"

// Buyers' IDs are valid and distinct well past a million buyers.
func TestBuyerIDsDistinct(t *testing.T) {
	g := NewGenerator(1, 10, DemoDay)
	seen := map[string]int{}
	for _, n := range []int{0, 1, 6999, 7000, 20999, 21000, 21001, 76_698_999, 76_699_000} {
		for i := range 3000 {
			id := g.buyerID(n + i*7001)
			if !ValidResidentID(id) {
				t.Fatalf("buyer %d: %s is not a valid resident ID", n+i*7001, id)
			}
			if m, ok := seen[id]; ok && m != n+i*7001 {
				t.Fatalf("buyers %d and %d share %s", m, n+i*7001, id)
			}
			seen[id] = n + i*7001
		}
	}
}
