package sqlite

import (
	"path/filepath"
	"testing"
	"time"
)

// The checkpointer waits checkpointGap between checkpoints while the WAL
// is small, and copies at every wake once it nears the writer's own
// automatic checkpoint.
func TestCheckpointerNearAutoCheckpoint(t *testing.T) {
	defer func(gap time.Duration, near int64) { checkpointGap, checkpointNear = gap, near }(checkpointGap, checkpointNear)
	checkpointGap, checkpointNear = time.Hour, 50
	db := open(t, filepath.Join(t.TempDir(), "jinguan.db"))
	defer db.Close()
	if _, err := db.w.Exec(`CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	// commit writes about pages pages to the WAL and wakes the checkpointer.
	commit := func(pages int) {
		t.Helper()
		if _, err := db.w.Exec(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
			INSERT INTO filler SELECT randomblob(4000) FROM c`, pages); err != nil {
			t.Fatal(err)
		}
		if err := db.syncWAL(); err != nil {
			t.Fatal(err)
		}
	}
	reaches := func(n int64, within time.Duration) bool {
		for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			if db.ckpts.Load() >= n {
				return true
			}
		}
		return false
	}
	start := db.ckpts.Load()
	commit(100) // past checkpointNear: the next wake copies at once
	if !reaches(start+1, 5*time.Second) {
		t.Fatal("no checkpoint after the first commit")
	}
	commit(5)
	if !reaches(start+2, 5*time.Second) {
		t.Fatalf("the WAL held %d pages or more, yet the checkpointer waited for the gap", checkpointNear)
	}
	commit(5) // a small WAL: the gap applies again
	if reaches(start+3, 300*time.Millisecond) {
		t.Fatal("the checkpointer copied a small WAL again before the gap had passed")
	}
}
