package http

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

type openapiDocument struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

func loadDoc(t *testing.T) openapiDocument {
	var doc openapiDocument
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// TestOpenAPIRoutes fails when a served route is missing from the document
// or the document describes a route that is not served.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadDoc(t)
	served := map[string]bool{"GET /metrics": true}
	for _, r := range Routes() {
		served[r.Method+" "+r.Pattern] = true
	}
	for route := range served {
		method, path, _ := strings.Cut(route, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is served but missing from openapi.json", route)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !served[strings.ToUpper(method)+" "+path] {
				t.Errorf("openapi.json describes %s %s, which is not served", strings.ToUpper(method), path)
			}
		}
	}
}

// TestOpenAPISchemas fails when a schema's properties drift from the JSON
// fields of the Go type it describes.
func TestOpenAPISchemas(t *testing.T) {
	doc := loadDoc(t)
	for name, v := range openapiSchemaTypes {
		sch, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s missing", name)
			continue
		}
		var documented []string
		for k := range sch.Properties {
			documented = append(documented, k)
		}
		sort.Strings(documented)
		if got := jsonNames(reflect.TypeOf(v)); !slices.Equal(got, documented) {
			t.Errorf("schema %s properties\n  documented %v\n  Go fields  %v", name, documented, got)
		}
	}
}

// openapiSchemaTypes maps each documented schema to the Go type it
// describes; each module's test file adds its own with schemaTypes.
var openapiSchemaTypes = map[string]any{}

func schemaTypes(m map[string]any) bool {
	for k, v := range m {
		if _, dup := openapiSchemaTypes[k]; dup {
			panic("schema type registered twice: " + k)
		}
		openapiSchemaTypes[k] = v
	}
	return true
}

var _ = schemaTypes(map[string]any{
	"Head": declaration.Head{}, "Item": declaration.Item{}, "Charge": declaration.Charge{},
	"Container": declaration.Container{}, "Document": declaration.Document{}, "Licence": declaration.Licence{},
	"Form": declaration.Form{}, "Declaration": declaration.Declaration{}, "Summary": declaration.Summary{},
	"Event": declaration.Event{}, "RiskDecision": declaration.RiskDecision{}, "Finding": declaration.Finding{},
	"InspectionResult": declaration.InspectionResult{}, "TaxAssessment": declaration.TaxAssessment{},
	"ItemTax": declaration.ItemTax{}, "Settlement": declaration.Settlement{},
	"ResultInput": declaration.ResultInput{}, "ReasonInput": declaration.ReasonInput{},
	"RerouteInput": declaration.RerouteInput{}, "PaymentInput": declaration.PaymentInput{},
	"Principal": auth.Principal{}, "Entry": entryView{},
})

func jsonNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case f.Anonymous && name == "":
			out = append(out, jsonNames(f.Type)...)
		default:
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// A path or schema defined in two fragments is refused, and every $ref in
// the merged document names a schema that exists.
func TestOpenAPIFragments(t *testing.T) {
	dup := fstest.MapFS{
		"openapi/a.json": {Data: []byte(`{"paths":{"/x":{}},"components":{"schemas":{"S":{}}}}`)},
		"openapi/b.json": {Data: []byte(`{"components":{"schemas":{"S":{}}}}`)},
	}
	if _, err := mergeOpenAPI(dup); err == nil || !strings.Contains(err.Error(), "schema S defined twice") {
		t.Errorf("duplicate schema: err = %v", err)
	}
	doc := loadDoc(t)
	for _, m := range regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([^"]+)"`).FindAllStringSubmatch(string(openapiDoc), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("$ref to missing schema %s", m[1])
		}
	}
}
