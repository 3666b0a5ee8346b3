package declaration

import "encoding/json"

// EncodeDoc is the stored form of a declaration: its JSON with every time
// in UTC, so documents read back alike whatever zone the caller used.
func EncodeDoc(d *Declaration) ([]byte, error) {
	c := *d
	c.DeclaredAt, c.UpdatedAt, c.ReleasedAt = c.DeclaredAt.UTC(), c.UpdatedAt.UTC(), c.ReleasedAt.UTC()
	if c.Risk != nil {
		r := *c.Risk
		r.DecidedAt = r.DecidedAt.UTC()
		c.Risk = &r
	}
	if c.Inspection != nil {
		r := *c.Inspection
		r.RecordedAt = r.RecordedAt.UTC()
		c.Inspection = &r
	}
	if c.Audit != nil {
		r := *c.Audit
		r.RecordedAt = r.RecordedAt.UTC()
		c.Audit = &r
	}
	if c.Tax != nil {
		r := *c.Tax
		r.AssessedAt = r.AssessedAt.UTC()
		c.Tax = &r
	}
	if c.Settlement != nil {
		r := *c.Settlement
		r.At = r.At.UTC()
		c.Settlement = &r
	}
	return json.Marshal(&c)
}

// Seal encodes the document now, on the caller's goroutine, so that the
// writer only has to store it. Call it after the last change.
func (d *Declaration) Seal() {
	if b, err := EncodeDoc(d); err == nil {
		d.Doc = b
	}
}

// Document is what a store writes: the sealed document, or d encoded now.
func (d *Declaration) Document() ([]byte, error) {
	if d.Doc != nil {
		return d.Doc, nil
	}
	return EncodeDoc(d)
}

// DecodeDoc reads a stored document back; the body hash is kept beside
// it, not in the JSON form.
func DecodeDoc(doc []byte, bodyHash string) (*Declaration, error) {
	d := new(Declaration)
	if err := json.Unmarshal(doc, d); err != nil {
		return nil, err
	}
	d.BodyHash = bodyHash
	return d, nil
}
