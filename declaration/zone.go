package declaration

import (
	"time"

	"github.com/jinguan-customs/jinguan"
)

func chinaZone() *time.Location { return jinguan.China }

// DeclDate is the date reference data is checked against: the Beijing date
// of submission.
func (d *Declaration) DeclDate() time.Time {
	t := d.DeclaredAt.In(jinguan.China)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, jinguan.China)
}
