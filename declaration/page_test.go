package declaration

import (
	"testing"

	"github.com/jinguan-customs/jinguan"
)

func TestQueueCursor(t *testing.T) {
	for _, c := range []struct {
		prio bool
		id   int64
	}{{true, 1}, {false, 42}, {true, 1 << 50}} {
		p, id, err := DecodeQueueCursor(EncodeQueueCursor(c.prio, c.id))
		if err != nil || p != c.prio || id != c.id {
			t.Errorf("%v %d: got %v %d %v", c.prio, c.id, p, id, err)
		}
	}
	for _, bad := range []string{"", "!!", EncodeCursor(7), "MS4w", "Mi4xMA"} { // "1.0", "2.10"
		if _, _, err := DecodeQueueCursor(bad); jinguan.ErrorCode(err) != jinguan.EINVALID {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}
