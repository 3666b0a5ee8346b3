package declaration

import "fmt"

// AssignNumbers derives the customs number (海关编号) and the unified number
// (统一编号) from the store-assigned id, so both adapters number alike:
// EntryId = declaring customs (4) + year (4) + 1 import / 0 export + 9-digit
// sequence; SeqNo = year (4) + 14-digit sequence.
func AssignNumbers(d *Declaration) {
	year := d.DeclaredAt.In(chinaZone()).Year()
	ie := 0
	if d.Head.IEFlag == "I" {
		ie = 1
	}
	cm := d.Head.CustomMaster
	if len(cm) != 4 {
		cm = "0000"
	}
	d.EntryID = fmt.Sprintf("%s%04d%d%09d", cm, year, ie, d.ID%1_000_000_000)
	d.SeqNo = fmt.Sprintf("%04d%014d", year, d.ID)
}
