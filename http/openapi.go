package http

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"

	"github.com/jinguan-customs/jinguan/auth"
)

// The OpenAPI document is kept as one fragment per module in openapi/;
// 00-base.json carries the header and shared schemas, every other
// fragment adds paths and schemas. They are merged once at start-up and a
// key defined twice is an error.
//
//go:embed openapi/*.json
var openapiFragments embed.FS

var openapiDoc = mustMergeOpenAPI(openapiFragments)

func mustMergeOpenAPI(fsys fs.FS) []byte {
	b, err := mergeOpenAPI(fsys)
	if err != nil {
		panic(err) // embedded data: the tests catch it before a build ships
	}
	return b
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	doc := map[string]any{}
	paths := map[string]any{}
	schemas := map[string]any{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k, v := range frag {
			switch k {
			case "paths":
				if err := mergeKeys(paths, v, name, "path"); err != nil {
					return nil, err
				}
			case "components":
				comp, _ := v.(map[string]any)
				for ck, cv := range comp {
					if ck == "schemas" {
						if err := mergeKeys(schemas, cv, name, "schema"); err != nil {
							return nil, err
						}
						continue
					}
					c, _ := doc["components"].(map[string]any)
					if c == nil {
						c = map[string]any{}
						doc["components"] = c
					}
					if _, dup := c[ck]; dup {
						return nil, fmt.Errorf("%s: components.%s defined twice", name, ck)
					}
					c[ck] = cv
				}
			default:
				if _, dup := doc[k]; dup {
					return nil, fmt.Errorf("%s: %s defined twice", name, k)
				}
				doc[k] = v
			}
		}
	}
	doc["paths"] = paths
	c, _ := doc["components"].(map[string]any)
	if c == nil {
		c = map[string]any{}
		doc["components"] = c
	}
	c["schemas"] = schemas
	return json.MarshalIndent(doc, "", " ")
}

func mergeKeys(into map[string]any, v any, file, what string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: %ss is not an object", file, what)
	}
	for k, x := range m {
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s: %s %s defined twice", file, what, k)
		}
		into[k] = x
	}
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ auth.Principal) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openapiDoc)
	return err
}
