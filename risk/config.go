package risk

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Profiles and watch-lists are data: JSON files in the data folder's
// config/ (profiles.json, watch-lists.json), or the embedded demo set.
// The profile registry with versions and an API comes later; these files
// are what it will import and export.

//go:embed data/demo-profiles.json
var demoProfiles []byte

//go:embed data/demo-lists.json
var demoLists []byte

// ListsFile is the JSON form of Lists.
type ListsFile struct {
	Note      string              `json:"_note,omitempty"`
	Lists     map[string][]string `json:"lists"`
	RefPrices map[string]float64  `json:"ref_prices"` // code|origin, origin "*" for any
}

// ParseProfiles reads a JSON array of profiles and checks each: fields,
// then the expression. Errors name the profile and the field.
func ParseProfiles(b []byte, c *Compiler) ([]Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var ps []Profile
	if err := dec.Decode(&ps); err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	for i := range ps {
		p := &ps[i]
		errs := p.Check()
		if len(errs) == 0 {
			_, errs = c.Compile(p.Expr)
		}
		if len(errs) > 0 {
			return nil, fmt.Errorf("profile %d (%s) %s: %s", i, p.ID, errs[0].Pointer, errs[0].MessageEN)
		}
	}
	return ps, nil
}

// ParseLists reads the watch-lists file.
func ParseLists(b []byte) (*Lists, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f ListsFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("watch-lists: %w", err)
	}
	l := &Lists{Named: map[string]map[string]struct{}{}, RefPrices: f.RefPrices}
	for name, vs := range f.Lists {
		set := make(map[string]struct{}, len(vs))
		for _, v := range vs {
			set[v] = struct{}{}
		}
		l.Named[name] = set
	}
	return l, nil
}

// LoadConfig reads dir/profiles.json and dir/watch-lists.json; a missing
// file gives the demo set when demo is true, else nothing.
func LoadConfig(dir string, demo bool, c *Compiler) ([]Profile, *Lists, error) {
	read := func(name string, fallback []byte) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			if demo {
				return fallback, nil
			}
			return nil, nil
		}
		return b, err
	}
	lb, err := read("watch-lists.json", demoLists)
	if err != nil {
		return nil, nil, err
	}
	lists := &Lists{}
	if lb != nil {
		if lists, err = ParseLists(lb); err != nil {
			return nil, nil, err
		}
	}
	c.SetLists(lists)
	pb, err := read("profiles.json", demoProfiles)
	if err != nil || pb == nil {
		return nil, lists, err
	}
	ps, err := ParseProfiles(pb, c)
	if err != nil {
		return nil, nil, err
	}
	return slices.Clip(ps), lists, nil
}
